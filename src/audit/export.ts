/**
 * Export formats: JSON Lines (every record, for log pipelines) and SARIF 2.1.0 (only the refusals and approval
 * requests, as findings a code-scanning dashboard can show).
 */
import type { AuditRecord } from './query.js';

export function toJsonl(records: AuditRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** One-line rendering of what a tool was asked to do (command, file, pattern …). */
export function summarizeInput(input: unknown): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'string') return input;
  if (typeof input !== 'object') return String(input);
  const o = input as Record<string, unknown>;
  for (const k of ['command', 'file_path', 'path', 'notebook_path', 'url', 'pattern', 'query', 'prompt', 'description']) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return JSON.stringify(input);
}

export function toSarif(records: AuditRecord[], version: string): object {
  const findings = records.filter((r) => r.decision === 'deny' || r.decision === 'ask');
  const ruleIds = [...new Set(findings.map((r) => r.ruleId ?? 'cordon.unknown'))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cordon',
            version,
            informationUri: 'https://www.npmjs.com/package/cordon',
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: id } })),
          },
        },
        results: findings.map((r) => ({
          ruleId: r.ruleId ?? 'cordon.unknown',
          ruleIndex: ruleIds.indexOf(r.ruleId ?? 'cordon.unknown'),
          level: r.decision === 'deny' ? 'error' : 'warning',
          message: { text: r.reason ?? `${r.decision} ${r.tool ?? r.event}` },
          ...(r.cwd ? { locations: [{ physicalLocation: { artifactLocation: { uri: pathUri(r.cwd) } } }] } : {}),
          properties: {
            recordId: r.id,
            timestamp: new Date(r.ts).toISOString(),
            sessionId: r.sessionId,
            event: r.event,
            tool: r.tool,
            decision: r.decision,
            input: summarizeInput(r.input),
          },
        })),
      },
    ],
  };
}

function pathUri(p: string): string {
  return p.startsWith('/') ? `file://${encodeURI(p)}` : encodeURI(p);
}

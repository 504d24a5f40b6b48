/**
 * What a record says about a session, for review: did the session ingest untrusted content, did it touch secrets.
 * Small predicates over the recorded fields, shared by `cordon audit` and `cordon ui`, so both highlight the same
 * sessions whatever layer wrote the record.
 *
 *   recordTainted(r)          extra.taint / extra.untrusted set, extra.injection.trust === 'untrusted' or
 *                             extra.injection.tainted set, or an event named for taint or untrusted content.
 *   recordTouchesSecrets(r)   a rule of the secrets or creds packs fired, a leak was found in a result, or the
 *                             call used the broker (`cordon exec --secret`, cordon's MCP http_request).
 */
import type { AuditRecord } from './query.js';

/** Substrings every tainted record carries in its `event` or `extra` JSON text, for preselecting rows in SQL. */
export const TAINT_MARKERS = ['taint', 'untrusted'] as const;

function set(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
}

export function recordTainted(r: Pick<AuditRecord, 'event' | 'extra'>): boolean {
  if (/taint|untrusted/i.test(r.event)) return true;
  const x = r.extra;
  if (!x || typeof x !== 'object') return false;
  if (set(x.taint) || set(x.untrusted)) return true;
  const inj = x.injection;
  if (inj && typeof inj === 'object' && !Array.isArray(inj)) {
    const o = inj as Record<string, unknown>;
    if (o.trust === 'untrusted' || set(o.tainted)) return true;
  }
  return false;
}

export function recordTouchesSecrets(r: Pick<AuditRecord, 'ruleId' | 'extra' | 'tool' | 'input'>): boolean {
  if (r.ruleId && /^(secrets|creds)\./.test(r.ruleId)) return true;
  const x = r.extra;
  if (x && typeof x === 'object') {
    if (set(x.leaks)) return true;
    const f = x.findings;
    if (Array.isArray(f) && f.some((e) => typeof e === 'object' && e !== null && /^(secrets|creds)\./.test(String((e as { rule?: unknown }).rule)))) return true;
  }
  if (r.tool && /^mcp__cordon__http_request$/.test(r.tool)) return true;
  const cmd = r.input && typeof r.input === 'object' ? (r.input as { command?: unknown }).command : undefined;
  return typeof cmd === 'string' && /\bcordon\s+exec\b[^\n]*--secret/.test(cmd);
}

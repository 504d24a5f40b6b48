/**
 * Terminal rendering of audit data: aligned columns, local times, one line per record with the tool input
 * summarised to fit the terminal.
 */
import type { AuditRecord, SessionSummary } from './query.js';
import type { VerifyReport } from './verify.js';
import { summarizeInput } from './export.js';

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function localTime(ts: number): string {
  const d = new Date(ts);
  if (!Number.isFinite(d.getTime())) return String(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function elapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `+${s}s`;
  if (s < 3600) return `+${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  return `+${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** Renders rows as aligned columns; the last column takes what is left of the terminal width. */
export function table(header: string[], rows: string[][], width = termWidth()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fixed = widths.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  const lastWidth = Math.max(20, width - fixed);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? clip(c, lastWidth) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function termWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 160;
}

const shortId = (s: string): string => (s.length > 12 ? s.slice(0, 12) : s);

export function renderLog(records: AuditRecord[]): string {
  if (records.length === 0) return 'No audit records match.';
  return table(
    ['ID', 'TIME', 'SESSION', 'EVENT', 'TOOL', 'DECISION', 'RULE', 'INPUT'],
    records.map((r) => [
      String(r.id),
      localTime(r.ts),
      shortId(r.sessionId),
      r.event,
      r.tool ?? '',
      r.decision ?? '',
      r.ruleId ?? '',
      oneLine(summarizeInput(r.input)),
    ]),
  );
}

export function renderSessions(sessions: SessionSummary[]): string {
  if (sessions.length === 0) return 'No sessions recorded.';
  return table(
    ['SESSION', 'FIRST', 'LAST', 'EVENTS', 'DENY', 'ASK', 'UNTRUSTED', 'SECRETS', 'TOOLS'],
    sessions.map((s) => [
      s.sessionId,
      localTime(s.firstTs),
      localTime(s.lastTs),
      String(s.events),
      String(s.denials),
      String(s.asks),
      String(s.untrusted ?? 0),
      String(s.secrets ?? 0),
      s.tools.join(','),
    ]),
  );
}

export function renderTimeline(sessionId: string, records: AuditRecord[]): string {
  if (records.length === 0) return `No records for session ${sessionId}.`;
  const first = records[0] as AuditRecord;
  const last = records[records.length - 1] as AuditRecord;
  const denials = records.filter((r) => r.decision === 'deny').length;
  const asks = records.filter((r) => r.decision === 'ask').length;
  const head = [
    `Session ${sessionId}`,
    `  cwd:    ${records.find((r) => r.cwd)?.cwd ?? '(unknown)'}`,
    `  time:   ${localTime(first.ts)} → ${localTime(last.ts)}`,
    `  events: ${records.length} (${denials} denied, ${asks} asked)`,
    '',
  ];
  const rows = records.map((r) => [
    localTime(r.ts).slice(11),
    elapsed(r.ts - first.ts),
    r.event,
    r.tool ?? '',
    r.decision ?? '',
    r.ruleId ?? '',
    oneLine(summarizeInput(r.input)),
  ]);
  const body = table(['TIME', 'ELAPSED', 'EVENT', 'TOOL', 'DECISION', 'RULE', 'INPUT'], rows).split('\n');
  // Refusals carry their reason on the line below, so the timeline explains itself.
  const out = [body[0] as string];
  records.forEach((r, i) => {
    out.push(body[i + 1] as string);
    if ((r.decision === 'deny' || r.decision === 'ask') && r.reason) out.push(`    ↳ ${oneLine(r.reason)}`);
  });
  return [...head, ...out].join('\n');
}

export function renderVerify(rep: VerifyReport): string {
  if (rep.ok) {
    const span = rep.records === 0 ? 'no records' : `${rep.records} records (${rep.firstId}–${rep.lastId})`;
    if (rep.sessions !== undefined) return `audit chain intact: ${span} in ${rep.sessions} session chain${rep.sessions === 1 ? '' : 's'} at ${rep.path}`;
    const anchor = rep.anchor ? `, chain starts after pruned record ${rep.anchor.id}` : '';
    return `audit chain intact: ${span}${anchor}`;
  }
  return `audit chain BROKEN: ${rep.problem?.message ?? 'unknown problem'}\n  checked ${rep.records} records before the break in ${rep.path}`;
}

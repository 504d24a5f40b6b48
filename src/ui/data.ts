/**
 * The review page's data: sessions with their untrusted-ingestion counts, a session's records with filters, and the
 * chain status, shaped for JSON. Everything shown is redacted again on the way out (the store redacts on write, but
 * a secret registered after a record was written, or a pattern added since, must still not reach the page).
 */
import { listRecords, listSessions, summarizeInput, verifyAudit, type AuditRecord, type SessionSummary } from '../audit/index.js';
import { toRecord, withDb } from '../audit/query.js';
import type { StoredRow } from '../audit/chain.js';
import { redactText, redactValue } from '../redact/index.js';
import { isTainted, recordTainted, TAINT_MARKERS } from './taint.js';

export const DECISIONS = ['allow', 'ask', 'deny'] as const;
export type DecisionFilter = (typeof DECISIONS)[number];

export interface UiFilter {
  decision?: DecisionFilter;
  tool?: string;
  /** Only sessions (or records) that mark untrusted ingestion. */
  tainted?: boolean;
}

export interface UiSession extends SessionSummary {
  /** Records of the session that mark untrusted ingestion (see taint.ts). */
  untrusted: number;
  tainted: boolean;
}

export interface UiSessions {
  sessions: UiSession[];
  /** Every tool name in the store, for the filter menu. */
  tools: string[];
  /** Sessions in the store before filtering. */
  total: number;
}

export interface UiRecord {
  id: number;
  ts: number;
  event: string;
  tool?: string;
  decision?: string;
  ruleId?: string;
  reason?: string;
  durationMs?: number;
  /** One-line summary of the tool input, redacted and clipped. */
  input: string;
  tainted: boolean;
  extra?: unknown;
}

export interface UiRecords {
  sessionId: string;
  /** Records that matched the filter (the list holds at most `limit` of them, the newest). */
  matched: number;
  truncated: boolean;
  records: UiRecord[];
}

export interface UiVerify {
  ok: boolean;
  records: number;
  firstId?: number;
  lastId?: number;
  problem?: { kind: string; id?: number; message: string };
}

const INPUT_MAX = 2000;


/** Records that may mark untrusted ingestion, grouped by session; SQL preselects, `recordTainted` decides. */
function taintedBySession(stateDir: string): Map<string, AuditRecord[]> {
  return withDb(stateDir, new Map<string, AuditRecord[]>(), (db) => {
    const like = TAINT_MARKERS.flatMap(() => ['event LIKE ?', 'extra LIKE ?']).join(' OR ');
    const args = TAINT_MARKERS.flatMap((m) => [`%${m}%`, `%${m}%`]);
    const rows = db.prepare(`SELECT * FROM records WHERE ${like} ORDER BY id`).all(...args) as StoredRow[];
    const out = new Map<string, AuditRecord[]>();
    for (const r of rows.map(toRecord)) {
      if (!recordTainted(r)) continue;
      const list = out.get(r.sessionId) ?? [];
      list.push(r);
      out.set(r.sessionId, list);
    }
    return out;
  });
}

/** Sessions holding at least one record with this decision and/or tool. */
function sessionsWith(stateDir: string, f: UiFilter): Set<string> {
  return withDb(stateDir, new Set<string>(), (db) => {
    const where: string[] = [];
    const args: string[] = [];
    if (f.decision !== undefined) (where.push('decision = ?'), args.push(f.decision));
    if (f.tool !== undefined) (where.push('tool = ?'), args.push(f.tool));
    const rows = db.prepare(`SELECT DISTINCT session_id AS s FROM records WHERE ${where.join(' AND ')}`).all(...args) as { s: string }[];
    return new Set(rows.map((r) => r.s));
  });
}

export function sessionsView(stateDir: string, filter: UiFilter = {}): UiSessions {
  const all = listSessions({ stateDir });
  const taint = taintedBySession(stateDir);
  const match = filter.decision !== undefined || filter.tool !== undefined ? sessionsWith(stateDir, filter) : undefined;
  const tools = [...new Set(all.flatMap((s) => s.tools))].sort();
  const sessions: UiSession[] = [];
  for (const s of all) {
    const marked = taint.get(s.sessionId) ?? [];
    const tainted = isTainted(marked);
    if (match && !match.has(s.sessionId)) continue;
    if (filter.tainted && !tainted) continue;
    sessions.push({ ...s, ...(s.cwd !== undefined ? { cwd: redactText(s.cwd) } : {}), untrusted: marked.length, tainted });
  }
  return { sessions, tools, total: all.length };
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function uiRecord(r: AuditRecord): UiRecord {
  const out: UiRecord = {
    id: r.id,
    ts: r.ts,
    event: r.event,
    // Redact before clipping, so a secret cut in half by the clip is still recognised whole.
    input: clip(redactText(summarizeInput(r.input)), INPUT_MAX),
    tainted: recordTainted(r),
  };
  if (r.tool !== undefined) out.tool = r.tool;
  if (r.decision !== undefined) out.decision = r.decision;
  if (r.ruleId !== undefined) out.ruleId = r.ruleId;
  if (r.reason !== undefined) out.reason = redactText(r.reason);
  if (r.durationMs !== undefined) out.durationMs = r.durationMs;
  if (r.extra !== undefined) out.extra = redactValue(r.extra);
  return out;
}

export function recordsView(stateDir: string, sessionId: string, filter: UiFilter = {}, limit = 2000): UiRecords {
  let recs = listRecords({
    stateDir,
    session: sessionId,
    ...(filter.decision !== undefined ? { decision: filter.decision } : {}),
    ...(filter.tool !== undefined ? { tool: filter.tool } : {}),
  });
  if (filter.tainted) recs = recs.filter(recordTainted);
  const matched = recs.length;
  const shown = matched > limit ? recs.slice(matched - limit) : recs;
  return { sessionId, matched, truncated: shown.length < matched, records: shown.map(uiRecord) };
}

export function verifyView(stateDir: string): UiVerify {
  try {
    const r = verifyAudit({ stateDir });
    const out: UiVerify = { ok: r.ok, records: r.records };
    if (r.firstId !== undefined) out.firstId = r.firstId;
    if (r.lastId !== undefined) out.lastId = r.lastId;
    if (r.problem) out.problem = { kind: r.problem.kind, ...(r.problem.id !== undefined ? { id: r.problem.id } : {}), message: r.problem.message };
    return out;
  } catch (err) {
    // A store that cannot even be read is not "intact": say so rather than hide it behind a server error.
    return { ok: false, records: 0, problem: { kind: 'unavailable', message: (err as Error).message } };
  }
}

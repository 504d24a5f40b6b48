/**
 * Read side of the audit store, for review: sessions at a glance and filtered record lists. Reads never create the
 * database; a state dir without one simply has no history.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE, type StoredRow } from './chain.js';
import { hasSchema, openDb } from './store.js';
import type { AuditRecordInput } from './index.js';
import type { Decision } from '../ir/types.js';
import { recordTainted, recordTouchesSecrets } from './classify.js';

/** A stored record as read back: what was appended (redacted), with its id, time and chain hash. */
export interface AuditRecord extends Omit<AuditRecordInput, 'ts'> {
  id: number;
  ts: number;
  hash: string;
}

export interface SessionSummary {
  sessionId: string;
  firstTs: number;
  lastTs: number;
  events: number;
  denials: number;
  asks: number;
  /** Distinct tool names, sorted. */
  tools: string[];
  /** Records that ingested untrusted content (see classify.ts). */
  untrusted?: number;
  /** Records where secrets were touched: refused reads, leaks found, broker use. */
  secrets?: number;
  /** Working directory of the session's first record that has one. */
  cwd?: string;
}

export interface RecordFilter {
  session?: string;
  decision?: string;
  tool?: string;
  event?: string;
  /** Only records at or after this time (ms since the epoch). */
  since?: number;
  /** At most this many records: the newest ones, returned oldest first. */
  limit?: number;
}

/** Runs `fn` on a read-only connection; `empty` when no store exists yet (reads never create one). */
export function withDb<T>(stateDir: string, empty: T, fn: (db: ReturnType<typeof openDb>) => T): T {
  if (!existsSync(join(stateDir, DB_FILE))) return empty;
  const db = openDb({ stateDir, readOnly: true });
  try {
    return hasSchema(db) ? fn(db) : empty;
  } finally {
    db.close();
  }
}

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function toRecord(r: StoredRow): AuditRecord {
  const out: AuditRecord = { id: r.id, ts: r.ts, sessionId: r.session_id, event: r.event, hash: r.hash };
  if (r.tool_use_id !== null) out.toolUseId = r.tool_use_id;
  if (r.tool !== null) out.tool = r.tool;
  if (r.input !== null) out.input = parse(r.input);
  if (r.decision !== null) out.decision = r.decision as Decision;
  if (r.rule_id !== null) out.ruleId = r.rule_id;
  if (r.reason !== null) out.reason = r.reason;
  if (r.duration_ms !== null) out.durationMs = r.duration_ms;
  if (r.cwd !== null) out.cwd = r.cwd;
  if (r.policy_hash !== null) out.policyHash = r.policy_hash;
  if (r.version !== null) out.version = r.version;
  if (r.result !== null) out.result = parse(r.result);
  if (r.extra !== null) out.extra = parse(r.extra) as Record<string, unknown>;
  return out;
}

export function listRecords(opts: { stateDir: string } & RecordFilter): AuditRecord[] {
  return withDb(opts.stateDir, [] as AuditRecord[], (db) => {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (opts.session !== undefined) (where.push('session_id = ?'), args.push(opts.session));
    if (opts.decision !== undefined) (where.push('decision = ?'), args.push(opts.decision));
    if (opts.tool !== undefined) (where.push('tool = ?'), args.push(opts.tool));
    if (opts.event !== undefined) (where.push('event = ?'), args.push(opts.event));
    if (opts.since !== undefined) (where.push('ts >= ?'), args.push(opts.since));
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = opts.limit !== undefined && opts.limit >= 0 ? `LIMIT ${Math.trunc(opts.limit)}` : '';
    const rows = db.prepare(`SELECT * FROM records ${cond} ORDER BY id DESC ${limit}`).all(...args) as StoredRow[];
    return rows.reverse().map(toRecord);
  });
}

export function listSessions(opts: { stateDir: string; since?: number; limit?: number }): SessionSummary[] {
  return withDb(opts.stateDir, [] as SessionSummary[], (db) => {
    const cond = opts.since !== undefined ? 'WHERE ts >= ?' : '';
    const args = opts.since !== undefined ? [opts.since] : [];
    const limit = opts.limit !== undefined && opts.limit >= 0 ? `LIMIT ${Math.trunc(opts.limit)}` : '';
    const rows = db
      .prepare(
        `SELECT session_id AS sessionId, min(ts) AS firstTs, max(ts) AS lastTs, count(*) AS events,
                sum(decision = 'deny') AS denials, sum(decision = 'ask') AS asks,
                group_concat(DISTINCT tool) AS tools,
                (SELECT cwd FROM records r2 WHERE r2.session_id = records.session_id AND cwd IS NOT NULL ORDER BY id LIMIT 1) AS cwd
         FROM records ${cond} GROUP BY session_id ORDER BY max(id) DESC ${limit}`,
      )
      .all(...args) as (Omit<SessionSummary, 'tools' | 'cwd'> & { tools: string | null; cwd: string | null })[];
    // Only rows that can count are read back and classified; the predicates decide.
    const marks = new Map<string, { untrusted: number; secrets: number }>();
    const candidates = db
      .prepare(
        `SELECT * FROM records ${cond ? `${cond} AND` : 'WHERE'} (event LIKE '%taint%' OR event LIKE '%untrusted%' OR extra LIKE '%taint%'
           OR extra LIKE '%untrusted%' OR extra LIKE '%leaks%' OR extra LIKE '%secrets.%' OR extra LIKE '%creds.%'
           OR rule_id LIKE 'secrets.%' OR rule_id LIKE 'creds.%' OR tool = 'mcp__cordon__http_request' OR input LIKE '%--secret%')`,
      )
      .all(...args) as StoredRow[];
    for (const row of candidates) {
      const rec = toRecord(row);
      const m = marks.get(rec.sessionId) ?? { untrusted: 0, secrets: 0 };
      if (recordTainted(rec)) m.untrusted++;
      if (recordTouchesSecrets(rec)) m.secrets++;
      marks.set(rec.sessionId, m);
    }
    return rows.map((r) => {
      const s: SessionSummary = {
        sessionId: r.sessionId,
        firstTs: r.firstTs,
        lastTs: r.lastTs,
        events: r.events,
        denials: r.denials ?? 0,
        asks: r.asks ?? 0,
        tools: r.tools ? [...new Set(r.tools.split(','))].sort() : [],
        untrusted: marks.get(r.sessionId)?.untrusted ?? 0,
        secrets: marks.get(r.sessionId)?.secrets ?? 0,
      };
      if (r.cwd !== null) s.cwd = r.cwd;
      return s;
    });
  });
}

/** Session ids equal to `id`, or starting with it (for abbreviated ids typed at the terminal). */
export function findSessions(opts: { stateDir: string; id: string }): string[] {
  return withDb(opts.stateDir, [] as string[], (db) => {
    const exact = db.prepare('SELECT 1 FROM records WHERE session_id = ? LIMIT 1').get(opts.id);
    if (exact) return [opts.id];
    const like = opts.id.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
    const rows = db.prepare(`SELECT DISTINCT session_id AS s FROM records WHERE session_id LIKE ? ESCAPE '\\' LIMIT 10`).all(like) as {
      s: string;
    }[];
    return rows.map((r) => r.s);
  });
}

/**
 * Read side of the PostgreSQL sink, with the same results as query.ts gives for SQLite: records in global id order
 * (the order they were appended across all machines) and one summary per session. A sink whose tables do not exist
 * yet simply has no history.
 */
import type pg from 'pg';
import { acquirePool, readMeta, releasePool, sinkError } from './pg-store.js';
import { fromRaw, RECORD_COLUMNS, type RawRow } from './pg-verify.js';
import { toRecord, type AuditRecord, type RecordFilter, type SessionSummary } from './query.js';

async function withClient<T>(sink: string, empty: T, fn: (c: pg.ClientBase) => Promise<T>): Promise<T> {
  const pool = acquirePool(sink);
  try {
    const c = await (await pool).connect();
    try {
      return (await readMeta(c)) ? await fn(c) : empty;
    } finally {
      c.release();
    }
  } catch (err) {
    throw sinkError(sink, err);
  } finally {
    await releasePool(sink);
  }
}

const limitClause = (n: number | undefined): string => (n !== undefined && n >= 0 ? `LIMIT ${Math.trunc(n)}` : '');

export function listPgRecords(opts: { sink: string } & RecordFilter): Promise<AuditRecord[]> {
  return withClient(opts.sink, [] as AuditRecord[], async (c) => {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (col: string, op: string, v: string | number | undefined): void => {
      if (v === undefined) return;
      args.push(v);
      where.push(`${col} ${op} $${args.length}`);
    };
    add('session_id', '=', opts.session);
    add('decision', '=', opts.decision);
    add('tool', '=', opts.tool);
    add('event', '=', opts.event);
    add('ts', '>=', opts.since);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const r = await c.query<RawRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records r ${cond} ORDER BY r.id DESC ${limitClause(opts.limit)}`, args);
    return r.rows.reverse().map((x) => toRecord(fromRaw(x)));
  });
}

export function listPgSessions(opts: { sink: string; since?: number; limit?: number }): Promise<SessionSummary[]> {
  return withClient(opts.sink, [] as SessionSummary[], async (c) => {
    const cond = opts.since !== undefined ? 'WHERE ts >= $1' : '';
    const args = opts.since !== undefined ? [opts.since] : [];
    const r = await c.query<{ sessionId: string; firstTs: string; lastTs: string; events: string; denials: string; asks: string; tools: string[] | null; cwd: string | null }>(
      `SELECT session_id AS "sessionId", min(ts)::text AS "firstTs", max(ts)::text AS "lastTs", count(*)::text AS events,
              count(*) FILTER (WHERE decision = 'deny')::text AS denials, count(*) FILTER (WHERE decision = 'ask')::text AS asks,
              array_agg(DISTINCT tool) FILTER (WHERE tool IS NOT NULL) AS tools,
              (SELECT cwd FROM audit_records r2 WHERE r2.session_id = audit_records.session_id AND cwd IS NOT NULL ORDER BY seq LIMIT 1) AS cwd
       FROM audit_records ${cond} GROUP BY session_id ORDER BY max(id) DESC ${limitClause(opts.limit)}`,
      args,
    );
    return r.rows.map((x) => {
      const s: SessionSummary = {
        sessionId: x.sessionId,
        firstTs: Number(x.firstTs),
        lastTs: Number(x.lastTs),
        events: Number(x.events),
        denials: Number(x.denials),
        asks: Number(x.asks),
        tools: [...(x.tools ?? [])].sort(),
      };
      if (x.cwd !== null) s.cwd = x.cwd;
      return s;
    });
  });
}

/** Session ids equal to `id`, or starting with it. */
export function findPgSessions(opts: { sink: string; id: string }): Promise<string[]> {
  return withClient(opts.sink, [] as string[], async (c) => {
    const exact = await c.query('SELECT 1 FROM audit_records WHERE session_id = $1 LIMIT 1', [opts.id]);
    if (exact.rowCount) return [opts.id];
    const like = opts.id.replace(/[\\%_]/g, (ch) => `\\${ch}`) + '%';
    const r = await c.query<{ s: string }>(`SELECT DISTINCT session_id AS s FROM audit_records WHERE session_id LIKE $1 ESCAPE '\\' ORDER BY s LIMIT 10`, [like]);
    return r.rows.map((x) => x.s);
  });
}

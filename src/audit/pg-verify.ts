/**
 * Verification of the PostgreSQL sink: every session's chain, walked in (session, seq) order inside one
 * REPEATABLE READ READ ONLY transaction, so records and head rows come from one snapshot and writers appending
 * meanwhile can never make an intact chain look broken. Stops at the first broken link and names it. See
 * pg-store.ts for the chain and for what a database administrator can still hide.
 */
import type pg from 'pg';
import { GENESIS_HASH, mac, macEqual } from './chain.js';
import { acquirePool, headMac, keyId, type PgHead, type PgRow, pgRecordHash, readMeta, readSinkKey, redactUrl, releasePool, sinkError, sinkKeyPath } from './pg-store.js';
import type { VerifyProblemKind, VerifyReport } from './verify.js';

const BATCH = 5_000;

export interface PgVerifyOptions {
  sink: string;
  stateDir: string;
  keyFile?: string;
}

type Fail = (kind: VerifyProblemKind, message: string, at?: { id?: number; session?: string }) => VerifyReport;

const RECORD_COLUMNS = `id::text, seq::text, ts::text, session_id, tool_use_id, event, tool, input, decision, rule_id, reason, duration_ms,
  cwd, policy_hash, version, result, extra, prev_hash, hash, mac`;

type RawRow = Omit<PgRow, 'id' | 'seq' | 'ts'> & { id: string; seq: string; ts: string };

/** bigint columns arrive as text (exact); every value the chain uses fits a JS number. */
export function fromRaw(r: RawRow): PgRow {
  return { ...r, id: Number(r.id), seq: Number(r.seq), ts: Number(r.ts) };
}

export { RECORD_COLUMNS, type RawRow };

function describe(r: PgRow): string {
  const d = new Date(r.ts);
  const when = Number.isFinite(d.getTime()) ? d.toISOString() : String(r.ts);
  return `record ${r.id} (session ${r.session_id} #${r.seq}, ${[r.event, r.tool].filter(Boolean).join(' ')}, ${when})`;
}

const missing = (a: number, b: number, session: string): string =>
  a === b ? `record #${a} of session ${session} is` : `records #${a}–#${b} of session ${session} are`;

export async function verifyPgAudit(opts: PgVerifyOptions): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, path: redactUrl(opts.sink), records: 0, sessions: 0 };
  const fail: Fail = (kind, message, at) => {
    report.problem = { kind, message, ...(at?.id !== undefined ? { id: at.id } : {}), ...(at?.session !== undefined ? { session: at.session } : {}) };
    return report;
  };
  const keyPath = sinkKeyPath(opts.stateDir, opts.keyFile);
  let key: Buffer | undefined;
  try {
    key = readSinkKey(keyPath);
  } catch (err) {
    return fail('key', `${(err as Error).message}: records cannot be authenticated`);
  }
  const pool = acquirePool(opts.sink);
  try {
    let c: pg.PoolClient;
    try {
      c = await (await pool).connect();
    } catch (err) {
      return fail('unavailable', sinkError(opts.sink, err).message);
    }
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return await walk(c, key, keyPath, report, fail);
    } catch (err) {
      return fail('unavailable', sinkError(opts.sink, err).message);
    } finally {
      await c.query('ROLLBACK').catch(() => undefined);
      c.release();
    }
  } finally {
    await releasePool(opts.sink);
  }
}

interface SessionWalk {
  session: string;
  expected: number;
  prev: string;
  last?: PgRow;
}

async function walk(c: pg.ClientBase, key: Buffer | undefined, keyPath: string, report: VerifyReport, fail: Fail): Promise<VerifyReport> {
  const meta = await readMeta(c);
  if (!meta) {
    report.ok = true;
    return report;
  }
  const heads = new Map<string, PgHead>();
  const hr = await c.query<{ session_id: string; seq: string; id: string; hash: string; mac: string }>(
    'SELECT session_id, seq::text, id::text, hash, mac FROM audit_heads ORDER BY session_id',
  );
  for (const h of hr.rows) heads.set(h.session_id, { ...h, seq: Number(h.seq), id: Number(h.id) });
  const count = Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_records')).rows[0]?.n ?? 0);

  if (!key) {
    if (count > 0 || heads.size > 0) return fail('key', `${keyPath} is missing: the ${count} records in the sink cannot be authenticated; get the team's audit key file`);
    report.ok = true;
    return report;
  }
  const want = meta.get('key_id');
  if (want !== undefined && want !== keyId(key)) {
    return fail('key', `${keyPath} is not the key this sink was set up with (key id ${keyId(key)}, the sink's is ${want}): wrong key file, or audit_meta was edited`);
  }

  const finish = (s: SessionWalk): VerifyReport | undefined => {
    const head = heads.get(s.session);
    heads.delete(s.session);
    const last = s.last as PgRow;
    const at = { session: s.session };
    if (!head) return fail('head', `session ${s.session} has records up to #${last.seq} but no head row in audit_heads (removed to hide a truncation?)`, at);
    if (!macEqual(headMac(key, head), head.mac)) {
      return fail('head', `the head row of session ${s.session} fails authentication: it was forged or written with another key`, at);
    }
    if (head.seq > last.seq) {
      return fail(
        'truncated',
        `${missing(last.seq + 1, head.seq, s.session)} missing at the end (tail truncated): its head row says the chain reaches #${head.seq} (record ${head.id}), the table ends at #${last.seq}`,
        { id: head.id, session: s.session },
      );
    }
    if (head.seq < last.seq) {
      return fail('head', `the head row of session ${s.session} points at #${head.seq} but the chain goes on to #${last.seq} (head row put back from earlier?)`, at);
    }
    if (head.hash !== last.hash || head.id !== last.id) return fail('edited', `${describe(last)}: differs from its session's head row (rewritten)`, { id: last.id, session: s.session });
    return undefined;
  };

  let cur: SessionWalk | undefined;
  let after: [string, number] | undefined;
  for (;;) {
    const q = after
      ? c.query<RawRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records r WHERE (r.session_id, r.seq) > ($1, $2) ORDER BY r.session_id, r.seq LIMIT ${BATCH}`, after)
      : c.query<RawRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records r ORDER BY r.session_id, r.seq LIMIT ${BATCH}`);
    const rows = (await q).rows;
    for (const raw of rows) {
      const row = fromRaw(raw);
      if (!cur || row.session_id !== cur.session) {
        if (cur) {
          const broken = finish(cur);
          if (broken) return broken;
        }
        cur = { session: row.session_id, expected: 1, prev: GENESIS_HASH };
        report.sessions = (report.sessions ?? 0) + 1;
      }
      const at = { id: row.id, session: row.session_id };
      if (row.seq !== cur.expected) {
        const ctx = cur.last ? `${describe(row)} follows ${describe(cur.last)}` : `the chain of session ${row.session_id} starts at ${describe(row)}`;
        return fail('deleted', `${missing(cur.expected, row.seq - 1, row.session_id)} missing (deleted): ${ctx}`, at);
      }
      if (pgRecordHash(row) !== row.hash) return fail('edited', `${describe(row)}: content changed since it was written`, at);
      if (row.prev_hash !== cur.prev) {
        return fail('reordered', `${describe(row)}: does not follow #${row.seq - 1} of its session (records reordered, replaced or inserted)`, at);
      }
      if (!macEqual(mac(key, row.hash), row.mac)) {
        return fail('forged', `${describe(row)}: authentication code does not match (record forged or rewritten without the key)`, at);
      }
      report.records++;
      report.firstId = Math.min(report.firstId ?? row.id, row.id);
      report.lastId = Math.max(report.lastId ?? row.id, row.id);
      cur.prev = row.hash;
      cur.last = row;
      cur.expected = row.seq + 1;
    }
    if (rows.length < BATCH) break;
    const tail = rows[rows.length - 1] as RawRow;
    after = [tail.session_id, Number(tail.seq)];
  }
  if (cur) {
    const broken = finish(cur);
    if (broken) return broken;
  }
  for (const head of heads.values()) {
    if (!macEqual(headMac(key, head), head.mac)) {
      return fail('head', `the head row of session ${head.session_id} fails authentication: it was forged or written with another key`, { session: head.session_id });
    }
    return fail(
      'truncated',
      `${missing(1, head.seq, head.session_id)} missing (deleted): its head row says the chain reaches #${head.seq} (record ${head.id}), the table has none`,
      { id: head.id, session: head.session_id },
    );
  }
  report.ok = true;
  return report;
}

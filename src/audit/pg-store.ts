/**
 * The shared PostgreSQL audit sink (`audit.sink: postgres://…` in the user policy): hook processes on many machines
 * append to one log.
 *
 * Records: the same columns as the SQLite store, produced by the same normalisation (redaction first), plus `seq`,
 * the record's position in its session. There is one chain per session:
 *
 *   hash = SHA-256 over ['cordon-audit-pg-v1', id, seq, <the SQLite store's fields>, prev_hash]
 *   mac  = HMAC-SHA-256(key, hash)
 *   audit_heads(session_id, seq, id, hash, mac) = the session's newest record, mac over ['head', session, seq, id, hash]
 *
 * An append is one transaction: `pg_advisory_xact_lock(hashtext(session_id))` serialises the session's writers
 * across machines, then the tail is read (in a later statement, so its snapshot postdates the lock), the record is
 * inserted and the head row replaced; both commit together. Sessions do not wait for one another. `id` is global
 * (a sequence, taken under the lock, so it grows along each session's chain) and orders the log for review.
 *
 * The key. Every machine must MAC with the same key, or no one can verify the whole log. It is a file,
 * `<state dir>/audit-sink.key` (32 random bytes, stored as 64 hex characters), which the team distributes out of
 * band like any other shared secret. The first writer ever to reach an empty sink creates it when absent and
 * registers its key id (an HMAC of a constant, which reveals nothing about the key) in `audit_meta`; from then on a
 * machine without the key, or with another key, is refused ("audit store unavailable") instead of writing records
 * nobody could verify. Anyone holding the key can mint records, so it is as sensitive as the database password.
 *
 * What verify can and cannot see (all in pg-verify.ts). Detected: an edited column, a record deleted from the
 * middle of a session (seq gap), records reordered or moved between sessions, records inserted without the key, a
 * session's tail cut off while its head row stays, a head row removed or forged. Not detected, because it is
 * indistinguishable from a consistent older database: deleting a whole session (its records and its head row),
 * or cutting a session's tail and putting back a head row copied earlier (the MAC'd head and its record count are
 * the only anchor kept, and they live in the same database). Someone with write access to the database can
 * therefore hide the newest records of a session or whole sessions, but cannot alter, reorder or forge what stays.
 * Keep database backups or replicas the writers' role cannot touch if that matters.
 */
import { createKeyFileOnce, readKeyFile } from '../keyfile.js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { AuditRecordInput, AuditStore } from './index.js';
import { GENESIS_HASH, mac } from './chain.js';
import { AuditUnavailableError, normaliseRecord, type RecordColumns } from './store.js';

export const PG_SCHEMA_VERSION = 1;
export const SINK_KEY_FILE = 'audit-sink.key';
const CONNECT_TIMEOUT_MS = 2_000;
const STATEMENT_TIMEOUT_MS = 10_000;

/** A stored PostgreSQL record: the SQLite columns plus the session position. */
export interface PgRow extends RecordColumns {
  id: number;
  seq: number;
  prev_hash: string;
  hash: string;
  mac: string;
}

export interface PgHead {
  session_id: string;
  seq: number;
  id: number;
  hash: string;
  mac: string;
}

export function pgRecordHash(r: Omit<PgRow, 'hash' | 'mac'>): string {
  const fields = ['cordon-audit-pg-v1', r.id, r.seq, r.ts, r.session_id, r.tool_use_id, r.event, r.tool, r.input, r.decision,
    r.rule_id, r.reason, r.duration_ms, r.cwd, r.policy_hash, r.version, r.result, r.extra, r.prev_hash];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

export const headMac = (key: Buffer, h: Omit<PgHead, 'mac'>): string => mac(key, JSON.stringify(['head', h.session_id, h.seq, h.id, h.hash]));
export const keyId = (key: Buffer): string => mac(key, 'cordon-audit-key-id').slice(0, 16);

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS audit_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS audit_records_id_seq;
CREATE TABLE IF NOT EXISTS audit_records (
  id bigint PRIMARY KEY,
  seq bigint NOT NULL,
  ts bigint NOT NULL,
  session_id text NOT NULL,
  tool_use_id text,
  event text NOT NULL,
  tool text,
  input text,
  decision text,
  rule_id text,
  reason text,
  duration_ms double precision,
  cwd text,
  policy_hash text,
  version text,
  result text,
  extra text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  mac text NOT NULL,
  UNIQUE (session_id, seq)
);
CREATE INDEX IF NOT EXISTS audit_records_ts ON audit_records (ts);
CREATE TABLE IF NOT EXISTS audit_heads (
  session_id text PRIMARY KEY,
  seq bigint NOT NULL,
  id bigint NOT NULL,
  hash text NOT NULL,
  mac text NOT NULL
);`;

/** The URL with its password (in the authority or the query) removed: safe to print and to store. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|key$/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Removes every spelling of the URL's password from a message (drivers sometimes echo connection strings). */
function scrub(message: string, url: string): string {
  let pw = '';
  try {
    pw = decodeURIComponent(new URL(url).password);
  } catch {
    pw = /\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1] ?? '';
  }
  let out = message.split(url).join(redactUrl(url));
  for (const p of new Set([pw, encodeURIComponent(pw)])) if (p.length >= 1) out = out.split(p).join('***');
  return out.replace(/\s+/g, ' ').trim();
}

/** "audit store unavailable: postgres://user@host/db: <why>", never with the password. */
export function sinkError(url: string, err: unknown): AuditUnavailableError {
  if (err instanceof AuditUnavailableError) return err;
  const e = err as { message?: string; code?: string };
  const why = e?.message || e?.code || String(err) || 'connection failed';
  return new AuditUnavailableError(redactUrl(url), new Error(scrub(why, url)));
}

export function sinkKeyPath(stateDir: string, keyFile?: string): string {
  return keyFile ?? join(stateDir, SINK_KEY_FILE);
}

/** The shared key (32 raw bytes or 64 hex characters); undefined when the file is missing. */
export function readSinkKey(path: string): Buffer | undefined {
  const buf = readKeyFile(path);
  if (!buf) return undefined;
  const text = buf.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (buf.length === 32) return buf;
  throw new Error(`${path}: not an audit key (expected 64 hex characters)`);
}

/** Creates the key file unless one exists (link() refuses to replace, so racing processes agree). */
function createSinkKey(path: string): { key: Buffer; created: boolean } {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created = createKeyFileOnce(path, randomBytes(32).toString('hex') + '\n');
  const key = readSinkKey(path);
  if (!key) throw new Error(`${path}: audit key could not be created`);
  return { key, created };
}

// One pool per process and URL, shared by every store and reader in the process. `pg` is loaded on first use:
// it costs tens of milliseconds, which every hook call on the SQLite store would otherwise pay.
const pools = new Map<string, { pool: Promise<pg.Pool>; refs: number }>();

export function acquirePool(url: string): Promise<pg.Pool> {
  let p = pools.get(url);
  if (!p) {
    const pool = import('pg').then(({ default: driver }) => {
      const made = new driver.Pool({
        connectionString: url,
        max: 2,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: 10_000,
        allowExitOnIdle: true,
        statement_timeout: STATEMENT_TIMEOUT_MS,
        query_timeout: STATEMENT_TIMEOUT_MS + 2_000,
        application_name: 'cordon',
      });
      // An idle connection dropped by the server must not crash the process; the next checkout reconnects.
      made.on('error', () => undefined);
      return made;
    });
    pool.catch(() => undefined);
    p = { pool, refs: 0 };
    pools.set(url, p);
  }
  p.refs++;
  return p.pool;
}

export async function releasePool(url: string): Promise<void> {
  const p = pools.get(url);
  if (!p || --p.refs > 0) return;
  pools.delete(url);
  const pool = await p.pool.catch(() => undefined);
  await pool?.end().catch(() => undefined);
}

/** The rows of audit_meta, or undefined when the tables do not exist yet. */
export async function readMeta(c: pg.ClientBase): Promise<Map<string, string> | undefined> {
  const exists = await c.query<{ t: string | null }>(`SELECT to_regclass('audit_meta')::text AS t`);
  if (!exists.rows[0]?.t) return undefined;
  const r = await c.query<{ key: string; value: string }>('SELECT key, value FROM audit_meta');
  return new Map(r.rows.map((x) => [x.key, x.value]));
}

/** Replaces what PostgreSQL text cannot hold (NUL, lone surrogates) so the stored text is exactly what was hashed. */
function clean<T extends string | null>(s: T): T {
  if (s === null) return s;
  return s.replace(/\u0000/g, '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') as T;
}

const TAIL_SQL = `
SELECT nextval('audit_records_id_seq')::text AS next, h.seq::text AS h_seq, h.hash AS h_hash, r.seq::text AS r_seq, r.hash AS r_hash
FROM (SELECT 1) AS one
LEFT JOIN audit_heads h ON h.session_id = $1
LEFT JOIN LATERAL (SELECT seq, hash FROM audit_records WHERE session_id = $1 ORDER BY seq DESC LIMIT 1) r ON true`;

const INSERT_SQL = `
WITH ins AS (
  INSERT INTO audit_records (id, seq, ts, session_id, tool_use_id, event, tool, input, decision, rule_id, reason, duration_ms,
    cwd, policy_hash, version, result, extra, prev_hash, hash, mac)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20))
INSERT INTO audit_heads (session_id, seq, id, hash, mac) VALUES ($4, $2, $1, $19, $21)
ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, id = excluded.id, hash = excluded.hash, mac = excluded.mac`;

export interface PgStoreOptions {
  url: string;
  stateDir: string;
  /** The shared key file; defaults to <stateDir>/audit-sink.key. */
  keyFile?: string;
}

export class PgAuditStore implements AuditStore {
  readonly url: string;
  readonly keyPath: string;
  private readonly pool: Promise<pg.Pool>;
  private key: Buffer | undefined;
  private ready: Promise<Buffer> | undefined;
  private closed = false;

  /** Synchronous and offline: the first append connects, so a sink that is down fails that append, not the open. */
  constructor(opts: PgStoreOptions) {
    this.url = opts.url;
    this.keyPath = sinkKeyPath(opts.stateDir, opts.keyFile);
    this.pool = acquirePool(opts.url);
  }

  /** Creates the tables on first use (under a lock: concurrent CREATE IF NOT EXISTS can collide) and checks the key. */
  private async prepare(): Promise<Buffer> {
    const c = await (await this.pool).connect();
    let broken = false;
    try {
      let meta = await readMeta(c);
      let key = readSinkKey(this.keyPath);
      let created = false;
      if (!meta?.get('key_id')) {
        if (!key) ({ key, created } = createSinkKey(this.keyPath));
        await c.query('BEGIN');
        try {
          await c.query(`SELECT pg_advisory_xact_lock(hashtext('cordon.audit'), 0)`);
          await c.query(SCHEMA_SQL);
          await c.query(`INSERT INTO audit_meta (key, value) VALUES ('schema_version', $1), ('key_id', $2) ON CONFLICT (key) DO NOTHING`, [
            String(PG_SCHEMA_VERSION),
            keyId(key),
          ]);
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        meta = await readMeta(c);
      }
      const version = Number(meta?.get('schema_version'));
      if (version > PG_SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this cordon supports (${PG_SCHEMA_VERSION}); upgrade cordon`);
      const want = meta?.get('key_id') ?? '';
      if (!key) throw new Error(`no shared audit key at ${this.keyPath}; copy the team's key file there (the sink's key id is ${want})`);
      if (keyId(key) !== want) {
        if (created) unlinkSync(this.keyPath);
        throw new Error(`${this.keyPath} is not the key this sink's records are MAC'd with (key id ${keyId(key)}, the sink's is ${want}); copy the team's key file there`);
      }
      return key;
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async append(rec: AuditRecordInput): Promise<{ id: number }> {
    const cols = normaliseRecord(rec);
    const row: RecordColumns = {
      ...cols,
      session_id: clean(cols.session_id),
      tool_use_id: clean(cols.tool_use_id),
      event: clean(cols.event),
      tool: clean(cols.tool),
      decision: clean(cols.decision),
      rule_id: clean(cols.rule_id),
      reason: clean(cols.reason),
      cwd: clean(cols.cwd),
      policy_hash: clean(cols.policy_hash),
      version: clean(cols.version),
    };
    try {
      if (this.closed) throw new Error('the store is closed');
      if (!this.key) {
        this.ready ??= this.prepare();
        try {
          this.key = await this.ready;
        } finally {
          this.ready = undefined;
        }
      }
      return { id: await this.insert(this.key, row) };
    } catch (err) {
      throw sinkError(this.url, err);
    }
  }

  private async insert(key: Buffer, row: RecordColumns): Promise<number> {
    const c = await (await this.pool).connect();
    let failed: unknown;
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [row.session_id]);
      const t = (await c.query<{ next: string; h_seq: string | null; h_hash: string | null; r_seq: string | null; r_hash: string | null }>(TAIL_SQL, [row.session_id])).rows[0];
      if (!t) throw new Error('the tail query returned nothing');
      // The head row wins unless records go past it: after a tail truncation the gap stays visible to verify,
      // and a head put back from earlier cannot make the session unwritable.
      const hSeq = t.h_seq === null ? 0 : Number(t.h_seq);
      const rSeq = t.r_seq === null ? 0 : Number(t.r_seq);
      const [lastSeq, prev_hash] = hSeq >= rSeq && t.h_hash !== null ? [hSeq, t.h_hash] : [rSeq, t.r_hash ?? GENESIS_HASH];
      const id = Number(t.next);
      const seq = lastSeq + 1;
      const hash = pgRecordHash({ ...row, id, seq, prev_hash });
      const head = headMac(key, { session_id: row.session_id, seq, id, hash });
      await c.query(INSERT_SQL, [id, seq, row.ts, row.session_id, row.tool_use_id, row.event, row.tool, row.input, row.decision, row.rule_id,
        row.reason, row.duration_ms, row.cwd, row.policy_hash, row.version, row.result, row.extra, prev_hash, hash, mac(key, hash), head]);
      await c.query('COMMIT');
      return id;
    } catch (err) {
      failed = err;
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A connection that failed mid-transaction is not trusted again.
      c.release(failed !== undefined);
    }
  }

  /** Releases this store's share of the pool without waiting (the hook's close is synchronous). */
  close(): void {
    void this.end();
  }

  /** Like close(), resolving once the pool's connections are closed (when this was the last user). */
  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return releasePool(this.url);
  }
}

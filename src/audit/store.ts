/**
 * The SQLite audit store: one hash-chained, MAC'd table of records under the state dir.
 *
 * Many hook processes write at once, so every append is one `BEGIN IMMEDIATE` transaction: it takes the write lock
 * before reading the chain's tail, which serialises writers across processes and keeps the chain linear. The head
 * anchor file is replaced inside that transaction, before commit, so it never lags a committed record.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { redactValue, redactText } from '../redact/index.js';
import type { AuditRecordInput, AuditStore } from './index.js';
import {
  DB_FILE,
  GENESIS_HASH,
  type Anchor,
  type StoredRow,
  loadOrCreateKey,
  mac,
  makeAnchor,
  parseAnchor,
  recordHash,
  restrict,
  writeHead,
} from './chain.js';

export const SCHEMA_VERSION = 1;
/** Longest string kept in a stored JSON value; a whole file written by a tool is not audit material. */
const MAX_STRING = 64 * 1024;
const BUSY_TIMEOUT_MS = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  tool_use_id TEXT,
  event TEXT NOT NULL,
  tool TEXT,
  input TEXT,
  decision TEXT,
  rule_id TEXT,
  reason TEXT,
  duration_ms REAL,
  cwd TEXT,
  policy_hash TEXT,
  version TEXT,
  result TEXT,
  extra TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  mac TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_session ON records(session_id, id);
CREATE INDEX IF NOT EXISTS records_ts ON records(ts);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '${SCHEMA_VERSION}');
`;

/** Thrown when the store cannot be opened or written; the hook layer turns it into a refusal. */
export class AuditUnavailableError extends Error {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(`audit store unavailable: ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AuditUnavailableError';
    this.path = path;
  }
}

export interface OpenDbOptions {
  stateDir: string;
  /** Open without creating anything (verify, read-only review). */
  readOnly?: boolean;
}

/** Opens (creating when allowed) the database with the pragmas every connection needs. */
export function openDb(opts: OpenDbOptions): Database.Database {
  const path = join(opts.stateDir, DB_FILE);
  let db: Database.Database | undefined;
  try {
    if (!opts.readOnly) {
      mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
      // Create the file ourselves so it is 0600 from the start; SQLite gives -wal and -shm the same mode.
      closeSync(openSync(path, 'a', 0o600));
      restrict(path);
    } else if (!existsSync(path)) {
      throw new Error('no audit database');
    }
    db = new Database(path, { fileMustExist: true });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (!opts.readOnly) db.transaction(() => db!.exec(SCHEMA)).immediate();
    // A reader can meet a file whose first writer has not created the schema yet: that is an empty store.
    else if (!hasSchema(db)) return db;
    const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
    const version = Number(row?.value ?? NaN);
    if (!Number.isInteger(version)) throw new Error('schema version missing');
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this cordon supports (${SCHEMA_VERSION}); upgrade cordon`);
    }
    restrict(`${path}-wal`);
    restrict(`${path}-shm`);
    return db;
  } catch (err) {
    db?.close();
    throw new AuditUnavailableError(path, err);
  }
}

export function hasSchema(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'`).get() !== undefined;
}

export function readMetaAnchor(db: Database.Database): Anchor | undefined {
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'anchor'`).get() as { value: string } | undefined;
  return row ? parseAnchor(row.value) : undefined;
}

function json(v: unknown): string | null {
  if (v === undefined) return null;
  const s = JSON.stringify(capStrings(redactValue(v)));
  return s === undefined ? null : s;
}

function capStrings(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…[truncated ${v.length - MAX_STRING} chars]` : v;
  if (Array.isArray(v)) return v.map(capStrings);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, capStrings(x)]));
  }
  return v;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : v === undefined || v === null ? null : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The stored columns of a record (redacted, capped, typed), shared by every backend so they store the same content. */
export type RecordColumns = Omit<StoredRow, 'id' | 'prev_hash' | 'hash' | 'mac'>;

export function normaliseRecord(rec: AuditRecordInput): RecordColumns {
  return {
    ts: Math.trunc(num(rec.ts) ?? Date.now()),
    session_id: redactText(String(rec.sessionId ?? '')),
    tool_use_id: str(rec.toolUseId),
    event: String(rec.event),
    tool: str(rec.tool),
    input: json(rec.input),
    decision: str(rec.decision),
    rule_id: str(rec.ruleId),
    reason: rec.reason === undefined ? null : redactText(String(rec.reason)),
    duration_ms: num(rec.durationMs),
    cwd: str(rec.cwd),
    policy_hash: str(rec.policyHash),
    version: str(rec.version),
    result: json(rec.result),
    extra: json(rec.extra),
  };
}

/** WAL pages past which SQLite's own automatic checkpoint would run (its default). */
const CHECKPOINT_PAGES = 1000;

export interface SqliteStoreOptions {
  /**
   * For a long-lived writer (the daemon): no checkpoint inside an append. SQLite's automatic checkpoint copies the
   * WAL back into the database in the commit that crosses 1000 pages, which made one hook call in ~300 about 10 ms
   * slower (measured); the owner calls checkpointIfDue() when no hook is waiting instead.
   */
  deferCheckpoints?: boolean;
}

export class SqliteAuditStore implements AuditStore {
  readonly stateDir: string;
  readonly db: Database.Database;
  private readonly deferred: boolean;
  /** Appends since this store's last checkpoint, and the WAL frames one append costs (as last measured). */
  private appendsSince = 0;
  private framesPerAppend = 4;
  private readonly key: Buffer;
  private readonly insert: Database.Statement;
  private readonly tail: Database.Statement;
  private readonly appendTx: (row: Omit<StoredRow, 'id' | 'prev_hash' | 'hash' | 'mac'>) => number;

  constructor(stateDir: string, opts: SqliteStoreOptions = {}) {
    this.stateDir = stateDir;
    this.db = openDb({ stateDir });
    this.deferred = opts.deferCheckpoints === true;
    if (this.deferred) this.db.pragma('wal_autocheckpoint = 0');
    try {
      this.key = loadOrCreateKey(stateDir);
    } catch (err) {
      this.db.close();
      throw new AuditUnavailableError(join(stateDir, 'audit.key'), err);
    }
    this.insert = this.db.prepare(
      `INSERT INTO records (id, ts, session_id, tool_use_id, event, tool, input, decision, rule_id, reason, duration_ms,
         cwd, policy_hash, version, result, extra, prev_hash, hash, mac)
       VALUES (@id, @ts, @session_id, @tool_use_id, @event, @tool, @input, @decision, @rule_id, @reason, @duration_ms,
         @cwd, @policy_hash, @version, @result, @extra, @prev_hash, @hash, @mac)`,
    );
    this.tail = this.db.prepare(`SELECT id, hash FROM records ORDER BY id DESC LIMIT 1`);
    const tx = this.db.transaction((row: Omit<StoredRow, 'id' | 'prev_hash' | 'hash' | 'mac'>): number => {
      const last = (this.tail.get() as { id: number; hash: string } | undefined) ?? readMetaAnchor(this.db);
      const id = (last?.id ?? 0) + 1;
      const prev_hash = last?.hash ?? GENESIS_HASH;
      const hash = recordHash({ ...row, id, prev_hash });
      this.insert.run({ ...row, id, prev_hash, hash, mac: mac(this.key, hash) });
      writeHead(this.stateDir, makeAnchor(this.key, 'head', id, hash));
      return id;
    });
    this.appendTx = (row) => tx.immediate(row);
  }

  append(rec: AuditRecordInput): { id: number } {
    const row = normaliseRecord(rec);
    try {
      const id = this.appendTx(row);
      this.appendsSince++;
      return { id };
    } catch (err) {
      throw new AuditUnavailableError(join(this.stateDir, DB_FILE), err);
    }
  }

  /**
   * With deferred checkpoints: copies the WAL back into the database once it holds more than `pages` pages (by
   * default what SQLite's automatic checkpoint allows). PASSIVE: never waits for, nor blocks, other writers.
   */
  checkpointIfDue(pages = CHECKPOINT_PAGES): void {
    if (!this.deferred || !this.db.open || this.appendsSince * this.framesPerAppend <= pages) return;
    // [busy, frames in the WAL, frames checkpointed]: the WAL's length, which other writers add to as well, tells
    // how many frames an append of this store costs.
    const r = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    const log = r[0]?.log ?? 0;
    if (log > 0) this.framesPerAppend = Math.max(1, Math.min(64, log / this.appendsSince));
    this.appendsSince = 0;
  }

  /** Key for callers in this module (verify, prune) that already opened the store. */
  macKey(): Buffer {
    return this.key;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

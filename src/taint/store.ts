/**
 * Session taint, persisted under the state dir so that every hook process of a session sees it.
 *
 *   <stateDir>/taint.db            SQLite (WAL): provenance entries per session, hosts WebFetch visited
 *   <stateDir>/taint.d/<digest>    empty marker file per tainted session
 *
 * The marker exists so that the common case — a session that never read anything suspicious — costs one stat and
 * no database open. It is created and removed inside the database's write transaction, so a committed entry
 * always has its marker: a writer creates it before committing, and `clearTaint` removes it while holding the
 * write lock, so a concurrent `recordTaint` that commits later recreates it.
 *
 * Entries hold provenance only (tool, URL or path, time, detector finding ids and score), never the content.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Trust } from '../inject/detect.js';

export const TAINT_DB = 'taint.db';
export const MARKER_DIR = 'taint.d';
const BUSY_TIMEOUT_MS = 10_000;
/** Entries kept per session; the oldest go first (provenance of the first taint is kept apart, see below). */
const MAX_ENTRIES = 200;

export interface TaintEntry {
  /** Milliseconds since the epoch. */
  ts: number;
  /** Tool whose result tainted the session (`WebFetch`, `Bash`, `mcp__x__y`), or `UserPromptSubmit`. */
  tool: string;
  /** URL without query, file path, or the fetching command; never the content. */
  source: string;
  trust: Trust;
  /**
   * detection: the detector fired; untrusted: strict mode taints on any untrusted ingestion; prompt: typed text;
   * secret-leak: a tool result showed credential material, which later egress could carry out.
   */
  kind: 'detection' | 'untrusted' | 'prompt' | 'secret-leak';
  score: number;
  /** Detector finding ids (`override.ignore-previous`), distinct. */
  findings: string[];
  toolUseId?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS taint (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  tool TEXT NOT NULL,
  source TEXT NOT NULL,
  trust TEXT NOT NULL,
  kind TEXT NOT NULL,
  score REAL NOT NULL,
  findings TEXT NOT NULL,
  tool_use_id TEXT
);
CREATE INDEX IF NOT EXISTS taint_session ON taint(session_id, id);
CREATE TABLE IF NOT EXISTS hosts (
  session_id TEXT NOT NULL,
  host TEXT NOT NULL,
  url TEXT NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY (session_id, url)
);
`;

/** Connections stay open for the life of the process (the daemon reuses them across calls). */
const dbs = new Map<string, Database.Database>();

function open(stateDir: string, create: boolean): Database.Database | undefined {
  const hit = dbs.get(stateDir);
  if (hit) return hit;
  const path = join(stateDir, TAINT_DB);
  if (!create && !existsSync(path)) return undefined;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Readers skip the schema transaction (it takes the write lock) once the tables exist.
    const ready = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hosts'`).get() !== undefined;
    if (!ready) db.transaction(() => db.exec(SCHEMA)).immediate();
  } catch (err) {
    db.close();
    throw err;
  }
  dbs.set(stateDir, db);
  return db;
}

/** Closes the cached connections (tests, daemon shutdown). */
export function closeTaintStores(): void {
  for (const db of dbs.values()) db.close();
  dbs.clear();
}

/** Plain ids (Claude Code uses UUIDs) name the marker directly; anything else is hashed into a safe name. */
export function markerPath(stateDir: string, sessionId: string): string {
  const name = /^[A-Za-z0-9_-]{1,128}$/.test(sessionId) ? sessionId : `%${createHash('sha256').update(sessionId).digest('hex').slice(0, 40)}`;
  return join(stateDir, MARKER_DIR, name);
}

function touchMarker(stateDir: string, sessionId: string): void {
  mkdirSync(join(stateDir, MARKER_DIR), { recursive: true, mode: 0o700 });
  closeSync(openSync(markerPath(stateDir, sessionId), 'a', 0o600));
}

/** Adds one provenance entry; the session is tainted from now on until a human clears it. */
export function recordTaint(stateDir: string, sessionId: string, entry: TaintEntry): void {
  const db = open(stateDir, true)!;
  touchMarker(stateDir, sessionId);
  const findings = JSON.stringify([...new Set(entry.findings)].slice(0, 20));
  db.transaction(() => {
    db.prepare(
      `INSERT INTO taint(session_id, ts, tool, source, trust, kind, score, findings, tool_use_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(sessionId, entry.ts, entry.tool, entry.source.slice(0, 500), entry.trust, entry.kind, entry.score, findings, entry.toolUseId ?? null);
    // Keep the first entry (how the taint began) and the newest ones.
    db.prepare(
      `DELETE FROM taint WHERE session_id = ? AND id NOT IN (SELECT id FROM taint WHERE session_id = ? ORDER BY id DESC LIMIT ?)
         AND id <> (SELECT MIN(id) FROM taint WHERE session_id = ?)`,
    ).run(sessionId, sessionId, MAX_ENTRIES - 1, sessionId);
    // A concurrent clear may have removed the marker before this transaction took the lock.
    touchMarker(stateDir, sessionId);
  }).immediate();
}

/** Provenance entries of a session, oldest first; empty for a clean session (one stat, no database open). */
export function sessionTaint(stateDir: string, sessionId: string): TaintEntry[] {
  if (!existsSync(markerPath(stateDir, sessionId))) return [];
  const db = open(stateDir, false);
  if (!db) return [];
  const rows = db
    .prepare(`SELECT ts, tool, source, trust, kind, score, findings, tool_use_id FROM taint WHERE session_id = ? ORDER BY id`)
    .all(sessionId) as Row[];
  return rows.map(fromRow);
}

interface Row {
  ts: number;
  tool: string;
  source: string;
  trust: string;
  kind: string;
  score: number;
  findings: string;
  tool_use_id: string | null;
}

function fromRow(r: Row): TaintEntry {
  let findings: string[] = [];
  try {
    const v: unknown = JSON.parse(r.findings);
    if (Array.isArray(v)) findings = v.filter((x): x is string => typeof x === 'string');
  } catch {
    // A damaged row still taints; it just names no findings.
  }
  return {
    ts: r.ts,
    tool: r.tool,
    source: r.source,
    trust: r.trust as Trust,
    kind: r.kind as TaintEntry['kind'],
    score: r.score,
    findings,
    ...(r.tool_use_id ? { toolUseId: r.tool_use_id } : {}),
  };
}

/** Removes a session's taint and visited hosts. Returns the number of entries removed. */
export function clearTaint(stateDir: string, sessionId: string): number {
  const db = open(stateDir, false);
  if (!db) {
    rmSync(markerPath(stateDir, sessionId), { force: true });
    return 0;
  }
  return db.transaction(() => {
    const n = db.prepare(`DELETE FROM taint WHERE session_id = ?`).run(sessionId).changes;
    db.prepare(`DELETE FROM hosts WHERE session_id = ?`).run(sessionId);
    rmSync(markerPath(stateDir, sessionId), { force: true });
    return n;
  }).immediate();
}

export interface TaintedSession {
  sessionId: string;
  entries: number;
  first: number;
  last: number;
}

/** Every tainted session, most recent first. */
export function listTainted(stateDir: string): TaintedSession[] {
  const db = open(stateDir, false);
  if (!db) return [];
  const rows = db
    .prepare(`SELECT session_id, COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM taint GROUP BY session_id ORDER BY last DESC`)
    .all() as { session_id: string; n: number; first: number; last: number }[];
  return rows.map((r) => ({ sessionId: r.session_id, entries: r.n, first: r.first, last: r.last }));
}

/** Remembers that WebFetch reached this URL in the session (recorded whether or not the session is tainted). */
export function recordVisit(stateDir: string, sessionId: string, url: string, ts = Date.now()): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return;
  }
  const db = open(stateDir, true)!;
  db.prepare(`INSERT OR IGNORE INTO hosts(session_id, host, url, ts) VALUES (?, ?, ?, ?)`).run(sessionId, u.hostname.toLowerCase(), normaliseUrl(u), ts);
}

export interface Visits {
  hosts: Set<string>;
  urls: Set<string>;
}

export function sessionVisits(stateDir: string, sessionId: string): Visits {
  const out: Visits = { hosts: new Set(), urls: new Set() };
  const db = open(stateDir, false);
  if (!db) return out;
  for (const r of db.prepare(`SELECT host, url FROM hosts WHERE session_id = ?`).all(sessionId) as { host: string; url: string }[]) {
    out.hosts.add(r.host);
    out.urls.add(r.url);
  }
  return out;
}

export function normaliseUrl(u: URL): string {
  return `${u.protocol}//${u.host.toLowerCase()}${u.pathname}${u.search}`;
}

/** Age of the marker dir, for `cordon doctor`-style checks; undefined when no session was ever tainted. */
export function markerCount(stateDir: string): number {
  try {
    if (!statSync(join(stateDir, MARKER_DIR)).isDirectory()) return 0;
    return readdirSync(join(stateDir, MARKER_DIR)).length;
  } catch {
    return 0;
  }
}

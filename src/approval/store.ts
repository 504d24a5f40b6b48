/**
 * Pending and approved one-time approvals, in SQLite in the state dir (`approvals.db`, mode 0600).
 *
 * Life of a code: the hook denies a call headless and records it `pending` (expires after `ttlMs`); a human runs
 * `cordon approve CODE`, which marks it `approved` with a fresh expiry; the next identical call in the same
 * directory consumes it (`consumed`) in one conditional UPDATE, so two hook processes racing for the same
 * approval cannot both win. A consumed code that is denied again goes back to `pending`.
 */
import { redactText } from '../redact/index.js';
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { approvalCodeWithKey, approvalKey, canonicalInput, inputDigest, normaliseCode, type CallIdentity } from './code.js';

export const APPROVALS_DB = 'approvals.db';
export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;
const PREVIEW_CHARS = 2000;

export type ApprovalStatus = 'pending' | 'approved' | 'consumed';

/** What the audit trail keeps about an approval. */
export interface ApprovalFacts {
  code: string;
  cwd: string;
  tool: string;
  /** sha256 of the canonical tool input. */
  inputSha256: string;
  /** Start of the canonical tool input, for humans. */
  inputPreview: string;
  status: ApprovalStatus;
  ruleId?: string;
  reason?: string;
  sessionId?: string;
  createdAt: number;
  expiresAt: number;
  approvedAt?: number;
  approvedBy?: string;
  consumedAt?: number;
  consumedSessionId?: string;
}

interface Row {
  code: string;
  cwd: string;
  tool: string;
  input_sha: string;
  input_preview: string;
  status: ApprovalStatus;
  rule_id: string | null;
  reason: string | null;
  session_id: string | null;
  created_at: number;
  expires_at: number;
  approved_at: number | null;
  approved_by: string | null;
  consumed_at: number | null;
  consumed_session: string | null;
}

function facts(r: Row): ApprovalFacts {
  const f: ApprovalFacts = {
    code: r.code,
    cwd: r.cwd,
    tool: r.tool,
    inputSha256: r.input_sha,
    inputPreview: r.input_preview,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
  if (r.rule_id !== null) f.ruleId = r.rule_id;
  if (r.reason !== null) f.reason = r.reason;
  if (r.session_id !== null) f.sessionId = r.session_id;
  if (r.approved_at !== null) f.approvedAt = r.approved_at;
  if (r.approved_by !== null) f.approvedBy = r.approved_by;
  if (r.consumed_at !== null) f.consumedAt = r.consumed_at;
  if (r.consumed_session !== null) f.consumedSessionId = r.consumed_session;
  return f;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS approvals (
  code TEXT PRIMARY KEY,
  cwd TEXT NOT NULL,
  tool TEXT NOT NULL,
  input_sha TEXT NOT NULL,
  input_preview TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'consumed')),
  rule_id TEXT,
  reason TEXT,
  session_id TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  approved_at INTEGER,
  approved_by TEXT,
  consumed_at INTEGER,
  consumed_session TEXT
) STRICT;
`;

export function openApprovals(stateDir: string): Database.Database {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, APPROVALS_DB);
  const db = new Database(file);
  try {
    chmodSync(file, 0o600);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * The approvals database kept open between calls by a long-lived process (the daemon), rather than opened,
 * set up and closed for every refused call. The file is checked on every use: a database that was removed or
 * replaced is opened afresh, so a connection never goes on writing to a file nobody reads.
 */
export class ApprovalsDb {
  private conns = new Map<string, { db: Database.Database; dev: number; ino: number }>();

  use<T>(stateDir: string, fn: (db: Database.Database) => T): T {
    const file = join(stateDir, APPROVALS_DB);
    let c = this.conns.get(file);
    if (c) {
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st || st.ino !== c.ino || st.dev !== c.dev || !c.db.open) {
        this.drop(file);
        c = undefined;
      }
    }
    if (!c) {
      const db = openApprovals(stateDir);
      try {
        const st = statSync(file);
        c = { db, dev: st.dev, ino: st.ino };
      } catch (err) {
        db.close();
        throw err;
      }
      if (this.conns.size >= 16) this.close();
      this.conns.set(file, c);
    }
    try {
      return fn(c.db);
    } catch (err) {
      // Whatever went wrong, the next call starts from a fresh connection.
      this.drop(file);
      throw err;
    }
  }

  private drop(file: string): void {
    const c = this.conns.get(file);
    this.conns.delete(file);
    try {
      c?.db.close();
    } catch {
      // Already broken; nothing to release.
    }
  }

  close(): void {
    for (const file of [...this.conns.keys()]) this.drop(file);
  }
}

function withDb<T>(stateDir: string, fn: (db: Database.Database) => T, conns?: ApprovalsDb): T {
  if (conns) return conns.use(stateDir, fn);
  const db = openApprovals(stateDir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function ms(now: Date | number | undefined): number {
  return now === undefined ? Date.now() : typeof now === 'number' ? now : now.getTime();
}

export interface PendingInput extends CallIdentity {
  stateDir: string;
  sessionId?: string;
  ruleId?: string;
  reason?: string;
  now?: Date | number;
  ttlMs?: number;
}

/**
 * Records a denied call as pending and returns its code. A code already approved and unexpired is left as it is
 * (the hook consumes before it denies, so that only happens under a race); anything else restarts as pending.
 */
export function recordPendingApproval(p: PendingInput, conns?: ApprovalsDb): ApprovalFacts {
  const code = approvalCodeWithKey(approvalKey(p.stateDir), p);
  const now = ms(p.now);
  const ttl = p.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
  return withDb(p.stateDir, (db) => {
    db.prepare(
      `INSERT INTO approvals (code, cwd, tool, input_sha, input_preview, status, rule_id, reason, session_id, created_at, expires_at)
       VALUES (@code, @cwd, @tool, @sha, @preview, 'pending', @rule, @reason, @session, @now, @exp)
       ON CONFLICT(code) DO UPDATE SET status = 'pending', cwd = @cwd, tool = @tool, input_sha = @sha, input_preview = @preview,
         rule_id = @rule, reason = @reason, session_id = @session, created_at = @now, expires_at = @exp,
         approved_at = NULL, approved_by = NULL, consumed_at = NULL, consumed_session = NULL
       WHERE NOT (approvals.status = 'approved' AND approvals.expires_at > @now)`,
    ).run({
      code,
      cwd: p.cwd,
      tool: p.tool,
      sha: inputDigest(p.input),
      // The preview is for the human who approves; it goes through the redactor like every other record.
      preview: redactText(canonicalInput(p.input)).slice(0, PREVIEW_CHARS),
      rule: p.ruleId ?? null,
      reason: p.reason ?? null,
      session: p.sessionId ?? null,
      now,
      exp: now + ttl,
    });
    return facts(db.prepare('SELECT * FROM approvals WHERE code = ?').get(code) as Row);
  }, conns);
}

export type ApproveResult =
  | { ok: true; approval: ApprovalFacts }
  | { ok: false; error: 'malformed' | 'unknown' | 'expired' | 'consumed' | 'already-approved'; message: string; approval?: ApprovalFacts };

/** Marks a pending code approved for `ttlMs` from now. Refuses unknown, expired and used codes. */
export function approve(o: { stateDir: string; code: string; by: string; now?: Date | number; ttlMs?: number }): ApproveResult {
  const code = normaliseCode(o.code);
  if (!code) return { ok: false, error: 'malformed', message: `"${o.code}" is not an approval code (10 letters and digits 2-7)` };
  const now = ms(o.now);
  return withDb(o.stateDir, (db) => {
    const row = db.prepare('SELECT * FROM approvals WHERE code = ?').get(code) as Row | undefined;
    if (!row) return { ok: false, error: 'unknown', message: `no pending call has the code ${code}; copy it from the latest refusal` };
    const f = facts(row);
    if (row.status === 'consumed') return { ok: false, error: 'consumed', message: `code ${code} was already used; a new refusal gives a new approval`, approval: f };
    if (row.expires_at <= now) return { ok: false, error: 'expired', message: `code ${code} expired; run the job again to get a fresh refusal and code`, approval: f };
    if (row.status === 'approved') return { ok: false, error: 'already-approved', message: `code ${code} is already approved`, approval: f };
    const res = db
      .prepare(`UPDATE approvals SET status = 'approved', approved_at = ?, approved_by = ?, expires_at = ? WHERE code = ? AND status = 'pending' AND expires_at > ?`)
      .run(now, o.by, now + (o.ttlMs ?? DEFAULT_APPROVAL_TTL_MS), code, now);
    if (res.changes !== 1) return { ok: false, error: 'expired', message: `code ${code} changed while approving; try again` };
    return { ok: true, approval: facts(db.prepare('SELECT * FROM approvals WHERE code = ?').get(code) as Row) };
  });
}

export interface ConsumeInput extends CallIdentity {
  stateDir: string;
  sessionId?: string;
  now?: Date | number;
}

/**
 * Uses an approval for this exact call: returns its facts (truthy) exactly once for an approved, unexpired,
 * byte-identical call in the same directory, and undefined otherwise. Never throws for a missing store.
 * `conns`: a long-lived process's open connections (see ApprovalsDb).
 */
export function consumeApproval(c: ConsumeInput, conns?: ApprovalsDb): ApprovalFacts | undefined {
  const now = ms(c.now);
  let code: string;
  try {
    code = approvalCodeWithKey(approvalKey(c.stateDir), c);
  } catch {
    return undefined;
  }
  return withDb(c.stateDir, (db) => {
    const res = db
      .prepare(
        `UPDATE approvals SET status = 'consumed', consumed_at = @now, consumed_session = @session
         WHERE code = @code AND status = 'approved' AND expires_at > @now AND cwd = @cwd AND tool = @tool AND input_sha = @sha`,
      )
      .run({ now, session: c.sessionId ?? null, code, cwd: c.cwd, tool: c.tool, sha: inputDigest(c.input) });
    if (res.changes !== 1) return undefined;
    return facts(db.prepare('SELECT * FROM approvals WHERE code = ?').get(code) as Row);
  }, conns);
}

export function getApproval(stateDir: string, code: string): ApprovalFacts | undefined {
  const c = normaliseCode(code);
  if (!c) return undefined;
  return withDb(stateDir, (db) => {
    const row = db.prepare('SELECT * FROM approvals WHERE code = ?').get(c) as Row | undefined;
    return row ? facts(row) : undefined;
  });
}

/** Codes waiting for a human (pending and unexpired), newest first. */
export function listPending(stateDir: string, now?: Date | number): ApprovalFacts[] {
  return withDb(stateDir, (db) =>
    (db.prepare(`SELECT * FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY created_at DESC LIMIT 100`).all(ms(now)) as Row[]).map(facts),
  );
}

/** The sentence the hook appends to a headless refusal. */
export function approvalHint(code: string, ttlMs = DEFAULT_APPROVAL_TTL_MS): string {
  return `a human can allow this exact call once, in this directory, within ${Math.round(ttlMs / 60_000)} minutes: cordon approve ${code}`;
}

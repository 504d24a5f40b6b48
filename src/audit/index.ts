/**
 * Audit store contract (implementation lives beside this file).
 *
 *   openAuditStore({ stateDir }) → AuditStore   SQLite (better-sqlite3) in WAL mode under the state dir;
 *                                               safe with many concurrent writer processes.
 *   store.append(rec)                           redacts (src/redact) before anything is written.
 *   verifyAudit({ stateDir })                   walks the hash chain; reports the first broken link.
 *   pruneAudit({ stateDir, olderThanDays })     retention, re-anchoring the chain so it still verifies.
 *   listSessions / listRecords                  review queries.
 */
import type { Decision } from '../ir/types.js';
import { AuditUnavailableError, SqliteAuditStore } from './store.js';

export interface AuditRecordInput {
  /** Milliseconds since the epoch; defaults to now. */
  ts?: number;
  sessionId: string;
  toolUseId?: string;
  /** Hook event name (PreToolUse, PostToolUse, …) or a cordon event (`cordon.approval`, …). */
  event: string;
  tool?: string;
  /** Tool input or prompt; redacted by the store. */
  input?: unknown;
  decision?: Decision;
  ruleId?: string;
  reason?: string;
  durationMs?: number;
  cwd?: string;
  /** Hash of the effective policy in force. */
  policyHash?: string;
  /** cordon version that wrote the record. */
  version?: string;
  /** Summary of a tool result (PostToolUse / PostToolUseFailure); redacted by the store. */
  result?: unknown;
  /** Anything else worth keeping (findings, taint, detector hits); redacted by the store. */
  extra?: Record<string, unknown>;
}

export interface AuditStore {
  /** Synchronous for SQLite; a network sink may return a promise. Callers await either. */
  append(rec: AuditRecordInput): { id: number } | Promise<{ id: number }>;
  close(): void;
}

export interface OpenOptions {
  stateDir: string;
  /** A shared sink URL (audit.sink in the policy). */
  sink?: string;
}

/**
 * Opens (creating on first use) the store under `stateDir`. Throws `AuditUnavailableError` ("audit store
 * unavailable: <path>: <why>") when the database cannot be used; callers must treat that as a refusal.
 */
export function openAuditStore(opts: OpenOptions): SqliteAuditStore {
  if (opts.sink) throw new AuditUnavailableError(opts.sink.replace(/\/\/[^@/]*@/, '//'), new Error('this build has no sink for that URL'));
  return new SqliteAuditStore(opts.stateDir);
}

export { SqliteAuditStore, AuditUnavailableError, SCHEMA_VERSION } from './store.js';
export { verifyAudit, pruneAudit } from './verify.js';
export type { VerifyReport, VerifyProblem, VerifyProblemKind, PruneReport } from './verify.js';
export { listRecords, listSessions, findSessions } from './query.js';
export type { AuditRecord, SessionSummary, RecordFilter } from './query.js';
export { toJsonl, toSarif, summarizeInput } from './export.js';

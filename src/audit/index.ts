/**
 * Audit store contract (implementation lives beside this file).
 *
 *   openAuditStore({ stateDir }) → AuditStore   SQLite (better-sqlite3) in WAL mode under the state dir;
 *                                               safe with many concurrent writer processes.
 *   store.append(rec)                           redacts (src/redact) before anything is written.
 *   verifyAudit({ stateDir })                   walks the hash chain; reports the first broken link.
 *   pruneAudit({ stateDir, olderThanDays })     retention, re-anchoring the chain so it still verifies.
 *   listSessions / listRecords                  review queries.
 *
 * With `sink` (a postgres:// URL, audit.sink in the user policy) the same calls go to the shared PostgreSQL log
 * (pg-store.ts: design, key and limits) and return promises; without it they stay synchronous on SQLite.
 */
import type { Decision } from '../ir/types.js';
import { AuditUnavailableError, SqliteAuditStore } from './store.js';
import { PgAuditStore, redactUrl } from './pg-store.js';
import { verifyAudit as verifySqlite, type VerifyReport } from './verify.js';
import { listRecords as listSqliteRecords, listSessions as listSqliteSessions, findSessions as findSqliteSessions } from './query.js';
import type { AuditRecord, RecordFilter, SessionSummary } from './query.js';

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
  /** SQLite only: see SqliteStoreOptions. */
  deferCheckpoints?: boolean;
  /** A shared sink URL (audit.sink in the policy). */
  sink?: string;
  /** The sink's shared MAC key file; defaults to <stateDir>/audit-sink.key. */
  keyFile?: string;
}

const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

/**
 * Opens (creating on first use) the store under `stateDir`, or the PostgreSQL sink when `sink` names one. Throws
 * `AuditUnavailableError` ("audit store unavailable: <where>: <why>") when the store cannot be used; the sink
 * connects on its first append and rejects with the same error. Callers must treat that as a refusal.
 */
export function openAuditStore(opts: { stateDir: string; sink?: undefined; deferCheckpoints?: boolean }): SqliteAuditStore;
export function openAuditStore(opts: { stateDir: string; sink: string; keyFile?: string }): PgAuditStore;
export function openAuditStore(opts: OpenOptions): AuditStore;
export function openAuditStore(opts: OpenOptions): AuditStore {
  if (opts.sink) {
    if (!isPostgresUrl(opts.sink)) throw new AuditUnavailableError(redactUrl(opts.sink), new Error('this build has no sink for that URL'));
    return new PgAuditStore({ url: opts.sink, stateDir: opts.stateDir, ...(opts.keyFile ? { keyFile: opts.keyFile } : {}) });
  }
  return new SqliteAuditStore(opts.stateDir, { ...(opts.deferCheckpoints ? { deferCheckpoints: true } : {}) });
}

type Where = { stateDir: string; sink?: undefined };
type AtSink = { stateDir: string; sink: string; keyFile?: string };
type Either = { stateDir: string; sink?: string; keyFile?: string };

/** Walks the chain (every session's chain on a sink); reports the first broken link. */
export function verifyAudit(opts: Where): VerifyReport;
export function verifyAudit(opts: AtSink): Promise<VerifyReport>;
export function verifyAudit(opts: Either): VerifyReport | Promise<VerifyReport>;
export function verifyAudit(opts: Either): VerifyReport | Promise<VerifyReport> {
  if (!opts.sink) return verifySqlite({ stateDir: opts.stateDir });
  const sink = opts.sink;
  return import('./pg-verify.js').then((m) => m.verifyPgAudit({ sink, stateDir: opts.stateDir, ...(opts.keyFile ? { keyFile: opts.keyFile } : {}) }));
}

export function listRecords(opts: Where & RecordFilter): AuditRecord[];
export function listRecords(opts: AtSink & RecordFilter): Promise<AuditRecord[]>;
export function listRecords(opts: Either & RecordFilter): AuditRecord[] | Promise<AuditRecord[]>;
export function listRecords(opts: Either & RecordFilter): AuditRecord[] | Promise<AuditRecord[]> {
  if (!opts.sink) return listSqliteRecords({ ...opts, stateDir: opts.stateDir });
  const sink = opts.sink;
  return import('./pg-query.js').then((m) => m.listPgRecords({ ...opts, sink }));
}

type SessionOpts = { since?: number; limit?: number };
export function listSessions(opts: Where & SessionOpts): SessionSummary[];
export function listSessions(opts: AtSink & SessionOpts): Promise<SessionSummary[]>;
export function listSessions(opts: Either & SessionOpts): SessionSummary[] | Promise<SessionSummary[]>;
export function listSessions(opts: Either & SessionOpts): SessionSummary[] | Promise<SessionSummary[]> {
  if (!opts.sink) return listSqliteSessions({ ...opts, stateDir: opts.stateDir });
  const sink = opts.sink;
  return import('./pg-query.js').then((m) => m.listPgSessions({ ...opts, sink }));
}

export function findSessions(opts: Where & { id: string }): string[];
export function findSessions(opts: AtSink & { id: string }): Promise<string[]>;
export function findSessions(opts: Either & { id: string }): string[] | Promise<string[]>;
export function findSessions(opts: Either & { id: string }): string[] | Promise<string[]> {
  if (!opts.sink) return findSqliteSessions({ stateDir: opts.stateDir, id: opts.id });
  const sink = opts.sink;
  return import('./pg-query.js').then((m) => m.findPgSessions({ sink, id: opts.id }));
}

export { SqliteAuditStore, AuditUnavailableError, SCHEMA_VERSION, type SqliteStoreOptions } from './store.js';
export { pruneAudit } from './verify.js';
export { PgAuditStore, SINK_KEY_FILE, redactUrl } from './pg-store.js';
export type { VerifyReport, VerifyProblem, VerifyProblemKind, PruneReport } from './verify.js';
export type { AuditRecord, SessionSummary, RecordFilter } from './query.js';
export { toJsonl, toSarif, summarizeInput } from './export.js';

/**
 * Audit store contract (implementation lives beside this file).
 *
 *   openAuditStore({ stateDir }) → AuditStore   SQLite (better-sqlite3) in WAL mode under the state dir;
 *                                               safe with many concurrent writer processes.
 *   store.append(rec)                           redacts (src/redact) before anything is written.
 */
import type { Decision } from '../ir/types.js';

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
  append(rec: AuditRecordInput): { id: number };
  close(): void;
}

export interface OpenOptions {
  stateDir: string;
}

export function openAuditStore(_opts: OpenOptions): AuditStore {
  throw new Error('not implemented yet');
}

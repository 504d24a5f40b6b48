/** Shared fixtures for the audit tests: temp state dirs, a populated store, raw SQLite access for tampering. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAuditStore, type AuditRecordInput } from '../../src/audit/index.js';

export function tempState(): string {
  return mkdtempSync(join(tmpdir(), 'cordon-audit-'));
}

/** A state dir holding `n` records over two sessions, one day apart each, oldest first. */
export function populated(n: number, now = Date.now()): string {
  const dir = tempState();
  const store = openAuditStore({ stateDir: dir });
  for (let i = 1; i <= n; i++) {
    store.append({
      ts: now - (n - i) * 86_400_000,
      sessionId: i % 2 ? 'sess-odd' : 'sess-even',
      event: 'PreToolUse',
      tool: i % 3 ? 'Bash' : 'Edit',
      input: { command: `echo ${i}` },
      decision: i % 4 === 0 ? 'deny' : 'allow',
      ruleId: i % 4 === 0 ? 'test.deny' : 'core.allow',
      reason: `record ${i}`,
    });
  }
  store.close();
  return dir;
}

export function raw(dir: string): Database.Database {
  const db = new Database(join(dir, 'audit.db'));
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A GitHub token planted in every field of a record, to prove a store redacts before anything is written. */
export const TOKEN = ['ghp_', 'Zq9Wx8Ec7Rv6Tb5Yn4Um3Ik2Ol1Pa0Sd9Fg8H'].join('');

/** A record with TOKEN in its input, reason, result and extra: what both stores must redact. */
export function plantedRecord(): AuditRecordInput {
  return {
    ts: 1_700_000_000_000,
    sessionId: 's-1',
    toolUseId: 'tu-1',
    event: 'PreToolUse',
    tool: 'Bash',
    input: { command: `git push https://bot:${TOKEN}@github.com/o/r main`, env: { GITHUB_TOKEN: TOKEN } },
    decision: 'deny',
    ruleId: 'git.push',
    reason: `pushing with ${TOKEN} is not allowed`,
    durationMs: 1.25,
    cwd: '/work/p',
    policyHash: 'ph',
    version: '0.1.0',
    result: { stdout: TOKEN },
    extra: { findings: [{ evidence: TOKEN }] },
  };
}

export interface PgServer {
  url: string;
  port: number;
  dir: string;
  stop(): void;
  createDatabase(name: string): Promise<string>;
}

/** Starts the throwaway PostgreSQL (scripts/pg-test-server.mjs), or returns why it cannot start here. */
export async function startServer(): Promise<PgServer | string> {
  const script = new URL('../../../scripts/pg-test-server.mjs', import.meta.url);
  const m = (await import(script.href)) as { startPgServerOrReason(): Promise<PgServer | string> };
  return m.startPgServerOrReason();
}

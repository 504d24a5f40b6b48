/** Shared fixtures for the audit tests: temp state dirs, a populated store, raw SQLite access for tampering. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAuditStore } from '../../src/audit/index.js';

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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditStore, listRecords, listSessions, AuditUnavailableError, verifyAudit } from '../../src/audit/index.js';
import { plantedRecord, populated, raw, tempState, TOKEN } from './helpers.js';


test('append and read back: redacted before anything reaches the file', () => {
  const dir = tempState();
  const store = openAuditStore({ stateDir: dir });
  const { id } = store.append(plantedRecord());
  assert.equal(id, 1);
  assert.equal(store.append({ sessionId: 's-1', event: 'PostToolUse' }).id, 2);
  // Read the bytes while the WAL still holds them, then again after close (checkpointed into the main file).
  const files = () => readdirSync(dir).filter((f) => f.startsWith('audit.db'));
  for (const f of files()) assert.ok(!readFileSync(join(dir, f)).includes(TOKEN), `${f} holds the token`);
  store.close();
  for (const f of files()) assert.ok(!readFileSync(join(dir, f)).includes(TOKEN), `${f} holds the token`);

  const [rec, rec2] = listRecords({ stateDir: dir });
  assert.ok(rec && rec2);
  assert.equal(rec.id, 1);
  assert.equal(rec.ts, 1_700_000_000_000);
  assert.equal(rec.sessionId, 's-1');
  assert.equal(rec.toolUseId, 'tu-1');
  assert.equal(rec.tool, 'Bash');
  assert.equal(rec.decision, 'deny');
  assert.equal(rec.ruleId, 'git.push');
  assert.equal(rec.durationMs, 1.25);
  assert.equal(rec.cwd, '/work/p');
  assert.equal(rec.policyHash, 'ph');
  assert.equal(rec.version, '0.1.0');
  assert.deepEqual(rec.input, {
    command: 'git push https://bot:[redacted:github-token]@github.com/o/r main',
    env: { GITHUB_TOKEN: '[redacted:secret-field]' },
  });
  assert.equal(rec.reason, 'pushing with [redacted:github-token] is not allowed');
  assert.deepEqual(rec.result, { stdout: '[redacted:github-token]' });
  assert.deepEqual(rec.extra, { findings: [{ evidence: '[redacted:github-token]' }] });
  assert.equal(rec2.event, 'PostToolUse');
  assert.ok(rec2.ts >= rec.ts);
  assert.equal(verifyAudit({ stateDir: dir }).ok, true);
});

test('files are private and the database is in WAL mode', () => {
  const dir = tempState();
  const store = openAuditStore({ stateDir: dir });
  store.append({ sessionId: 's', event: 'SessionStart' });
  for (const f of readdirSync(dir)) {
    assert.equal(statSync(join(dir, f)).mode & 0o077, 0, `${f} is readable by others`);
  }
  assert.equal(statSync(join(dir, 'audit.key')).size, 32);
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
  assert.ok(Number(store.db.pragma('busy_timeout', { simple: true })) >= 1000);
  store.close();
  const db = raw(dir);
  assert.equal((db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value, '1');
  db.close();
});

test('a corrupt database file makes openAuditStore throw a precise error', () => {
  const dir = tempState();
  const path = join(dir, 'audit.db');
  writeFileSync(path, Buffer.from('this is not sqlite, just garbage bytes '.repeat(200)));
  assert.throws(
    () => openAuditStore({ stateDir: dir }),
    (err: unknown) =>
      err instanceof AuditUnavailableError && err.message === `audit store unavailable: ${path}: file is not a database`,
  );
  const rep = verifyAudit({ stateDir: dir });
  assert.equal(rep.ok, false);
  assert.equal(rep.problem?.kind, 'unavailable');
});

test('a database from a newer schema is refused, not misread', () => {
  const dir = populated(2);
  const db = raw(dir);
  db.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run();
  db.close();
  assert.throws(() => openAuditStore({ stateDir: dir }), /schema version 99 is newer than this cordon supports/);
});

test('the state dir is created on first use', () => {
  const dir = join(tempState(), 'nested', 'state');
  const store = openAuditStore({ stateDir: dir });
  store.append({ sessionId: 's', event: 'SessionStart' });
  store.close();
  assert.ok(existsSync(join(dir, 'audit.db')));
  assert.equal(statSync(dir).mode & 0o077, 0);
});

test('queries: sessions summary and filtered record lists', () => {
  const now = Date.now();
  const dir = populated(12, now);
  const sessions = listSessions({ stateDir: dir });
  assert.deepEqual(
    sessions.map((s) => [s.sessionId, s.events, s.denials, s.asks, s.tools]),
    [
      ['sess-even', 6, 3, 0, ['Bash', 'Edit']],
      ['sess-odd', 6, 0, 0, ['Bash', 'Edit']],
    ],
  );
  const odd = sessions.find((s) => s.sessionId === 'sess-odd');
  assert.equal(odd?.firstTs, now - 11 * 86_400_000);
  assert.equal(odd?.lastTs, now - 86_400_000);

  assert.deepEqual(listRecords({ stateDir: dir, decision: 'deny' }).map((r) => r.id), [4, 8, 12]);
  assert.deepEqual(listRecords({ stateDir: dir, tool: 'Edit' }).map((r) => r.id), [3, 6, 9, 12]);
  assert.deepEqual(listRecords({ stateDir: dir, session: 'sess-odd', limit: 2 }).map((r) => r.id), [9, 11]);
  assert.deepEqual(listRecords({ stateDir: dir, since: now - 2.5 * 86_400_000 }).map((r) => r.id), [10, 11, 12]);
  assert.deepEqual(listRecords({ stateDir: tempState() }), []);
});

test('a store that defers checkpoints never copies the WAL back inside an append, and loses nothing', () => {
  const dir = tempState();
  const mainSize = () => statSync(join(dir, 'audit.db')).size;
  // Without deferring, SQLite's automatic checkpoint copies pages back once the WAL passes 1000 frames.
  const plain = openAuditStore({ stateDir: dir });
  plain.append({ sessionId: 's-0', event: 'SessionStart' });
  const start = mainSize();
  for (let i = 0; i < 400; i++) plain.append({ sessionId: 's-0', event: 'PreToolUse', input: { command: `ls ${i}` } });
  assert.ok(mainSize() > start, 'the automatic checkpoint ran inside an append');
  plain.close();

  const dir2 = tempState();
  const deferred = openAuditStore({ stateDir: dir2, deferCheckpoints: true });
  deferred.append({ sessionId: 's-1', event: 'SessionStart' });
  const before = statSync(join(dir2, 'audit.db')).size;
  for (let i = 0; i < 400; i++) deferred.append({ sessionId: 's-1', event: 'PreToolUse', input: { command: `ls ${i}` } });
  assert.equal(statSync(join(dir2, 'audit.db')).size, before, 'no checkpoint inside an append');
  deferred.checkpointIfDue(100_000);
  assert.equal(statSync(join(dir2, 'audit.db')).size, before, 'not due yet');
  deferred.checkpointIfDue();
  assert.ok(statSync(join(dir2, 'audit.db')).size > before, 'checkpointed when asked and due');
  // Records written before and after the checkpoint all verify.
  for (let i = 0; i < 10; i++) deferred.append({ sessionId: 's-1', event: 'PostToolUse' });
  const r = verifyAudit({ stateDir: dir2 });
  assert.equal(r.ok, true, JSON.stringify(r.problem));
  assert.equal(r.records, 411);
  deferred.close();
  assert.equal(verifyAudit({ stateDir: dir2 }).records, 411);
});

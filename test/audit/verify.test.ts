import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { writeFileSync, unlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditStore, pruneAudit, verifyAudit, listRecords } from '../../src/audit/index.js';
import { recordHash, type StoredRow } from '../../src/audit/chain.js';
import { populated, raw, tempState } from './helpers.js';

function broken(dir: string) {
  const rep = verifyAudit({ stateDir: dir });
  assert.equal(rep.ok, false, 'verify should fail');
  assert.ok(rep.problem);
  return rep.problem;
}

test('an intact chain verifies, empty or not', () => {
  assert.equal(verifyAudit({ stateDir: tempState() }).ok, true);
  const rep = verifyAudit({ stateDir: populated(20) });
  assert.equal(rep.ok, true);
  assert.equal(rep.records, 20);
  assert.equal(rep.firstId, 1);
  assert.equal(rep.lastId, 20);
});

test('an edited column is reported as changed content at that record', () => {
  const dir = populated(10);
  const db = raw(dir);
  db.prepare(`UPDATE records SET decision = 'allow' WHERE id = 8`).run();
  db.close();
  const p = broken(dir);
  assert.equal(p.kind, 'edited');
  assert.equal(p.id, 8);
  assert.match(p.message, /^record 8 \(PreToolUse Bash, \d{4}-\d\d-\d\dT[^)]+\): content changed since it was written$/);
});

test('an edit that also recomputes the hash is caught by the MAC', () => {
  const dir = populated(10);
  const db = raw(dir);
  const row = db.prepare('SELECT * FROM records WHERE id = 10').get() as StoredRow;
  const forged = { ...row, reason: 'nothing to see' };
  db.prepare('UPDATE records SET reason = ?, hash = ? WHERE id = 10').run(forged.reason, recordHash(forged));
  db.close();
  const p = broken(dir);
  assert.equal(p.id, 10);
  // The head anchor still names the original hash of record 10.
  assert.ok(p.kind === 'forged' || p.kind === 'edited', p.kind);
});

test('a deleted middle record is reported by id', () => {
  const dir = populated(10);
  const db = raw(dir);
  db.prepare('DELETE FROM records WHERE id = 5').run();
  db.close();
  const p = broken(dir);
  assert.equal(p.kind, 'deleted');
  assert.equal(p.id, 5);
  assert.match(p.message, /^record 5 is missing \(deleted\): record 6 .* follows record 4 /);
});

test('two records with swapped content are reported', () => {
  const dir = populated(10);
  const db = raw(dir);
  const cols = ['ts', 'session_id', 'tool_use_id', 'event', 'tool', 'input', 'decision', 'rule_id', 'reason', 'duration_ms', 'cwd', 'policy_hash', 'version', 'result', 'extra', 'prev_hash', 'hash', 'mac'];
  const a = db.prepare('SELECT * FROM records WHERE id = 3').get() as Record<string, unknown>;
  const b = db.prepare('SELECT * FROM records WHERE id = 4').get() as Record<string, unknown>;
  const upd = db.prepare(`UPDATE records SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
  db.transaction(() => {
    upd.run({ ...b, id: 3 });
    upd.run({ ...a, id: 4 });
  })();
  db.close();
  const p = broken(dir);
  assert.equal(p.id, 3);
  assert.equal(p.kind, 'edited');
});

test('a forged record inserted by someone without the key is reported', () => {
  const dir = populated(10);
  const db = raw(dir);
  const last = db.prepare('SELECT * FROM records WHERE id = 10').get() as StoredRow;
  const row: StoredRow = { ...last, id: 11, reason: 'forged approval', decision: 'allow', prev_hash: last.hash, hash: '', mac: '' };
  row.hash = recordHash(row);
  row.mac = randomBytes(32).toString('hex');
  db.prepare(
    `INSERT INTO records VALUES (@id, @ts, @session_id, @tool_use_id, @event, @tool, @input, @decision, @rule_id, @reason,
      @duration_ms, @cwd, @policy_hash, @version, @result, @extra, @prev_hash, @hash, @mac)`,
  ).run(row);
  db.close();
  const p = broken(dir);
  assert.equal(p.kind, 'forged');
  assert.equal(p.id, 11);
  assert.match(p.message, /authentication code does not match/);
});

test('a truncated tail is reported against the head anchor', () => {
  const dir = populated(10);
  const db = raw(dir);
  db.prepare('DELETE FROM records WHERE id > 7').run();
  db.close();
  const p = broken(dir);
  assert.equal(p.kind, 'truncated');
  assert.equal(p.id, 8);
  assert.match(p.message, /records 8–10 are missing at the end/);
});

test('removing the head anchor to hide a truncation is reported', () => {
  const dir = populated(5);
  unlinkSync(join(dir, 'audit.head'));
  assert.equal(broken(dir).kind, 'head');
});

test('an older head anchor put back is not enough to hide a truncation', () => {
  const dir = populated(5);
  const oldHead = readFileSync(join(dir, 'audit.head'));
  const store = openAuditStore({ stateDir: dir });
  store.append({ sessionId: 'x', event: 'PreToolUse', tool: 'Bash', decision: 'deny' });
  store.close();
  // Restoring the old anchor alone is fine (the extra record still chains and verifies) …
  writeFileSync(join(dir, 'audit.head'), oldHead);
  assert.equal(verifyAudit({ stateDir: dir }).ok, true);
  // … but a record removed while the anchor still names it is not.
  const db = raw(dir);
  db.prepare('DELETE FROM records WHERE id >= 5').run();
  db.close();
  assert.equal(broken(dir).kind, 'truncated');
});

test('a replaced audit.key is reported as a key problem', () => {
  const dir = populated(5);
  writeFileSync(join(dir, 'audit.key'), randomBytes(32));
  const p = broken(dir);
  assert.equal(p.kind, 'key');
  assert.match(p.message, /audit\.key does not match/);
  unlinkSync(join(dir, 'audit.key'));
  assert.equal(broken(dir).kind, 'key');
});

test('prune re-anchors: verify passes afterwards and still catches tampering', () => {
  const now = Date.now();
  const dir = populated(10, now);
  const res = pruneAudit({ stateDir: dir, olderThanDays: 3.5, now });
  assert.deepEqual(res, { pruned: 6, anchorId: 6 });
  assert.deepEqual(listRecords({ stateDir: dir }).map((r) => r.id), [7, 8, 9, 10]);
  const rep = verifyAudit({ stateDir: dir });
  assert.equal(rep.ok, true);
  assert.equal(rep.records, 4);
  assert.equal(rep.anchor?.id, 6);

  // Appends continue the chain after pruning.
  const store = openAuditStore({ stateDir: dir });
  assert.equal(store.append({ sessionId: 's', event: 'SessionStart' }).id, 11);
  store.close();
  assert.equal(verifyAudit({ stateDir: dir }).ok, true);

  // Deleting the new first record is still visible.
  const db = raw(dir);
  db.prepare('DELETE FROM records WHERE id = 7').run();
  db.close();
  const p = broken(dir);
  assert.equal(p.kind, 'deleted');
  assert.equal(p.id, 7);
});

test('a forged prune anchor is reported', () => {
  const now = Date.now();
  const dir = populated(10, now);
  pruneAudit({ stateDir: dir, olderThanDays: 3.5, now });
  const db = raw(dir);
  db.prepare('DELETE FROM records WHERE id <= 8').run();
  const h = (db.prepare('SELECT hash FROM records WHERE id = 9').get() as { hash: string }).hash;
  const fake = { id: 8, hash: createHash('sha256').update(h).digest('hex'), mac: '00'.repeat(32) };
  db.prepare(`UPDATE meta SET value = ? WHERE key = 'anchor'`).run(JSON.stringify(fake));
  db.close();
  assert.equal(broken(dir).kind, 'anchor');
});

test('pruning everything leaves a chain that verifies and continues', () => {
  const now = Date.now();
  const dir = populated(4, now);
  assert.deepEqual(pruneAudit({ stateDir: dir, olderThanDays: 0, now: now + 1 }), { pruned: 4, anchorId: 4 });
  assert.equal(verifyAudit({ stateDir: dir }).ok, true);
  const store = openAuditStore({ stateDir: dir });
  assert.equal(store.append({ sessionId: 's', event: 'SessionStart' }).id, 5);
  store.close();
  assert.equal(verifyAudit({ stateDir: dir }).ok, true);
});

test('prune refuses to bury a broken chain', () => {
  const dir = populated(6);
  const db = raw(dir);
  db.prepare(`UPDATE records SET reason = 'x' WHERE id = 2`).run();
  db.close();
  assert.throws(() => pruneAudit({ stateDir: dir, olderThanDays: 1 }), /audit chain is broken, not pruning: record 2/);
  assert.equal(listRecords({ stateDir: dir }).length, 6);
});

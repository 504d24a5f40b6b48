import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuditStore, verifyAudit } from '../../src/audit/index.js';
import { verifyAudit as verifySnapshot } from '../../src/audit/verify.js';
import { raw, tempState } from './helpers.js';

const WRITER = fileURLToPath(new URL('./writer.js', import.meta.url));

function runWriter(dir: string, count: number, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(count), tag], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
  });
}

test('8 writer processes × 1,000 appends on a fresh state dir: one key, one linear chain', { timeout: 300_000 }, async () => {
  const dir = tempState();
  const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  await Promise.all(tags.map((t) => runWriter(dir, 1000, t)));

  const db = raw(dir);
  const stats = db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM records').get();
  assert.deepEqual(stats, { n: 8000, ids: 8000, lo: 1, hi: 8000 });
  const perWriter = db.prepare('SELECT session_id AS s, count(*) AS n, count(DISTINCT tool_use_id) AS u FROM records GROUP BY session_id ORDER BY s').all();
  assert.deepEqual(perWriter, tags.map((t) => ({ s: `session-${t}`, n: 1000, u: 1000 })));
  db.close();

  // Every writer raced to create the key; exactly one key exists and every record was MAC'd with it.
  assert.equal(readFileSync(join(dir, 'audit.key')).length, 32);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temp files left behind');
  const rep = verifyAudit({ stateDir: dir });
  assert.equal(rep.ok, true, rep.problem?.message);
  assert.equal(rep.records, 8000);
  assert.equal(rep.head?.id, 8000);
});

test('verify running while writers append never reports a false break', { timeout: 300_000 }, async () => {
  const dir = tempState();
  const writers = Promise.all(['x', 'y'].map((t) => runWriter(dir, 1500, t)));
  let done = false;
  void writers.finally(() => (done = true));
  let checks = 0;
  while (!done) {
    const rep = verifyAudit({ stateDir: dir });
    assert.equal(rep.ok, true, rep.problem?.message);
    checks++;
    await new Promise((r) => setTimeout(r, 5));
  }
  await writers;
  assert.ok(checks > 0);
  assert.equal(verifyAudit({ stateDir: dir }).records, 3000);
});

function appendOne(dir: string, n: number): void {
  const store = openAuditStore({ stateDir: dir });
  try {
    store.append({ sessionId: 'late', toolUseId: `late-${n}`, event: 'PreToolUse', tool: 'Bash', input: { command: `echo ${n}` }, decision: 'allow' });
  } finally {
    store.close();
  }
}

test('a first record committed while verify walks an empty store is not a missing head', () => {
  const dir = tempState();
  appendOne(dir, 0);
  // An empty store with its schema and key: remove the one record and its head, as a fresh store looks.
  const db = raw(dir);
  db.exec('DELETE FROM records');
  db.close();
  rmSync(join(dir, 'audit.head'));
  const rep = verifySnapshot({ stateDir: dir, afterSnapshot: () => appendOne(dir, 1) });
  assert.equal(rep.ok, true, rep.problem?.message);
  assert.equal(rep.records, 0);
  const after = verifyAudit({ stateDir: dir });
  assert.equal(after.ok, true, after.problem?.message);
  assert.equal(after.records, 1);
});

test('records committed during the walk are left for the next verify, which sees them all', () => {
  const dir = tempState();
  for (let i = 0; i < 3; i++) appendOne(dir, i);
  const rep = verifySnapshot({ stateDir: dir, afterSnapshot: () => [3, 4].forEach((i) => appendOne(dir, i)) });
  assert.equal(rep.ok, true, rep.problem?.message);
  assert.equal(rep.records, 3);
  assert.equal(rep.head?.id, 3);
  const after = verifyAudit({ stateDir: dir });
  assert.deepEqual([after.ok, after.records, after.head?.id], [true, 5, 5]);
});

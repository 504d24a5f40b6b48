import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearTaint, listTainted, markerPath, recordTaint, sessionTaint, sessionVisits } from '../../src/taint/store.js';

const WRITER = fileURLToPath(new URL('./writer.js', import.meta.url));

function runWriter(stateDir: string, session: string, count: number, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, stateDir, session, String(count), tag], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
  });
}

test('8 processes recording taint for one session at once: every entry and visit is kept', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-taint-conc-'));
  const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  await Promise.all(tags.map((t) => runWriter(dir, 'shared', 20, t)));
  const entries = sessionTaint(dir, 'shared');
  assert.equal(entries.length, 160);
  for (const t of tags) {
    for (let i = 0; i < 20; i++) assert.ok(entries.some((e) => e.toolUseId === `${t}-${i}`), `missing ${t}-${i}`);
  }
  assert.equal(sessionVisits(dir, 'shared').urls.size, 160);
  assert.equal(sessionVisits(dir, 'shared').hosts.size, 8);
  assert.deepEqual(listTainted(dir).map((s) => [s.sessionId, s.entries]), [['shared', 160]]);
});

test('a clear racing with writers never leaves committed entries without their marker', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-taint-race-'));
  const writers = Promise.all(['x', 'y', 'z'].map((t) => runWriter(dir, 'race', 30, t)));
  let done = false;
  void writers.finally(() => (done = true));
  while (!done) {
    clearTaint(dir, 'race');
    await new Promise((r) => setTimeout(r, 2));
  }
  await writers;
  const left = sessionTaint(dir, 'race');
  // Whatever survived the last clear is visible, which needs the marker.
  if (left.length > 0) assert.ok(existsSync(markerPath(dir, 'race')));
  recordTaint(dir, 'race', { ts: 1, tool: 'WebFetch', source: 'x', trust: 'untrusted', kind: 'detection', score: 1, findings: [] });
  assert.ok(sessionTaint(dir, 'race').length >= 1);
});

test('old entries are pruned but the first (how the taint began) is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-taint-prune-'));
  for (let i = 0; i < 250; i++) {
    recordTaint(dir, 'p', { ts: i, tool: 'WebFetch', source: `s${i}`, trust: 'untrusted', kind: 'detection', score: 1, findings: [] });
  }
  const e = sessionTaint(dir, 'p');
  assert.equal(e.length, 200);
  assert.equal(e[0]!.source, 's0');
  assert.equal(e[e.length - 1]!.source, 's249');
});

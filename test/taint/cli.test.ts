import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCordon } from '../../src/testkit/cordon-run.js';
import { recordTaint, sessionTaint, closeTaintStores } from '../../src/taint/store.js';

function setup(): { home: string; cordonHome: string } {
  const home = mkdtempSync(join(tmpdir(), 'cordon-taint-cli-'));
  const cordonHome = join(home, '.cordon');
  recordTaint(cordonHome, 'sess-1', { ts: 1_700_000_000_000, tool: 'WebFetch', source: 'WebFetch https://evil.example/p', trust: 'untrusted', kind: 'detection', score: 0.97, findings: ['override.ignore-previous'] });
  closeTaintStores();
  return { home, cordonHome };
}

test('cordon taint clear is refused under CLAUDECODE=1 and the taint stays', () => {
  const { home, cordonHome } = setup();
  for (const args of [['taint', 'clear', 'sess-1'], ['taint', 'list'], ['taint', 'show', 'sess-1']]) {
    const r = runCordon(args, { cwd: home, env: { HOME: home, CORDON_HOME: cordonHome, CLAUDECODE: '1' } });
    assert.equal(r.code, 4, args.join(' '));
    assert.match(r.stderr, /refused inside a Claude Code session \(CLAUDECODE=1\)/);
    assert.equal(r.stdout, '');
  }
  assert.equal(sessionTaint(cordonHome, 'sess-1').length, 1);
});

test('cordon taint list / show / clear for a human', () => {
  const { home, cordonHome } = setup();
  const env = { HOME: home, CORDON_HOME: cordonHome };
  const list = runCordon(['taint', 'list'], { cwd: home, env });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^sess-1 {2}1 source /);
  const show = runCordon(['taint', 'show', 'sess-1'], { cwd: home, env });
  assert.match(show.stdout, /session read untrusted content from https:\/\/evil\.example\/p \(injection signals: override\.ignore-previous\)/);
  const json = runCordon(['taint', 'show', 'sess-1', '--json'], { cwd: home, env });
  assert.equal((JSON.parse(json.stdout) as { entries: unknown[] }).entries.length, 1);
  const clear = runCordon(['taint', 'clear', 'sess-1'], { cwd: home, env });
  assert.match(clear.stdout, /cleared 1 taint entry/);
  closeTaintStores();
  assert.deepEqual(sessionTaint(cordonHome, 'sess-1'), []);
  assert.match(runCordon(['taint', 'list'], { cwd: home, env }).stdout, /no tainted sessions/);
});

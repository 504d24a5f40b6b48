/**
 * The preflight cache: a one-shot process checks synchronously; the daemon serves a stale positive and re-checks in
 * the background, so no hook call waits for the user-namespace probe once the cache period has passed. The probe
 * here is a stand-in `bwrap` on PATH whose answer the test switches, and which counts its runs.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight, preflightRefresh, refreshPreflightInBackground, resetPreflight } from '../../src/sandbox/preflight.js';

function fakeTools(): { env: { PATH: string }; set: (mode: 'ok' | 'fail') => void; runs: () => number } {
  const bin = mkdtempSync(join(tmpdir(), 'cordon-preflight-'));
  const log = join(bin, 'runs');
  const mode = join(bin, 'mode');
  writeFileSync(
    join(bin, 'bwrap'),
    `#!/bin/sh\necho x >> '${log}'\nif [ "$(cat '${mode}')" = ok ]; then exit 0; fi\necho 'bwrap: setting up uid map: Operation not permitted' >&2\nexit 1\n`,
  );
  for (const t of ['socat', 'rg']) writeFileSync(join(bin, t), '#!/bin/sh\nexit 0\n');
  for (const t of ['bwrap', 'socat', 'rg']) chmodSync(join(bin, t), 0o755);
  writeFileSync(mode, 'ok');
  return {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    set: (m) => writeFileSync(mode, m),
    runs: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
  };
}

/** A fresh cache with the clock mocked, one passing check done; the stand-in probe fails from now on. */
function checkedOnce(t: TestContext, daemon: boolean): ReturnType<typeof fakeTools> {
  resetPreflight();
  refreshPreflightInBackground(daemon);
  t.after(() => refreshPreflightInBackground(false));
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const f = fakeTools();
  assert.equal(preflight(f.env).ok, true);
  assert.equal(f.runs(), 1);
  f.set('fail');
  return f;
}

test('one-shot: within ten minutes the cached answer, after them a synchronous re-check', (t) => {
  const f = checkedOnce(t, false);
  t.mock.timers.tick(9 * 60_000);
  assert.equal(preflight(f.env).ok, true);
  assert.equal(f.runs(), 1, 'cached');
  t.mock.timers.tick(2 * 60_000);
  const r = preflight(f.env);
  assert.equal(r.ok, false, 'the re-check ran before answering');
  assert.match(r.ok ? '' : r.error, /cannot create a user namespace.*Operation not permitted/);
  assert.equal(f.runs(), 2);
});

test('daemon: a stale positive is served while the probe re-runs in the background; its answer is used next', async (t) => {
  const f = checkedOnce(t, true);
  t.mock.timers.tick(11 * 60_000);
  assert.equal(preflight(f.env).ok, true, 'stale positive served without waiting');
  assert.equal(preflight(f.env).ok, true, 'one re-check at a time');
  const pending = preflightRefresh();
  assert.ok(pending, 'a background re-check is running');
  await pending;
  assert.equal(f.runs(), 2, 'exactly one background probe');
  const r = preflight(f.env);
  assert.equal(r.ok, false, 'the re-check found the namespace refused');
  assert.equal(f.runs(), 2);

  // A refusal is not kept for ten minutes: the fix is seen within seconds.
  f.set('ok');
  t.mock.timers.tick(6_000);
  assert.equal(preflight(f.env).ok, true);
  assert.equal(f.runs(), 3);
});

test('daemon: a positive older than a day is not served; the check runs before answering', (t) => {
  const f = checkedOnce(t, true);
  t.mock.timers.tick(25 * 60 * 60_000);
  assert.equal(preflight(f.env).ok, false);
  assert.equal(preflightRefresh(), undefined);
});



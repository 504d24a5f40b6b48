/**
 * The live probes as a normal (non-root) user: bubblewrap behaves differently for root (uid 0 mapping needs
 * CAP_SETFCAP) and for everyone else (unprivileged user namespaces). When the suite runs as root, a dedicated
 * user `cordon-sbx-test` is created and `cordon sandbox check` runs as that user through runuser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const USER = 'cordon-sbx-test';
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const BWRAP = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p));

function whyNot(): string | false {
  if (!BWRAP) return 'bubblewrap is not installed (apt-get install bubblewrap socat ripgrep)';
  if (process.getuid?.() !== 0) return 'the suite already runs as a normal user, so sandbox.test.ts covers this case';
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'runuser is not available to switch users';
  if (spawnSync('id', ['-u', USER]).status !== 0) {
    const add = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
    if (add.status !== 0) return `cannot create the test user ${USER}: ${add.stderr.trim()}`;
  }
  // The user needs to read cordon's code: a checkout under a private home (/root) is not readable by anyone else.
  const r = spawnSync('runuser', ['-u', USER, '--', 'test', '-r', CLI], {});
  if (r.status !== 0) return `${USER} cannot read ${CLI} (the checkout is in a private directory)`;
  return false;
}

const skip = whyNot();

test('live probes pass as a normal user', { skip }, async () => {
  const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim());
  const base = mkdtempSync('/tmp/csu-');
  const dirs = { home: join(base, 'h'), ws: join(base, 'ws'), state: join(base, 's') };
  chownSync(base, uid, gid);
  for (const d of Object.values(dirs)) {
    mkdirSync(d);
    chownSync(d, uid, gid);
  }
  accessSync(base, constants.R_OK);
  try {
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        'runuser',
        ['-u', USER, '--', '/usr/bin/env', '-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, `HOME=${dirs.home}`, `CORDON_HOME=${dirs.state}`, `TMPDIR=${base}`, process.execPath, CLI, 'sandbox', 'check', '--json'],
        { cwd: dirs.ws, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    let results: { name: string; ok: boolean; detail: string }[];
    try {
      results = JSON.parse(out.stdout) as typeof results;
    } catch {
      throw new Error(`cordon sandbox check printed no JSON (exit ${out.code}): ${out.stderr.slice(0, 500)}`);
    }
    assert.ok(results.length >= 7, JSON.stringify(results));
    for (const r of results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
    assert.equal(out.code, 0);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

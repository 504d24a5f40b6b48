/**
 * `cordon exec` as the secret broker: it runs outside the OS sandbox (it reads the store), its child runs inside
 * (real bubblewrap, real helper) with only the named secret passed through the environment scrub, and its output is
 * masked. Also the way the hook gets there: a lone `cordon exec …` Bash call is rewritten to run unsandboxed, run
 * through /bin/sh like Claude Code's Bash tool. Skips only when bubblewrap is missing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initShellParser } from '../../src/parse/index.js';
import { loadPolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/schema.js';
import { rewriteShellCall, unwrapShellCall } from '../../src/engine/rewrite.js';
import { stopHelper } from '../../src/sandbox/run.js';
import type { SandboxContext } from '../../src/sandbox/plan.js';
import { SecretStore } from '../../src/secrets/store.js';
import { CLI, run, uniqueToken } from './helpers.js';

const skip = existsSync('/usr/bin/bwrap') ? false : 'bubblewrap is not installed (/usr/bin/bwrap)';

// Short base path: the helper's unix socket lives under the state dir (108-byte limit).
const base = mkdtempSync('/tmp/cxs-');
const home = join(base, 'h');
const stateDir = join(base, 's');
const bin = join(base, 'bin');
const outside = join(base, 'out');
for (const d of [home, join(home, '.ssh'), stateDir, bin, outside]) mkdirSync(d, { recursive: true });
writeFileSync(join(home, '.ssh', 'id_rsa'), 'DECOY-PRIVATE-KEY\n');

const SESSION = 'exec-sbx-test';
const value = uniqueToken();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
new SecretStore(stateDir).add('TOK', { value }, { commands: ['showtok'] });

// The child proves it got the value by a side effect (its hash in a file), prints it (for the mask to catch), and
// records whether it could read the decoy key and write outside the workspace.
writeFileSync(
  join(bin, 'showtok'),
  [
    '#!/bin/sh',
    `printf '%s' "$TOK" | sha256sum | cut -d' ' -f1 > tok.sha`,
    'echo "token: $TOK"',
    'if cat "$HOME/.ssh/id_rsa" >/dev/null 2>&1; then echo read > key.result; else echo denied > key.result; fi',
    `if (echo x > '${outside}/escaped') 2>/dev/null; then echo wrote > write.result; else echo denied > write.result; fi`,
    'if [ -n "$OTHER_TOKEN" ]; then echo present > other.result; else echo scrubbed > other.result; fi',
    '',
  ].join('\n'),
);
chmodSync(join(bin, 'showtok'), 0o755);

const env: Record<string, string> = {
  PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  HOME: home,
  CORDON_HOME: stateDir,
  LANG: 'C.UTF-8',
  CLAUDE_CODE_SESSION_ID: SESSION,
  OTHER_TOKEN: 'not-for-the-child',
};

const helpers: { policy: Policy; ctx: SandboxContext }[] = [];
after(async () => {
  for (const h of helpers) await stopHelper(h.policy, h.ctx).catch(() => false);
  rmSync(base, { recursive: true, force: true });
});

function workspace(name: string, mode: 'on' | 'off'): { ws: string; policy: Policy } {
  const ws = join(base, name);
  mkdirSync(join(ws, '.git'), { recursive: true });
  mkdirSync(join(ws, '.cordon'), { recursive: true });
  writeFileSync(join(ws, '.cordon', 'policy.yaml'), `sandbox:\n  mode: ${mode}\n`);
  const loaded = loadPolicy({ workspace: ws, stateDir });
  assert.ok(loaded.ok, JSON.stringify(loaded));
  if (mode === 'on') helpers.push({ policy: loaded.policy, ctx: { workspace: ws, home, stateDir, sessionId: SESSION, env } });
  return { ws, policy: loaded.policy };
}

const result = (ws: string, f: string) => readFileSync(join(ws, f), 'utf8').trim();

function assertConfined(ws: string, r: { code: number | null; stdout: string; stderr: string }): void {
  assert.equal(r.code, 0, r.stderr);
  assert.equal(result(ws, 'tok.sha'), sha(value), 'the child received the secret');
  assert.equal(r.stdout, 'token: [secret:TOK]\n');
  assert.equal((r.stdout + r.stderr).includes(value), false);
  assert.equal(result(ws, 'key.result'), 'denied', 'the decoy key is unreadable inside');
  assert.equal(result(ws, 'write.result'), 'denied', 'nothing outside the workspace is writable');
  assert.equal(existsSync(join(outside, 'escaped')), false);
  assert.equal(result(ws, 'other.result'), 'scrubbed', 'credentials not named with --secret are still scrubbed');
}

test('cordon exec runs its child inside the sandbox, with the secret passed and its output masked', { skip }, async () => {
  const { ws } = workspace('ws-on', 'on');
  // The decoy is readable to this process: a "denied" below is the sandbox's doing.
  assert.equal(readFileSync(join(home, '.ssh', 'id_rsa'), 'utf8'), 'DECOY-PRIVATE-KEY\n');
  const r = await run(process.execPath, [CLI, 'exec', '--secret', 'TOK', '--', 'showtok'], { env, cwd: ws });
  assertConfined(ws, r);
  // The session's helper outlives the command; the value was kept out of its environment.
  const helpers = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(join(stateDir, 'sandbox') + '/');
      } catch {
        return false;
      }
    });
  assert.ok(helpers.length > 0, 'the helper is running');
  for (const p of helpers) assert.equal(readFileSync(`/proc/${p}/environ`, 'utf8').includes(value), false);
});

test('a lone cordon exec Bash call is rewritten to run outside the sandbox and confines its child', { skip }, async () => {
  await initShellParser();
  const { ws, policy } = workspace('ws-hook', 'on');
  const command = 'cordon exec --secret TOK -- showtok';
  const ev = { event: 'PreToolUse' as const, sessionId: SESSION, cwd: ws, toolName: 'Bash', toolInput: { command }, raw: {} };
  const rw = rewriteShellCall(ev, { policy, workspace: ws, home, stateDir, env });
  assert.ok(rw && 'updatedInput' in rw, JSON.stringify(rw));
  assert.deepEqual(rw.layers, ['broker', 'mask']);
  assert.equal(unwrapShellCall(String(rw.updatedInput.command)), command, 'PostToolUse sees the call the model wrote');
  // As Claude Code's Bash tool runs it: `cordon` need not be on PATH, the rewrite names this installation.
  const r = await run('/bin/sh', ['-c', String(rw.updatedInput.command)], { env, cwd: ws });
  assertConfined(ws, r);
});

test('cordon exec run inside the sandbox (a compound Bash call) says why it cannot work', { skip }, async () => {
  await initShellParser();
  const { ws, policy } = workspace('ws-inner', 'on');
  const command = 'cd . && cordon exec --secret TOK -- showtok';
  const ev = { event: 'PreToolUse' as const, sessionId: SESSION, cwd: ws, toolName: 'Bash', toolInput: { command }, raw: {} };
  const rw = rewriteShellCall(ev, { policy, workspace: ws, home, stateDir, env });
  assert.ok(rw && 'updatedInput' in rw, JSON.stringify(rw));
  assert.deepEqual(rw.layers, ['sandbox', 'mask']);
  // `cordon` on PATH inside the sandbox: a shim for this installation's CLI.
  writeFileSync(join(bin, 'cordon'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  chmodSync(join(bin, 'cordon'), 0o755);
  try {
    const r = await run('/bin/sh', ['-c', String(rw.updatedInput.command)], { env, cwd: ws });
    assert.equal(r.code, 126);
    assert.match(r.stderr, /^cordon exec: refused: it ran inside the sandbox[^\n]*\n$/);
    assert.equal(existsSync(join(ws, 'tok.sha')), false);
  } finally {
    rmSync(join(bin, 'cordon'));
  }
});

test('a sandbox that cannot start is a refusal: exit 126, one line, and the child never runs', { skip }, async () => {
  const { ws } = workspace('ws-fail', 'on');
  // A state dir too long for the helper's unix socket path.
  const longState = join(base, 'x'.repeat(120));
  mkdirSync(longState, { recursive: true });
  new SecretStore(longState).add('TOK', { value }, { commands: ['showtok'] });
  const r = await run(process.execPath, [CLI, 'exec', '--secret', 'TOK', '--', 'showtok'], { env: { ...env, CORDON_HOME: longState }, cwd: ws });
  assert.equal(r.code, 126);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^cordon exec: refused: the sandbox cannot start[^\n]*\n$/);
  assert.equal(existsSync(join(ws, 'tok.sha')), false, 'the child did not run');
});

test('with sandbox.mode: off the child runs unconfined, as before', { skip }, async () => {
  const { ws } = workspace('ws-off', 'off');
  const r = await run(process.execPath, [CLI, 'exec', '--secret', 'TOK', '--', 'showtok'], { env, cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(result(ws, 'tok.sha'), sha(value));
  assert.equal(r.stdout, 'token: [secret:TOK]\n');
  assert.equal(result(ws, 'key.result'), 'read');
  assert.equal(result(ws, 'other.result'), 'present');
  rmSync(join(outside, 'escaped'), { force: true });
});

test('no ~/.bashrc runs on the way into the sandbox, even with a socket for stdin and no SHLVL', { skip }, async () => {
  // Debian's bash runs ~/.bashrc for `bash -c` when stdin is a socket and SHLVL is unset (its rshd/sshd rule);
  // the spawns below give it exactly that. The marker is written outside the workspace: only a shell started
  // outside the sandbox can write it.
  const marker = join(outside, 'bashrc-ran');
  writeFileSync(join(home, '.bashrc'), `touch '${marker}'\necho RC-RAN\n`);
  try {
    const noLevel = { ...env };
    delete noLevel.SHLVL;
    const { ws: on } = workspace('ws-rc-on', 'on');
    const { ws: off } = workspace('ws-rc-off', 'off');
    for (const [cwd, args] of [
      [on, ['exec', '--secret', 'TOK', '--', 'showtok']],
      [on, ['run', '--', 'echo inside']],
      [off, ['run', '--', 'echo unconfined']],
      [on, ['run', '--no-sandbox', '--', 'echo unconfined']],
    ] as const) {
      const r = await run(process.execPath, [CLI, ...args], { env: noLevel, cwd });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /RC-RAN/, args.join(' '));
      assert.equal(existsSync(marker), false, `${args.join(' ')} ran ~/.bashrc`);
    }
  } finally {
    rmSync(join(home, '.bashrc'), { force: true });
  }
});

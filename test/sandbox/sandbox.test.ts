/**
 * The sandbox for real: rewritten commands run through `/bin/sh -c` as Claude Code's Bash tool runs them, inside
 * bubblewrap with the real helper, proxy and seccomp filter. Skips only when bubblewrap is missing.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicySchema, defaultPolicy, type Policy } from '../../src/policy/schema.js';
import { wrapBashCommand, originalCommand } from '../../src/sandbox/wrap.js';
import { runProbes } from '../../src/sandbox/probes.js';
import { stopHelper } from '../../src/sandbox/run.js';
import { sandboxPlan, type SandboxContext } from '../../src/sandbox/plan.js';

const BWRAP = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p));
const skip = BWRAP ? false : 'bubblewrap is not installed (apt-get install bubblewrap socat ripgrep)';

// Short base path: the helper's unix socket lives under the state dir (108-byte limit).
const base = mkdtempSync('/tmp/csb-');
const home = join(base, 'h');
const ws = join(base, 'ws');
const outside = join(base, 'out');
const stateDir = join(base, 's');
for (const d of [home, ws, outside, join(home, '.ssh'), join(ws, 'sub')]) mkdirSync(d, { recursive: true });
writeFileSync(join(home, '.ssh', 'id_rsa'), 'DECOY-PRIVATE-KEY\n');
writeFileSync(join(ws, '.env'), 'SECRET=DECOY-ENV\n');
writeFileSync(join(ws, 'sub', '.env.local'), 'SECRET=DECOY-SUB\n');

const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CORDON_HOME: stateDir, LANG: 'C.UTF-8' };
const ctx: SandboxContext = { workspace: ws, home, stateDir, sessionId: 'sbx-test', env };
const started: { policy: Policy; ctx: SandboxContext }[] = [];

let server: Server;
let port = 0;
let hits = 0;
before(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('hello from the host');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  server?.close();
  for (const s of started) await stopHelper(s.policy, s.ctx).catch(() => false);
  rmSync(base, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Rewrites `command` like the hook does and runs the result through /bin/sh, like Claude Code's Bash tool. */
function sandboxed(command: string, opts: { policy?: Policy; input?: string; env?: Record<string, string>; cwd?: string; c?: SandboxContext; offline?: boolean } = {}): Promise<Run> {
  const policy = opts.policy ?? defaultPolicy();
  const c = opts.c ?? ctx;
  const w = wrapBashCommand(command, { ...c, policy }, { offline: opts.offline === true });
  if ('error' in w) throw new Error(`${w.error}; ${w.fix}`);
  if (!started.some((s) => s.policy === policy && s.ctx === c)) started.push({ policy, ctx: c });
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', w.command], { cwd: opts.cwd ?? ws, env: { ...env, ...opts.env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('live probes all pass (root or not, whoever runs the suite)', { skip }, async () => {
  const results = await runProbes({ stateDir, sessionId: 'probe-test', env });
  for (const r of results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
  assert.equal(results.length, 7);
});

test('exit status, stdout, stderr and stdin behave as without the sandbox', { skip }, async () => {
  const a = await sandboxed('wc -l', { input: 'a\nb' });
  assert.equal(a.code, 0);
  assert.equal(a.stdout.trim(), '1');
  const b = await sandboxed('echo out; echo err >&2; exit 7');
  assert.deepEqual([b.code, b.stdout, b.stderr], [7, 'out\n', 'err\n']);
  const c = await sandboxed('cat; cat', { input: 'line1\nline2\n' });
  assert.equal(c.stdout, 'line1\nline2\n');
  const d = await sandboxed('kill -TERM $$');
  assert.equal(d.code ?? 128 + 15, 143);
});

test('the original command text runs exactly, whatever its quoting', { skip }, async () => {
  const tricky = [
    `printf '%s\\n' "it's" 'a "b"' \`echo tick\` $((6*7)) "$HOME" '$HOME'`,
    `cat <<'EOF'\n  $not_expanded \\ back\\slash\n\tTAB ünïcødé 🚀\nEOF`,
    `x='; echo INJECTED'; echo "$x"`,
    `echo -n 'trailing newline kept'\n\n`,
  ];
  for (const cmd of tricky) {
    const want = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env }).stdout;
    const got = await sandboxed(cmd);
    assert.equal(got.stdout, want, cmd);
    const w = wrapBashCommand(cmd, { ...ctx, policy: defaultPolicy() });
    assert.equal('command' in w ? originalCommand(w.command) : undefined, cmd);
    assert.equal(got.code, 0, got.stderr);
  }
});

test('a command larger than one argument allows travels in a file and still runs exactly', { skip }, async () => {
  const big = `cat > big.txt <<'EOF'\n${'x'.repeat(150_000)}\nEOF\nwc -c < big.txt`;
  const r = await sandboxed(big);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '150001');
  assert.deepEqual(readdirSafe(join(stateDir, 'sandbox', 'cmd')), []);
});

function readdirSafe(d: string): string[] {
  try {
    return spawnSync('ls', ['-A', d], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

test('credential variables are scrubbed; ordinary ones pass', { skip }, async () => {
  const r = await sandboxed('env', { env: { GITHUB_TOKEN: 'ghp_planted', AWS_SECRET_ACCESS_KEY: 'aws_planted', EDITOR: 'vim' } });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /planted/);
  assert.match(r.stdout, /^EDITOR=vim$/m);
  assert.match(r.stdout, new RegExp(`^TMPDIR=/tmp/cordon-sbx-\\d+/sbx-test$`, 'm'));
  const p = await sandboxed('cat /proc/1/environ /proc/$PPID/environ 2>/dev/null | tr "\\0" "\\n"', { env: { GITHUB_TOKEN: 'ghp_planted' } });
  assert.doesNotMatch(p.stdout, /planted/);
});

test('writes: workspace and session temp yes; outside, ~/.ssh, state dir, .cordon and git hooks no', { skip }, async () => {
  spawnSync('git', ['init', '-q', ws]);
  const r = await sandboxed(
    [
      'echo a > inside.txt && echo ok-ws',
      'echo b > sub/deeper.txt && echo ok-sub',
      'echo c > "$TMPDIR/t" && echo ok-tmp',
      `echo d > ${outside}/x || echo no-outside`,
      `echo e > ${home}/.ssh/authorized_keys || echo no-ssh`,
      `echo f > ${stateDir}/x || echo no-state`,
      'mkdir .cordon 2>/dev/null || echo no-cordon',
      'echo g > .git/hooks/pre-commit || echo no-hook',
    ].join('\n'),
  );
  assert.deepEqual(r.stdout.trim().split('\n'), ['ok-ws', 'ok-sub', 'ok-tmp', 'no-outside', 'no-ssh', 'no-state', 'no-cordon', 'no-hook']);
  assert.equal(readFileSync(join(ws, 'inside.txt'), 'utf8'), 'a\n');
  assert.ok(!existsSync(join(outside, 'x')));
  assert.ok(!existsSync(join(home, '.ssh', 'authorized_keys')));
  assert.ok(!existsSync(join(stateDir, 'x')));
  assert.ok(!existsSync(join(ws, '.git', 'hooks', 'pre-commit')));
  // No placeholder is left behind on the host, and git inside sees no phantom files.
  assert.ok(!existsSync(join(ws, '.bashrc')) && !existsSync(join(ws, '.cordon')) && !existsSync(join(ws, '.mcp.json')));
  if (spawnSync('git', ['--version']).status !== 0) return;
  const g = await sandboxed('git add -A && git status --porcelain');
  assert.equal(g.code, 0, g.stderr);
  assert.doesNotMatch(g.stdout, /\.bashrc|\.mcp\.json|\.cordon|\.env/);
  assert.ok(!existsSync(join(ws, '.bashrc')) && !existsSync(join(ws, '.cordon')) && !existsSync(join(ws, '.mcp.json')));
});

test('reads: decoy ~/.ssh/id_rsa, workspace .env files and the state dir fail; the workspace reads', { skip }, async () => {
  const r = await sandboxed(`cat ~/.ssh/id_rsa; cat .env; cat sub/.env.local; ls -A ${stateDir}; cat ${join(stateDir, 'sandbox', 'preflight.json')}; echo visible-$(wc -l < sub/deeper.txt)`);
  assert.doesNotMatch(r.stdout, /DECOY|preflight|"ok"/);
  assert.match(r.stdout, /visible-1/);
});

test('network: a local server is refused with a clear message unless allow-listed', { skip }, async () => {
  const curl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
  if (!curl) return void assert.ok(true, 'curl missing: the bash-only probe in runProbes covers refusal');
  const get = `curl -sS -m 10 http://127.0.0.1:${port}/x; echo " rc=$?"`;
  const before = hits;
  const denied = await sandboxed(get);
  assert.equal(hits, before, 'the request must not reach the host server');
  assert.match(denied.stdout + denied.stderr, /403|blocked|not allowed/i);
  assert.doesNotMatch(denied.stdout + denied.stderr, /resolve host/i);

  const allowed = PolicySchema.parse({ sandbox: { network: { allow: [`127.0.0.1:${port}`] } } });
  const ok = await sandboxed(get, { policy: allowed });
  assert.match(ok.stdout, /hello from the host rc=0/, ok.stderr);
  assert.equal(hits, before + 1);
  const name = await sandboxed(`curl -sS -m 10 http://example.invalid/; echo " rc=$?"`, { policy: allowed });
  assert.doesNotMatch(name.stdout + name.stderr, /resolve host/i);
  assert.match(name.stdout + name.stderr, /403|blocked|not allowed/i);
});

test('sandbox.mode off bypasses: the command runs as written', { skip }, async () => {
  const off = PolicySchema.parse({ sandbox: { mode: 'off' } });
  const w = wrapBashCommand(`cat ${home}/.ssh/id_rsa`, { ...ctx, policy: off });
  assert.deepEqual(w, { command: `cat ${home}/.ssh/id_rsa` });
  const r = spawnSync('/bin/sh', ['-c', (w as { command: string }).command], { encoding: 'utf8' });
  assert.equal(r.stdout, 'DECOY-PRIVATE-KEY\n');
});

test('fail closed: with no helper able to start, the command does not run and says why', { skip }, async () => {
  const c2: SandboxContext = { ...ctx, sessionId: 'broken' };
  const policy = defaultPolicy();
  const w = wrapBashCommand(`touch ${join(ws, 'should-not-exist')}`, { ...c2, policy });
  assert.ok('command' in w);
  // Corrupt the plan so the helper refuses to start.
  const planFile = join(stateDir, 'sandbox', `${(await import('../../src/sandbox/plan.js')).planKey(sandboxPlan(policy, c2))}.json`);
  writeFileSync(planFile, '{"version": 99}');
  const r = spawnSync('/bin/sh', ['-c', (w as { command: string }).command], { encoding: 'utf8', env: { ...env, CORDON_SANDBOX_START_MS: '1500' } });
  rmSync(planFile);
  assert.equal(r.status, 126);
  assert.match(r.stderr, /did not start.*did not run/);
  assert.ok(!existsSync(join(ws, 'should-not-exist')));
});

test('the helper starts on first use and is reused afterwards', { skip }, async () => {
  const c3: SandboxContext = { ...ctx, sessionId: 'reuse' };
  await sandboxed('true', { c: c3 });
  const sock = join(stateDir, 'sandbox', `${(await import('../../src/sandbox/plan.js')).planKey(sandboxPlan(defaultPolicy(), c3))}.sock`);
  assert.ok(existsSync(sock));
  const r = await sandboxed('echo again', { c: c3 });
  assert.equal(r.stdout, 'again\n');
  assert.equal(await stopHelper(defaultPolicy(), c3), true);
});

test('a wrap prepared in advance is not reused once a file it depends on appears', { skip }, async () => {
  // First command in the directory: the helper prepares the next wrap as soon as it ends.
  await sandboxed('true');
  await new Promise((r) => setTimeout(r, 300));
  // Host-side changes after that: a new .env file and a nested repository's hooks.
  writeFileSync(join(ws, '.env.production'), 'SECRET=DECOY-LATE\n');
  spawnSync('git', ['init', '-q', join(ws, 'nested')]);
  writeFileSync(join(ws, '.gitignore'), 'nested/\n');
  const r = await sandboxed('cat .env.production; echo x > nested/.git/hooks/post-checkout || echo no-nested-hook');
  assert.doesNotMatch(r.stdout, /DECOY-LATE/);
  assert.match(r.stdout, /no-nested-hook/);
  assert.ok(!existsSync(join(ws, 'nested', '.git', 'hooks', 'post-checkout')));
});

test('the first request of a fast command goes through (the in-sandbox proxy listener is awaited)', { skip }, async () => {
  if (!spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim()) return;
  const allowed = PolicySchema.parse({ sandbox: { network: { allow: [`127.0.0.1:${port}`] } } });
  const c: SandboxContext = { ...ctx, sessionId: 'race' };
  let failures = 0;
  for (let i = 0; i < 25; i++) {
    const r = await sandboxed(`curl -sS -m 10 http://127.0.0.1:${port}/race`, { policy: allowed, c });
    if (r.stdout !== 'hello from the host') failures++;
  }
  assert.equal(failures, 0);
});

test('the listener wait reads the namespace\'s /proc/net/tcp, in the form the kernel shows there', { skip }, async () => {
  // The wait looks for 3128's LISTEN line instead of connecting; were the line shown otherwise (tcp6 only, another
  // layout), every call would sit out the wait's two-second bound instead.
  const r = await sandboxed("grep -c ':0C38 00000000:0000 0A' /proc/net/tcp; type __cordon_up >/dev/null 2>&1 && echo leaked || echo clean");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1\nclean\n');
});

/** A session of its own with its helper started: its context and the helper's files in the state dir. */
async function session(id: string): Promise<{ c: SandboxContext; portFile: string; logFile: string }> {
  const c: SandboxContext = { ...ctx, sessionId: id };
  await sandboxed('true', { c });
  const key = (await import('../../src/sandbox/plan.js')).planKey(sandboxPlan(defaultPolicy(), c));
  return { c, portFile: join(stateDir, 'sandbox', `${key}.port`), logFile: join(stateDir, 'sandbox', `${key}.log`) };
}

/** Stops the session's helper and waits until it has removed its port file. */
async function stopAndWait(c: SandboxContext, portFile: string): Promise<void> {
  assert.equal(await stopHelper(defaultPolicy(), c), true);
  for (let i = 0; i < 40 && existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 50));
}

test('the entry runs nothing from the caller\'s environment: no BASH_ENV, no exported functions', { skip }, async () => {
  const marker = join(outside, 'bash-env-ran');
  const rc = join(outside, 'rc.sh');
  writeFileSync(rc, `touch ${marker}\n`);
  const r = await sandboxed('echo fine', { env: { BASH_ENV: rc, 'BASH_FUNC_read%%': '() { echo hijacked; }', 'BASH_FUNC_printf%%': '() { echo hijacked; }' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'fine\n');
  // Inner shells inside the sandbox may read BASH_ENV, but they cannot write outside the workspace.
  assert.ok(!existsSync(marker));
});

test('the helper\'s loopback port answers only with the token from the state dir', { skip }, async () => {
  const { c: c4, portFile } = await session('token');
  const [p, token] = readFileSync(portFile, 'utf8').trim().split(' ') as [string, string];
  assert.match(token, /^[0-9a-f]{48}$/);
  const { connect } = await import('node:net');
  const ask = (tok: string) =>
    new Promise<string>((res) => {
      const s = connect(Number(p), '127.0.0.1');
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => res(got));
      s.on('error', () => res(got));
      const payload = Buffer.from(`touch ${join(ws, 'via-forged-request')}`).toString('base64');
      s.write(`W1\0${tok}\0${payload}\0${ws}\0\0\0PATH\n\0`);
      setTimeout(() => s.end(), 1500);
    });
  // A wrong token gets the connection closed, without a word and without a script.
  assert.equal(await ask('0'.repeat(48)), '');
  assert.equal(await ask('short'), '');
  const dir = join(stateDir, 'sandbox', 'w');
  assert.deepEqual(readdirSync(dir), []);
  // The right one gets a script path (what entry.sh sources); nothing runs until an entry sources it.
  const ok = await ask(token);
  assert.match(ok, /^OK\t\/.*\/w\/[0-9a-f]{24}\.sh\n/);
  assert.ok(!existsSync(join(ws, 'via-forged-request')));
  // The connection closed, so the helper removed the script.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(readdirSync(dir), []);
  // A helper that leaves takes its port file with it.
  await stopAndWait(c4, portFile);
  assert.ok(!existsSync(portFile));
});

test('an entry that finds no port file reaches the running helper again (start-up race loser)', { skip }, async () => {
  const { c: c5, portFile } = await session('advertise');
  const before = readFileSync(portFile, 'utf8');
  rmSync(portFile);
  const r = await sandboxed('echo back', { c: c5 });
  assert.equal(r.stdout, 'back\n', r.stderr);
  // Same helper (same port and token), named again by the helper that started and left.
  assert.equal(readFileSync(portFile, 'utf8'), before);
  assert.equal(await stopHelper(defaultPolicy(), c5), true);
});

test('the confined command inherits no descriptor of the entry (its connection to the helper stays outside)', { skip }, async () => {
  const r = await sandboxed('ls /proc/self/fd');
  assert.equal(r.code, 0, r.stderr);
  // The same descriptors as the command run without the sandbox from the same parent (the streams, ls's own
  // handle on the directory, and whatever the test runner itself was given).
  const plain = spawnSync('/bin/sh', ['-c', 'ls /proc/self/fd'], { encoding: 'utf8', env, stdio: ['pipe', 'pipe', 'pipe'] });
  const fds = (s: string) => s.trim().split('\n').map(Number).sort((a, b) => a - b);
  assert.deepEqual(fds(r.stdout), fds(plain.stdout));
});

test('a rewritten call killed from outside takes its sandbox with it', { skip }, async () => {
  // Killed as a terminal or a process-tree kill does it (its process group), and with only the entry itself
  // signalled (a shell that execs the rewritten command).
  for (const how of ['group', 'entry'] as const) {
    const marker = join(ws, `survived-kill-${how}`);
    const w = wrapBashCommand(`sleep 3; touch ${marker}`, { ...ctx, policy: defaultPolicy() });
    assert.ok('command' in w);
    const argv = how === 'group' ? ['/bin/sh', '-c', w.command] : ['/bin/bash', '-c', `exec ${w.command}`];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ws, env, stdio: 'ignore', detached: how === 'group' });
    await new Promise((r) => setTimeout(r, 700));
    if (how === 'group') process.kill(-child.pid!, 'SIGTERM');
    else child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c, s) => r(c ?? (s ? 128 : null))));
    assert.notEqual(code, 0, how);
    await new Promise((r) => setTimeout(r, 3000));
    assert.ok(!existsSync(marker), `the confined command kept running after ${how === 'group' ? 'its process group' : 'its entry'} was killed`);
  }
});

test('a port file that names someone else\'s port (a helper that died) is replaced, and the command runs', { skip }, async () => {
  const { createServer: tcpServer } = await import('node:net');
  // Accepts and hangs up without a word, like a listener that does not know the token.
  let seen = 0;
  const foreign = tcpServer((s) => {
    seen++;
    s.destroy();
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  const foreignPort = (foreign.address() as { port: number }).port;
  try {
    const { c: c6, portFile } = await session('stale');
    for (const helperAlive of [true, false]) {
      await sandboxed('true', { c: c6 });
      if (!helperAlive) await stopAndWait(c6, portFile);
      writeFileSync(portFile, `${foreignPort} ${'ab'.repeat(24)}\n`);
      const before = seen;
      const r = await sandboxed('echo recovered', { c: c6 });
      assert.equal(r.stdout, "recovered\n", `${helperAlive ? "live" : "dead"} helper: code ${r.code} ${r.signal} ${r.stderr}`);
      assert.equal(seen, before + 1);
      assert.doesNotMatch(readFileSync(portFile, 'utf8'), new RegExp(`^${foreignPort} `));
    }
    await stopHelper(defaultPolicy(), c6);
  } finally {
    foreign.close();
  }
});

test('SIGPIPE: the confined command gets the default; a helper gone mid-command does not change its status', { skip }, async () => {
  const p = await sandboxed('yes | head -n 1; echo "${PIPESTATUS[0]}"');
  assert.equal(p.stdout, 'y\n141\n', p.stderr);
  const { c: c7, logFile } = await session('helper-dies');
  const running = sandboxed('sleep 1; exit 5', { c: c7 });
  await new Promise((r) => setTimeout(r, 400));
  const pid = Number(/pid (\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1]);
  assert.ok(pid > 0);
  process.kill(pid, 'SIGKILL');
  const r = await running;
  assert.equal(r.code, 5, r.stderr);
});

test('a command marked offline runs without the network bridges, and reaches no host, allowed or not', { skip }, async () => {
  const allowed = PolicySchema.parse({ sandbox: { network: { allow: [`127.0.0.1:${port}`] } } });
  const c8: SandboxContext = { ...ctx, sessionId: 'offline' };
  const procs = (r: Run) => r.stdout.split('\n').filter(Boolean).sort();
  const online = await sandboxed('cat /proc/[0-9]*/comm', { policy: allowed, c: c8 });
  assert.ok(procs(online).includes('socat'), online.stdout);
  const off = await sandboxed('cat /proc/[0-9]*/comm', { policy: allowed, c: c8, offline: true });
  assert.equal(off.code, 0, off.stderr);
  assert.ok(!procs(off).includes('socat'), off.stdout);
  // Same workspace rules.
  const w = await sandboxed(`echo x > ${join(outside, 'offline-write')}; cat ${home}/.ssh/id_rsa; echo in > offline-ok`, { policy: allowed, c: c8, offline: true });
  assert.ok(!existsSync(join(outside, 'offline-write')));
  assert.doesNotMatch(w.stdout, /DECOY/);
  assert.ok(existsSync(join(ws, 'offline-ok')));
  if (!spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim()) return;
  const before = hits;
  const r = await sandboxed(`curl -sS -m 5 http://127.0.0.1:${port}/offline`, { policy: allowed, c: c8, offline: true });
  assert.notEqual(r.code, 0);
  assert.equal(hits, before);
  const ok = await sandboxed(`curl -sS -m 5 http://127.0.0.1:${port}/online`, { policy: allowed, c: c8 });
  assert.equal(ok.stdout, 'hello from the host');
});

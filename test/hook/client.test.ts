/**
 * The hook process itself: one self-contained file carrying this build's id; node's pipe handles instead of
 * node:net on Node 20, with the same answers as the stream path on every input; an answer that survives a
 * non-blocking stdout; and a daemon that hangs up before the request still leaves the call decided.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_ID } from '../../src/build-id.cjs';
import { CLIENT_BUILD_ID } from '../../src/hook/client.cjs';
import { socketPath } from '../../src/hook/wire.cjs';
import { daemonStatus, stopDaemon } from '../../src/daemon/control.js';
import { listRecords } from '../../src/audit/index.js';

const CLIENT = fileURLToPath(new URL('../../src/hook/client.cjs', import.meta.url));
// Short paths: unix socket paths are limited to ~107 bytes.
const base = mkdtempSync(join('/tmp', 'cc-'));
const ws = join(base, 'ws');
mkdirSync(join(ws, '.git'), { recursive: true });
const env = { PATH: process.env.PATH ?? '', HOME: join(base, 'h'), CORDON_HOME: join(base, 's'), CLAUDE_PROJECT_DIR: ws };

after(async () => {
  await stopDaemon(env);
  rmSync(base, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** node:net was loaded in the hook process. */
  net: boolean;
}

/** Runs the hook process as Claude Code does (stdin a socket), reporting whether it loaded node:net. */
function runHook(input: Buffer | string, extra: Record<string, string> = {}, opts: { closeStdin?: boolean } = {}): Promise<Run> {
  const probe = join(base, 'probe.cjs');
  writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, '\\n@net=' + process.moduleLoadList.includes('NativeModule net') + '\\n'));\n");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', probe, CLIENT, 'PreToolUse'], { env: { ...env, ...extra }, cwd: ws });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code, stdout, stderr, net: /@net=true/.test(stderr) }));
    if (opts.closeStdin === false) child.stdin.write(input);
    else child.stdin.end(input);
  });
}


const event = (command: string, id = 't') =>
  JSON.stringify({ session_id: 'client-test', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: id });

test('the client carries the build id that the daemon checks, stamped and loaded without any other file of ours', () => {
  assert.equal(CLIENT_BUILD_ID, BUILD_ID);
  assert.match(BUILD_ID, /^[0-9a-f]{12}$/);
  const text = readFileSync(CLIENT, 'utf8');
  assert.deepEqual([...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]).filter((m) => !m!.startsWith('node:')), []);
});

const MULTI_BYTE = 'echo "żółw 🐢 ' + 'ą'.repeat(40_000) + '"';
const inputs: [string, Buffer | string][] = [
  ['allowed', event('ls -la')],
  ['denied', event('rm -rf ~/')],
  ['garbage', 'this is not json {{{ \u0000\u00ff'],
  ['empty', ''],
  ['wrong shape', '[1,2,3]'],
  // Characters cut in two between reads.
  ['multi-byte', event(MULTI_BYTE, 'multi-byte')],
  ['huge', Buffer.alloc(5 * 1024 * 1024, 'a')],
];

test('Node 20, Linux: the hook reads stdin and asks the daemon without loading node:net, and answers as the stream path does', { timeout: 120_000 }, async () => {
  const fast = /^20\./.test(process.versions.node) && process.platform === 'linux';
  for (const daemon of ['off', 'on']) {
    const mode: Record<string, string> = daemon === 'off' ? { CORDON_DAEMON: 'off' } : {};
    if (daemon === 'on') {
      // The first call starts the daemon.
      await runHook(event('ls'));
      for (let i = 0; i < 200 && !(await daemonStatus(env)).running; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok((await daemonStatus(env)).running, 'daemon came up');
    }
    for (const [label, input] of inputs) {
      const raw = await runHook(input, mode);
      const streams = await runHook(input, { ...mode, CORDON_HOOK_IO: 'streams' });
      assert.equal(raw.code, 0, `${label}: ${raw.stderr}`);
      assert.equal(streams.code, 0, `${label}: ${streams.stderr}`);
      // A long command is handed to the sandbox in a file with a random name.
      const same = (o: string) => o.replace(/\/cmd\/[0-9a-f]+\.sh/, '/cmd/X.sh');
      assert.equal(same(raw.stdout), same(streams.stdout), `${label}, daemon ${daemon}: same answer both ways`);
      JSON.parse(raw.stdout);
      assert.equal(streams.net, true, 'CORDON_HOOK_IO=streams uses node:net');
      if (daemon === 'on' && fast) assert.equal(raw.net, false, `${label}: node:net loaded on the fast path`);
    }
  }
  // Both ways, every byte arrived: the audit records hold the exact command.
  const seen = listRecords({ stateDir: env.CORDON_HOME, session: 'client-test' }).filter((r) => r.toolUseId === 'multi-byte');
  assert.equal(seen.length, 4);
  for (const r of seen) assert.equal((r.input as { command?: string }).command, MULTI_BYTE);
  const deny = await runHook(event('rm -rf ~/'));
  assert.equal(JSON.parse(deny.stdout).hookSpecificOutput.permissionDecision, 'deny');
  await stopDaemon(env);
});

test('both ways, a stdin that never closes is answered with a deny at the hard deadline', { timeout: 60_000 }, async () => {
  for (const io of ['fast', 'streams']) {
    const r = await runHook('{"session_id":', { CORDON_DAEMON: 'no-autostart', CORDON_HOOK_HARD_MS: '700', ...(io === 'streams' ? { CORDON_HOOK_IO: 'streams' } : {}) }, { closeStdin: false });
    assert.equal(r.code, 0, io);
    const o = JSON.parse(r.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
    assert.equal(o.hookSpecificOutput.permissionDecision, 'deny', io);
    assert.match(o.hookSpecificOutput.permissionDecisionReason, /cordon\.timeout/, io);
  }
});

test('node options that turn deprecation warnings into errors do not turn answers into refusals', { timeout: 60_000 }, async () => {
  for (const [command, want] of [
    ['ls', 'allow'],
    ['rm -rf ~/', 'deny'],
  ]) {
    const r = await runHook(event(command!), { CORDON_DAEMON: 'off', NODE_OPTIONS: '--throw-deprecation --pending-deprecation' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision ?? 'allow', want, r.stdout);
  }
});

test('an answer larger than the pipe buffer reaches a non-blocking stdout whole', { timeout: 60_000 }, async () => {
  // The answer comes from a stand-in daemon of this build, so that it can be far larger than a pipe holds (64 KiB).
  const sock = socketPath(env)!;
  mkdirSync(dirname(sock), { recursive: true });
  const big = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'x'.repeat(300_000) } });
  const daemon = createServer((c) => {
    let line = '';
    c.on('data', (d: Buffer) => {
      line += d.toString();
      if (line.includes('\n')) c.end(JSON.stringify({ build: BUILD_ID, stdout: big, exitCode: 0 }) + '\n');
    });
  });
  await new Promise<void>((r) => daemon.listen(sock, r));
  // A FIFO opened non-blocking on both ends: the client's writes fail with EAGAIN once the buffer is full.
  const fifo = join(base, 'out.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const wfd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  let nonBlocking: Socket | undefined;
  try {
    const child = spawn(process.execPath, [CLIENT, 'PreToolUse'], { env: { ...env, CORDON_DAEMON: 'no-autostart' }, stdio: ['pipe', wfd, 'pipe'] });
    // The child shares the write end's file description, which it made blocking when it started; a socket over
    // our copy makes it non-blocking again (for both) before the client gets to write.
    nonBlocking = new Socket({ fd: wfd, readable: false, writable: true });
    child.stdin!.end(event('ls'));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const chunks: Buffer[] = [];
    let code: number | null | undefined;
    child.on('close', (c) => (code = c));
    const buf = Buffer.alloc(1 << 16);
    // Read slowly, so the client meets a full pipe, until the client has exited and the FIFO is drained.
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      let n = 0;
      try {
        n = readSync(rfd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        n = -1;
      }
      if (n > 0) chunks.push(Buffer.from(buf.subarray(0, n)));
      // Once the client has exited, everything it wrote is in the FIFO: drained when a read finds nothing.
      if (n <= 0 && code !== undefined) break;
    }
    assert.equal(code, 0, stderr);
    assert.equal(Buffer.concat(chunks).toString('utf8'), big + '\n');
  } finally {
    if (nonBlocking) nonBlocking.destroy();
    else closeSync(wfd);
    closeSync(rfd);
    await new Promise<void>((r) => daemon.close(() => r()));
  }
});

test('a daemon that hangs up before the request is sent: the call is still decided, in-process', { timeout: 60_000 }, async () => {
  const sock = socketPath(env)!;
  mkdirSync(dirname(sock), { recursive: true });
  let connections = 0;
  const rude = createServer((c) => {
    connections++;
    c.destroy();
  });
  await new Promise<void>((r) => rude.listen(sock, r));
  try {
    for (const [command, want] of [
      ['rm -rf ~/', 'deny'],
      ['ls', 'allow'],
    ]) {
      const child = spawn(process.execPath, [CLIENT, 'PreToolUse'], { env: { ...env, CORDON_DAEMON: 'no-autostart' } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stdin.end(event(command!));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.equal(code, 0);
      const o = JSON.parse(stdout) as { hookSpecificOutput?: { permissionDecision?: string } };
      assert.equal(o.hookSpecificOutput?.permissionDecision ?? 'allow', want, `${command}: ${stdout.slice(0, 200)}`);
    }
    assert.ok(connections >= 2, 'the client did try the daemon');
  } finally {
    await new Promise<void>((r) => rude.close(() => r()));
  }
});

/**
 * The hook process itself: one self-contained file carrying this build's id, an answer that survives a
 * non-blocking stdout, and a daemon that hangs up before the request still leaves the call decided.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_ID } from '../../src/build-id.cjs';
import { CLIENT_BUILD_ID } from '../../src/hook/client.cjs';
import { socketPath } from '../../src/hook/wire.cjs';

const CLIENT = fileURLToPath(new URL('../../src/hook/client.cjs', import.meta.url));
// Short paths: unix socket paths are limited to ~107 bytes.
const base = mkdtempSync(join('/tmp', 'cc-'));
const ws = join(base, 'ws');
mkdirSync(join(ws, '.git'), { recursive: true });
const env = { PATH: process.env.PATH ?? '', HOME: join(base, 'h'), CORDON_HOME: join(base, 's'), CLAUDE_PROJECT_DIR: ws };

after(() => rmSync(base, { recursive: true, force: true }));

const event = (command: string) =>
  JSON.stringify({ session_id: 'client-test', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: 't' });

test('the client carries the build id that the daemon checks, stamped and loaded without any other file of ours', () => {
  assert.equal(CLIENT_BUILD_ID, BUILD_ID);
  assert.match(BUILD_ID, /^[0-9a-f]{12}$/);
  const text = readFileSync(CLIENT, 'utf8');
  assert.deepEqual([...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]).filter((m) => !m!.startsWith('node:')), []);
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

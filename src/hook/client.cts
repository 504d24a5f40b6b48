#!/usr/bin/env node
/**
 * The hook entry point Claude Code runs: `node client.cjs <EventName>` with the event JSON on stdin.
 *
 * Every tool call pays for this process, so it is kept lean: CommonJS and node built-ins only on the fast path
 * (measured: an ES module graph costs milliseconds that `require` of built-ins does not). It hands the event to
 * the per-user daemon (warm parser, open database) over a unix socket and prints the answer. When no daemon
 * answers (first call, stale build, crash), it starts one in the background and decides this call in-process
 * with the very same code, so no call is ever decided without analysis.
 *
 * Whatever happens, it prints one decision and exits 0 (or 2 for an unknown event) before its hard deadline:
 * Claude Code runs the tool when a hook crashes or times out.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { BUILD_ID, daemonEnv, failClosed, forwardedEnv, isHookEvent, MAX_STDIN_BYTES, socketPath, type HookOutput } from './wire.cjs';

interface Wire {
  event?: string;
  stdin: string;
  truncated: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}

/**
 * Reads all of stdin, stopping past the size limit. Through the stream API rather than fs.read on fd 0: a read
 * blocked in the thread pool keeps the process from exiting, and the hard deadline must be able to answer and
 * exit while a misbehaving caller still holds stdin open.
 */
function readStdin(): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: { text: string; truncated: boolean }) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    process.stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_STDIN_BYTES) {
        chunks.length = 0;
        process.stdin.destroy();
        return finish({ text: '', truncated: true });
      }
      chunks.push(c);
    });
    process.stdin.on('end', () => finish({ text: Buffer.concat(chunks).toString('utf8'), truncated: false }));
    process.stdin.on('error', () => finish({ text: Buffer.concat(chunks).toString('utf8'), truncated: false }));
  });
}

/** Asks the daemon; resolves undefined when it cannot (absent, stale, broken, slow), never rejects. */
function askDaemon(sock: string, req: Wire, timeoutMs: number): Promise<HookOutput | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    let settled = false;
    const s = connect(sock);
    const t = setTimeout(() => finish(undefined), timeoutMs);
    function finish(v: HookOutput | undefined): void {
      if (settled) return;
      settled = true;
      clearTimeout(t);
      s.destroy();
      resolve(v);
    }
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ build: BUILD_ID, ...req }) + '\n'));
    s.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        const o = JSON.parse(buf.slice(0, nl)) as HookOutput & { build?: string };
        // A daemon of another build must not decide for this one.
        if (o.build !== BUILD_ID || typeof o.stdout !== 'string' || typeof o.exitCode !== 'number') return finish(undefined);
        finish({ stdout: o.stdout, exitCode: o.exitCode, ...(o.stderr ? { stderr: o.stderr } : {}) });
      } catch {
        finish(undefined);
      }
    });
    s.on('error', () => finish(undefined));
    s.on('close', () => finish(undefined));
  });
}

function startDaemon(): void {
  try {
    // Required here, not at the top: only the first call of a session pays for loading child_process.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [join(__dirname, '..', 'daemon', 'main.js')], { detached: true, stdio: 'ignore', env: daemonEnv(process.env) });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The in-process path still decides this call.
  }
}

/** Runs one hook call for `eventArg` (the event the hook was registered for) and exits the process. */
export function runHookClient(eventArg: string | undefined): void {
  const event = isHookEvent(eventArg) ? eventArg : undefined;
  /** Hard stop: well under the timeout `cordon init` registers (30 s), and far above a normal call (~1 ms). */
  const HARD_MS = Number(process.env.CORDON_HOOK_HARD_MS) > 0 ? Number(process.env.CORDON_HOOK_HARD_MS) : 10_000;

  let answered = false;
  function answer(out: HookOutput): void {
    if (answered) return;
    answered = true;
    if (out.stderr) process.stderr.write(out.stderr + '\n');
    process.stdout.write(out.stdout + '\n', () => process.exit(out.exitCode));
  }
  const fail = (err: unknown) => answer(failClosed(event, 'cordon.internal-error', `cordon's hook failed (${firstLine(err)})`, 'run `cordon doctor`'));

  const hard = setTimeout(() => {
    answer(failClosed(event, 'cordon.timeout', `cordon did not finish within ${HARD_MS} ms, so the call was refused`, 'retry; run `cordon doctor` if it keeps happening'));
  }, HARD_MS);
  hard.unref();
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);

  (async () => {
    const { text, truncated } = await readStdin();
    const req: Wire = { stdin: text, truncated, cwd: process.cwd(), env: forwardedEnv(process.env) };
    if (eventArg !== undefined) req.event = eventArg;
    const mode = process.env.CORDON_DAEMON;
    const sock = socketPath(process.env);
    if (mode !== 'off' && sock) {
      // A healthy daemon answers in a few ms; a hung one must leave time to decide in-process.
      const viaDaemon = await askDaemon(sock, req, Math.min(1500, HARD_MS / 3));
      if (viaDaemon) return answer(viaDaemon);
      if (mode !== 'no-autostart') startDaemon();
    }
    const { handleHook, HookRuntime } = (await import('./handle.js')) as typeof import('./handle.js');
    const rt = new HookRuntime();
    const out = await handleHook(req, rt);
    rt.close();
    answer(out);
  })().catch(fail);
}

if (require.main === module) runHookClient(process.argv[2]);

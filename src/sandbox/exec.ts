/**
 * The entry the hook's rewritten Bash command runs: `node <this file> <plan.json> <payload>`.
 *
 * It sits on the hot path of every Bash call, so it imports only node builtins. It asks the per-session helper
 * (a unix socket next to the plan file, in cordon's state dir) for the confined argv and environment, starts the
 * helper when it is not running, and then runs the command itself with inherited stdin/stdout/stderr, so the
 * streams, the exit status and signals behave as if there were no sandbox. Nothing here ever runs the command
 * unconfined: if the helper cannot be reached or refuses, the command does not run (exit 126, reason on stderr).
 *
 * payload: the original command text in base64, or `@<file>` for commands too large for one argument (the file
 * lives in the state dir and is removed once read).
 *
 * `--pass=NAME,…` (cordon's own callers only, see wrapArgv): variables this process holds that the confined command
 * gets on purpose although the plan scrubs them (`cordon exec --secret`). Their values never go to the helper. A
 * rewritten Bash call never carries it: the model's text travels in the payload, and an entry started inside the
 * sandbox neither sees the scrubbed values nor reaches the helper.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { readFileSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { MAX_ENV_CMD, writeCommandFile } from './cmdfile.js';

/** Exit status when the sandbox could not be set up (the command never ran); 126 is "found but cannot run". */
export const SANDBOX_UNAVAILABLE = 126;
const HELPER_START_MS = Number(process.env.CORDON_SANDBOX_START_MS) > 0 ? Number(process.env.CORDON_SANDBOX_START_MS) : 15_000;

interface HelperReply {
  ok: boolean;
  argv?: string[];
  env?: Record<string, string>;
  tmpDir?: string;
  error?: string;
  fix?: string;
}

function fail(msg: string, fix?: string): never {
  process.stderr.write(`cordon sandbox: ${msg}${fix ? `; ${fix}` : ''}. The command did not run.\n`);
  process.exit(SANDBOX_UNAVAILABLE);
}

function tryConnect(path: string): Promise<Socket | undefined> {
  return new Promise((res) => {
    const s = connect(path);
    s.once('connect', () => res(s));
    s.once('error', () => res(undefined));
  });
}

function startHelper(planPath: string, env: NodeJS.ProcessEnv): void {
  const helper = join(fileURLToPath(new URL('.', import.meta.url)), 'helper.js');
  const child = spawn(process.execPath, [helper, planPath], { detached: true, stdio: 'ignore', env });
  child.unref();
}

async function reach(planPath: string, sockPath: string, env: NodeJS.ProcessEnv): Promise<Socket> {
  const first = await tryConnect(sockPath);
  if (first) return first;
  startHelper(planPath, env);
  const until = Date.now() + HELPER_START_MS;
  let wait = 5;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 100);
    const s = await tryConnect(sockPath);
    if (s) return s;
  }
  const log = planPath.replace(/\.json$/, '.log');
  let why = '';
  try {
    why = readFileSync(log, 'utf8').trim().split('\n').slice(-1)[0] ?? '';
  } catch {
    // No log: the helper did not get far enough to write one.
  }
  return fail(`the sandbox helper did not start${why ? ` (${why})` : ''}`, 'run `cordon sandbox check` to see what is missing');
}

function request(sock: Socket, msg: object): Promise<HelperReply> {
  return new Promise((res) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.off('data', onData);
      try {
        res(JSON.parse(buf.slice(0, nl)) as HelperReply);
      } catch {
        res({ ok: false, error: 'the sandbox helper sent an unreadable reply' });
      }
    };
    sock.on('data', onData);
    sock.once('close', () => res({ ok: false, error: 'the sandbox helper closed the connection' }));
    sock.write(JSON.stringify(msg) + '\n');
  });
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function main(argv: string[]): Promise<void> {
  const [planPath, payload, ...opts] = argv;
  if (!planPath || payload === undefined) fail('usage: exec.js <plan.json> <base64 command | @file> [--pass=NAME,…]');
  const pass: string[] = [];
  for (const o of opts) {
    const names = o.startsWith('--pass=') ? o.slice(7).split(',') : undefined;
    if (!names || !names.every((n) => ENV_NAME.test(n))) fail(`unknown argument ${o.slice(0, 40)}`);
    pass.push(...names);
  }
  let command: string;
  if (payload.startsWith('@')) {
    try {
      command = readFileSync(payload.slice(1), 'utf8');
      unlinkSync(payload.slice(1));
    } catch (err) {
      fail(`cannot read the command file (${(err as Error).message})`);
    }
  } else command = Buffer.from(payload, 'base64').toString('utf8');

  const timing = process.env.CORDON_SANDBOX_TIMING === '1';
  const t0 = performance.now();
  // Passed values stay out of the helper, which outlives the command.
  const sent: NodeJS.ProcessEnv = { ...process.env };
  for (const n of pass) delete sent[n];
  const sock = await reach(planPath, planPath.replace(/\.json$/, '.sock'), sent);
  // A helper that dies mid-command must not crash this process: the command keeps its own exit status.
  sock.on('error', () => undefined);
  const t1 = performance.now();
  const reply = await request(sock, { op: 'wrap', cwd: process.cwd(), env: sent });
  const t2 = performance.now();
  if (!reply.ok || !reply.argv || !reply.env) return fail(reply.error ?? 'the sandbox helper refused', reply.fix);

  const env = reply.env;
  for (const n of pass) if (process.env[n] !== undefined) env[n] = process.env[n]!;
  let cmdFile: string | undefined;
  if (Buffer.byteLength(command) > MAX_ENV_CMD && reply.tmpDir) {
    const f = writeCommandFile(reply.tmpDir, command);
    cmdFile = f.file;
    env.CORDON_SBX_CMD = f.value;
  } else env.CORDON_SBX_CMD = command;

  // Async spawn on purpose: the library's wrapped command deadlocks under spawnSync.
  const child = spawn(reply.argv[0]!, reply.argv.slice(1), { stdio: 'inherit', env });
  const forward = (sig: NodeJS.Signals) => () => {
    child.kill(sig);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.on(sig, forward(sig));
  child.once('error', (err) => fail(`cannot start the sandbox (${err.message})`, 'run `cordon sandbox check`'));
  child.once('exit', (code, signal) => void finish(code, signal));
  const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
    const t3 = performance.now();
    // Tell the helper the command ended and wait (briefly) until it has removed its placeholders.
    await new Promise<void>((res) => {
      const t = setTimeout(res, 2000);
      sock.once('data', () => {
        clearTimeout(t);
        res();
      });
      sock.once('close', () => {
        clearTimeout(t);
        res();
      });
      sock.write(JSON.stringify({ op: 'done' }) + '\n');
    });
    if (timing) {
      const ms = (x: number) => x.toFixed(1);
      process.stderr.write(`cordon sandbox timing: start ${ms(t0)} connect ${ms(t1 - t0)} wrap ${ms(t2 - t1)} run ${ms(t3 - t2)} done ${ms(performance.now() - t3)}\n`);
    }
    // Closing the connection tells the helper the command is over, so it can remove its mount points.
    sock.destroy();
    if (cmdFile) {
      try {
        unlinkSync(cmdFile);
      } catch {
        // The command removed it itself.
      }
    }
    if (signal) {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.removeAllListeners(sig);
      process.kill(process.pid, signal);
      return;
    }
    process.exitCode = code ?? 1;
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => fail(`internal error (${err instanceof Error ? err.message : String(err)})`));
}

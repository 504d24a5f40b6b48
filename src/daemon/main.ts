#!/usr/bin/env node
/**
 * The per-user analysis daemon: keeps the shell grammar loaded, the policy cached and the audit database open,
 * and answers hook clients over a unix socket in the state dir (directory mode 0700, so only the user reaches it).
 *
 * It exits by itself after a quiet period (CORDON_DAEMON_IDLE_MS, default 15 minutes) and whenever anything
 * unexpected happens: clients fall back to deciding in-process, so a dead daemon costs time, never safety.
 */
import { createServer, type Socket } from 'node:net';
import { answers } from './control.js';
import { mkdirSync, chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ID } from '../build-id.cjs';
import { socketDir, socketPath } from '../hook/wire.cjs';
import { HookRuntime, handleHook } from '../hook/handle.js';
import { initShellParser } from '../parse/index.js';
import { refreshPreflightInBackground } from '../sandbox/preflight.js';
import { closeTaintStores } from '../taint/index.js';

const IDLE_MS = Number(process.env.CORDON_DAEMON_IDLE_MS) > 0 ? Number(process.env.CORDON_DAEMON_IDLE_MS) : 15 * 60_000;
/** Quiet time after a call before the daemon does its upkeep (the audit WAL checkpoint). */
const UPKEEP_MS = 200;
/** One request line may carry up to 4 MiB of event JSON, escaped. */
const MAX_LINE = 12 * 1024 * 1024;

function debug(msg: string): void {
  if (process.env.CORDON_DEBUG) process.stderr.write(`cordon daemon: ${msg}\n`);
}

async function main(): Promise<void> {
  const sock = socketPath(process.env);
  if (!sock) return;
  const dir = socketDir(process.env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (await answers(sock)) return debug('another daemon already serves this build');
  try {
    unlinkSync(sock);
  } catch {
    // No stale socket to clear.
  }
  await initShellParser();
  refreshPreflightInBackground();
  const rt = new HookRuntime({ deferCheckpoints: true });
  let idle: NodeJS.Timeout | undefined;
  let upkeep: NodeJS.Timeout | undefined;
  /**
   * After each answer: the audit WAL is checkpointed once calls pause for a moment (from a quarter of SQLite's
   * threshold), or right after the answer went out when a steady stream of calls took it to the threshold itself.
   */
  function answered(): void {
    setImmediate(() => rt.maintain());
    if (upkeep) clearTimeout(upkeep);
    upkeep = setTimeout(() => rt.maintain(250), UPKEEP_MS);
    upkeep.unref();
  }
  const server = createServer((conn) => serve(conn, rt, touch, answered));
  const shutdown = () => {
    server.close();
    try {
      unlinkSync(sock);
    } catch {
      // Already gone.
    }
    rt.close();
    closeTaintStores();
    process.exit(0);
  };
  function touch(): void {
    if (idle) clearTimeout(idle);
    idle = setTimeout(shutdown, IDLE_MS);
    idle.unref();
  }
  server.on('error', (err: NodeJS.ErrnoException) => {
    // Lost a start-up race to another daemon: it serves, this one leaves.
    debug(`listen failed: ${err.code ?? err.message}`);
    process.exit(0);
  });
  server.listen(sock, () => {
    writeFileSync(join(dir, `hookd-${BUILD_ID}.pid`), String(process.pid), { mode: 0o600 });
    debug(`listening on ${sock}`);
    touch();
  });
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('uncaughtException', (err) => {
    debug(`fatal: ${err.stack ?? err.message}`);
    shutdown();
  });
}

function serve(conn: Socket, rt: HookRuntime, touch: () => void, answered: () => void): void {
  touch();
  let buf = '';
  conn.setEncoding('utf8');
  conn.on('error', () => conn.destroy());
  conn.on('data', (d: string) => {
    buf += d;
    if (buf.length > MAX_LINE) return conn.destroy();
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    const line = buf.slice(0, nl);
    buf = '';
    void answer(line, rt).then((out) => {
      conn.end(out + '\n');
      answered();
    });
  });
}

async function answer(line: string, rt: HookRuntime): Promise<string> {
  let req: { build?: string; event?: string; stdin?: unknown; truncated?: boolean; cwd?: unknown; env?: unknown };
  try {
    req = JSON.parse(line) as typeof req;
  } catch {
    return JSON.stringify({ build: BUILD_ID, error: 'bad request' });
  }
  // A client of another build gets no answer it would accept; it decides in-process.
  if (req.build !== BUILD_ID || typeof req.stdin !== 'string' || typeof req.cwd !== 'string' || typeof req.env !== 'object' || req.env === null) {
    return JSON.stringify({ build: BUILD_ID, error: 'bad request' });
  }
  const out = await handleHook(
    {
      ...(typeof req.event === 'string' ? { event: req.event } : {}),
      stdin: req.stdin,
      truncated: req.truncated === true,
      cwd: req.cwd,
      env: req.env as Record<string, string | undefined>,
    },
    rt,
  );
  return JSON.stringify({ build: BUILD_ID, ...out });
}

void main();

/**
 * Where the hook client finds the daemon, and which environment crosses the socket. Kept free of heavy imports:
 * the hook client loads it on every call.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import { BUILD_ID } from '../build-id.js';

/** Unix socket paths are limited to ~107 bytes; longer state dirs fall back to in-process decisions. */
const MAX_SOCKET_PATH = 100;

export function socketDir(env: NodeJS.ProcessEnv): string {
  const state = env.CORDON_HOME && env.CORDON_HOME !== '' ? env.CORDON_HOME : join(env.HOME || homedir(), '.cordon');
  return join(state, 'run');
}

/** The socket of the daemon built from this very code; undefined when the path would be too long. */
export function socketPath(env: NodeJS.ProcessEnv): string | undefined {
  const p = join(socketDir(env), `hookd-${BUILD_ID}.sock`);
  return p.length <= MAX_SOCKET_PATH ? p : undefined;
}

/**
 * The part of the hook's environment that decisions depend on. Secrets in the user's environment never cross
 * the socket: the daemon has no use for them.
 */
export function forwardedEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('CORDON_') || k === 'HOME' || k === 'CLAUDE_PROJECT_DIR' || k === 'CLAUDE_CODE_SESSION_ID' || k === 'TMPDIR') out[k] = v;
  }
  return out;
}

/** The daemon starts with a minimal environment, not the user's (which may hold credentials). */
export function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'CORDON_HOME', 'CORDON_DAEMON_IDLE_MS', 'CORDON_DEBUG', 'TMPDIR', 'LANG']) {
    if (env[k] !== undefined) out[k] = env[k];
  }
  return out;
}

/**
 * Where cordon keeps its state: the audit database, keys, daemon sockets and the user policy layer.
 * `$CORDON_HOME` wins; the default is `~/.cordon`, deliberately outside any workspace so that an agent working in
 * the workspace does not reach it through ordinary writes.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync, mkdirSync, chmodSync } from 'node:fs';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CORDON_HOME;
  if (fromEnv && fromEnv.trim() !== '') return fromEnv;
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.cordon');
}

/** Creates the state dir (mode 0700) when missing and returns its path. */
export function ensureStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch {
    // Not ours to change (shared mount); the files inside carry their own modes.
  }
  return dir;
}

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME && env.HOME !== '' ? env.HOME : homedir();
}

/**
 * The workspace a call from `cwd` belongs to: $CLAUDE_PROJECT_DIR (set by Claude Code for hooks), else the nearest
 * ancestor holding `.git` or `.cordon`, else cwd itself. The hook, the sandbox and phases all use this one rule.
 */
export function findWorkspace(env: Record<string, string | undefined>, cwd: string): string {
  const fromEnv = env.CLAUDE_PROJECT_DIR;
  if (fromEnv && fromEnv.startsWith('/')) return fromEnv;
  let dir = cwd;
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, '.git')) || existsSync(join(dir, '.cordon'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return cwd;
}

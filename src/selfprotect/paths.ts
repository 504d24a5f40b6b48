/**
 * The files that keep cordon in the loop: Claude Code settings (where the hooks are registered), cordon's policy
 * and install record, the MCP server list, git hooks and git config (core.hooksPath), and cordon's state dir
 * (audit trail, approval key, phase state). An agent that could edit these could switch cordon off, so edits to
 * them are refused outright: a catastrophic finding, which no policy lowers.
 */
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { Finding } from '../ir/types.js';
import { canonicalPath } from '../engine/paths.js';
import { stateDir as defaultStateDir } from '../state.js';

export interface SelfProtectContext {
  /** The user's home directory. */
  home: string;
  /** cordon's state dir (CORDON_HOME or ~/.cordon); ~/.cordon is protected in any case. */
  stateDir?: string;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Tool name, for the message. */
  tool?: string;
}

function under(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : root + '/');
}

/** State dirs to protect: the configured one and the default one. */
export function stateDirs(ctx: { home: string; stateDir?: string }): string[] {
  const dirs = [ctx.stateDir ?? defaultStateDir(process.env), posix.join(ctx.home || homedir(), '.cordon')];
  return [...new Set(dirs.filter((d) => d.startsWith('/')).map((d) => posix.normalize(d).replace(/\/$/, '') || '/'))];
}

/** What a protected absolute path is, or undefined when it is not protected. */
export function protectedKind(abs: string, ctx: { home: string; stateDir?: string }): string | undefined {
  const p = posix.normalize(abs);
  const parts = p.split('/');
  const base = parts[parts.length - 1] ?? '';
  const parent = parts[parts.length - 2] ?? '';
  for (const d of stateDirs(ctx)) if (under(p, d)) return "cordon's state dir (audit trail, approvals, phase state)";
  if (parent === '.claude' && /^settings.*\.json$/i.test(base)) return 'Claude Code settings, where cordon\'s hooks are registered';
  if (parts.includes('.cordon')) return "cordon's policy and install record";
  if (base === '.mcp.json') return 'the MCP server list';
  const g = parts.lastIndexOf('.git');
  if (g >= 0 && parts[g + 1] === 'hooks') return 'git hooks';
  if (g >= 0 && g === parts.length - 2 && base === 'config') return 'git config (core.hooksPath)';
  return undefined;
}

/**
 * What a path that is removed or moved away takes with it: a directory that holds protected files (`.claude`,
 * `.cordon`, `.git/hooks`, the state dir or one of its parents inside home) counts as protected.
 */
export function protectedByRemoval(abs: string, ctx: { home: string; stateDir?: string }): string | undefined {
  const direct = protectedKind(abs, ctx);
  if (direct) return direct;
  const p = posix.normalize(abs).replace(/\/$/, '');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base === '.claude') return 'the Claude Code settings directory, where cordon\'s hooks are registered';
  if (p.endsWith('/.git/hooks')) return 'git hooks';
  for (const d of stateDirs(ctx)) if (under(d, p) && under(p, ctx.home) && p !== ctx.home) return "cordon's state dir";
  return undefined;
}

/**
 * The finding for a file tool that would write `path`, or undefined. Both the path as written (resolved against
 * cwd) and its symlink-resolved form are checked, so a link planted in the workspace does not hide the target.
 */
export function selfProtectPath(path: string, ctx: SelfProtectContext): Finding | undefined {
  if (typeof path !== 'string' || path === '') return undefined;
  const home = ctx.home || homedir();
  const expanded = path === '~' ? home : path.startsWith('~/') ? posix.join(home, path.slice(2)) : path;
  const literal = posix.resolve(ctx.cwd, expanded);
  const real = canonicalPath(path, ctx.cwd, home);
  for (const p of [literal, real]) {
    const kind = protectedKind(p, { home, ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}) });
    if (kind) {
      return {
        ruleId: 'self.protected-file',
        decision: 'deny',
        severity: 'catastrophic',
        reason: `${ctx.tool ?? 'writing'} ${p} is refused: it is ${kind}, and changing it could switch cordon off`,
        alternative: 'leave this file to a human; propose the change in your reply instead',
        evidence: p,
      };
    }
  }
  return undefined;
}

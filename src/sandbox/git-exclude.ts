/**
 * To keep files such as `.bashrc`, `.mcp.json` or `.cordon` from being created in the workspace, the library
 * mounts a read-only placeholder (/dev/null or an empty directory) at each one that does not exist yet. Git
 * inside the sandbox then lists those placeholders as untracked, and `git add -A` fails on them ("can only add
 * regular files"). This module computes an excludes file naming exactly the placeholders of one wrap, merged
 * with the user's own global excludes (git reads only one `core.excludesFile`), for the inner script to hand to
 * git through GIT_CONFIG_PARAMETERS.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';

/**
 * Targets masked in a rendered bwrap command: `--ro-bind /dev/null <dest>` (a placeholder, or a read-denied file
 * such as `.env`, which git would otherwise see as a device and refuse to add) and `--ro-bind <empty dir> <dest>`.
 */
export function placeholderTargets(bwrapCommand: string): string[] {
  const out: string[] = [];
  const re = / --ro-bind (\/dev\/null|\/[A-Za-z0-9_./-]*claude-empty-[A-Za-z0-9]+) ([A-Za-z0-9_@%+=:,./-]+)(?= )/g;
  for (const m of bwrapCommand.matchAll(re)) if (m[2] !== m[1]) out.push(m[2]!);
  return out;
}

function gitRoot(cwd: string): string | undefined {
  let dir = cwd;
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** The user's global excludes file: core.excludesFile from ~/.gitconfig when set simply, else git's default. */
function globalExcludes(home: string, env: Record<string, string | undefined>): string {
  let file = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'ignore');
  try {
    const m = /^\s*excludesfile\s*=\s*(.+?)\s*$/im.exec(readFileSync(join(home, '.gitconfig'), 'utf8'));
    if (m) file = m[1]!.replace(/^"(.*)"$/, '$1').replace(/^~(?=\/)/, home);
  } catch {
    // No ~/.gitconfig.
  }
  try {
    return statSync(file).size < 1024 * 1024 ? readFileSync(file, 'utf8') : '';
  } catch {
    return '';
  }
}

/**
 * Writes (once per distinct content) the excludes file for a wrap and returns its path, or undefined when the
 * command is not in a git work tree or no placeholder is involved.
 */
export function writeGitExcludes(
  bwrapCommand: string,
  cwd: string,
  dir: string,
  prefix: string,
  home: string,
  env: Record<string, string | undefined>,
): string | undefined {
  const root = gitRoot(cwd);
  if (!root) return undefined;
  const lines = placeholderTargets(bwrapCommand)
    .map((p) => relative(root, p))
    .filter((r) => r !== '' && !r.startsWith('..'))
    .map((r) => '/' + r.replace(/([*?[\\!# ])/g, '\\$1'));
  if (lines.length === 0) return undefined;
  const text = `${globalExcludes(home, env)}\n# placeholders of cordon's sandbox\n${lines.join('\n')}\n`;
  const file = join(dir, `${prefix}git-exclude-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
  // O_EXCL: never follows a symlink, never rewrites an existing file.
  if (!existsSync(file)) writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  return file;
}

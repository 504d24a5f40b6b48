/**
 * Commands that cannot use the network, so their sandbox needs no network bridge. Every confined command gets an
 * empty network namespace; reaching allowed hosts takes two socat bridges to the helper's filtering proxy, which
 * are started, awaited and stopped around the command and cost about a third of what the sandbox adds to it.
 * Most of an agent's calls (ls, cat, grep, git status, …) never touch the network, so for those the bridges are
 * left out.
 *
 * Leaving them out only ever takes network access away (the namespace stays empty), so a wrong guess here can
 * make a command fail, never reach further. The list is deliberately short: programs that run no other program
 * and open no socket whatever their arguments. sed (its `e` command runs a shell), awk (gawk's /inet files),
 * interpreters, package managers and git subcommands that may run filters or hooks that fetch (checkout, commit,
 * pull, …) are not on it. A command built at run time, an unresolved construct, or a redirect to bash's
 * /dev/tcp or /dev/udp makes the whole call keep the bridges.
 */
import type { Command, ShellStatus } from '../ir/types.js';

const LOCAL_PROGRAMS = new Set([
  ':', '[', 'basename', 'cat', 'cd', 'chmod', 'cmp', 'column', 'comm', 'cp', 'cut', 'date', 'df', 'diff', 'dirname', 'du',
  'echo', 'egrep', 'export', 'false', 'fgrep', 'file', 'find', 'fold', 'grep', 'head', 'jq', 'ln', 'ls', 'md5sum',
  'mkdir', 'mv', 'nl', 'od', 'paste', 'printf', 'pwd', 'readlink', 'realpath', 'rg', 'rm', 'rmdir', 'seq',
  'sha1sum', 'sha256sum', 'sha512sum', 'sleep', 'sort', 'stat', 'tail', 'tee', 'test', 'touch', 'tr', 'tree', 'true',
  'type', 'uniq', 'unset', 'wc', 'which', 'xxd',
]);

/** git subcommands that read or stage: no hooks, no fetching filters (LFS smudges on checkout, not on these). */
const LOCAL_GIT = new Set([
  'add', 'blame', 'branch', 'cat-file', 'describe', 'diff', 'grep', 'log', 'ls-files', 'ls-tree', 'merge-base', 'reflog',
  'rev-parse', 'shortlog', 'show', 'show-ref', 'status',
]);

function local(c: Command): boolean {
  if (c.name === undefined) return false;
  if (c.redirects.some((r) => /^\/dev\/(tcp|udp)\//.test(r.target?.value ?? r.target?.raw ?? ''))) return false;
  if (c.name === 'git') {
    // `git -c …`, `-C dir` and friends before the subcommand: keep it simple and keep the bridges.
    const sub = c.argv[1]?.value;
    return sub !== undefined && LOCAL_GIT.has(sub);
  }
  return LOCAL_PROGRAMS.has(c.name);
}

/** True when every command of a fully analysed call is one that cannot use the network. */
export function needsNoNetwork(status: ShellStatus, commands: Command[]): boolean {
  return status === 'complete' && commands.length > 0 && commands.every(local);
}

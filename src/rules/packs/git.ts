/**
 * git: history and work-tree destruction. Force pushes, remote ref deletion, hard resets, cleans, whole-tree
 * checkouts/restores, forced branch deletion, stash and reflog removal, pruning gc and history rewrites all need a
 * human. Global options before the subcommand (`-C dir`, `-c k=v`, `--git-dir`) and aliases defined on the
 * command line are resolved first; a `!` alias is analysed as the shell command it runs.
 */
import type { Command, Finding, RuleContext, RulePack } from '../../ir/types.js';
import { finding, longOpt, nameOf, rule, str } from '../util.js';
import { analyseNested } from '../nested.js';

const R = {
  force: rule('git.force-push', 'high', 'ask', 'Force push (-f, --force, +ref, or --force-with-lease to a protected branch).', 'git push --force origin main'),
  del: rule('git.push-delete', 'high', 'ask', 'Deletes or mirrors remote refs (push --delete, :ref, --mirror, --prune).', 'git push origin --delete feature'),
  reset: rule('git.reset-hard', 'high', 'ask', 'git reset --hard discards uncommitted work.', 'git reset --hard HEAD~1'),
  clean: rule('git.clean-force', 'high', 'ask', 'git clean -f deletes untracked files.', 'git clean -fdx'),
  discard: rule('git.discard-worktree', 'high', 'ask', 'Discards local changes to the whole tree (checkout/restore of `.`, checkout -f).', 'git checkout -- .'),
  branch: rule('git.branch-force-delete', 'medium', 'ask', 'Force-deletes a local branch (branch -D).', 'git branch -D feature'),
  stash: rule('git.stash-drop', 'medium', 'ask', 'Drops stash entries (stash drop / clear).', 'git stash clear'),
  history: rule('git.history-rewrite', 'high', 'ask', 'Rewrites or expires history (filter-branch, filter-repo, reflog expire, gc --prune=now, update-ref -d).', 'git filter-branch --tree-filter "rm -f x" HEAD'),
};

const PROTECTED = /^(main|master|trunk|develop|production|prod|release.*|stable)$/;
const GLOBAL_ARG = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env', '--super-prefix', '--list-cmds']);

interface Parsed { sub: string; rest: string[]; aliases: Map<string, string> }

function parseGit(argv: string[], cmd: Command): Parsed | undefined {
  const aliases = new Map<string, string>();
  // GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n pairs define config (and aliases) from the environment.
  const env = new Map(cmd.assignments.map((a) => [a.name, str(a.value)]));
  for (const [k, v] of env) {
    const m = /^GIT_CONFIG_KEY_(\d+)$/.exec(k);
    if (m && /^alias\./i.test(v)) aliases.set(v.slice(6).toLowerCase(), env.get(`GIT_CONFIG_VALUE_${m[1]}`) ?? '');
  }
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a.startsWith('-c') && a.length > 2 && !a.startsWith('--')) {
      const kv = a === '-c' ? argv[++i] ?? '' : a.slice(2);
      const m = /^alias\.([^=]+)=(.*)$/is.exec(kv);
      if (m) aliases.set(m[1]!.toLowerCase(), m[2]!);
      continue;
    }
    if (GLOBAL_ARG.has(a)) { i++; continue; }
    if (/^-C./.test(a)) continue;
    if (a === '--') continue;
    if (a.startsWith('-')) continue;
    break;
  }
  if (i >= argv.length) return undefined;
  return { sub: argv[i]!, rest: argv.slice(i + 1), aliases };
}

/** Short-option cluster check limited to flags without values, so `-m"fix -f"` is not read as -f. */
function cluster(a: string, letter: string): boolean {
  if (!/^-[a-zA-Z0-9]+$/.test(a)) return false;
  for (const ch of a.slice(1)) {
    if (ch === letter) return true;
    if ('bBcCUmoO'.includes(ch)) return false; // the rest of the cluster is that option's value (-bfeature)
  }
  return false;
}

function push(rest: string[], cmd: Command): Finding[] {
  let force = false;
  let lease = false;
  const out: Finding[] = [];
  const pos: string[] = [];
  let ended = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!ended && a === '--') { ended = true; continue; }
    if (!ended && a.startsWith('-')) {
      if (a === '-o' || a === '--push-option' || a === '--repo' || a === '--receive-pack' || a === '--exec') { i++; continue; }
      if (longOpt(a, 'force-with-lease', 8) || longOpt(a, 'force-if-includes', 8)) lease = true;
      else if (longOpt(a, 'force', 3) || cluster(a, 'f')) force = true;
      if (longOpt(a, 'delete', 4) || cluster(a, 'd')) out.push(finding(R.del, cmd, `git push ${rest.join(' ')} deletes branches on the remote.`, 'delete remote branches from the hosting UI, or ask first'));
      if (longOpt(a, 'mirror', 3) || longOpt(a, 'prune', 3)) out.push(finding(R.del, cmd, `git push ${a} deletes remote refs that do not exist locally.`, 'push named branches instead'));
      continue;
    }
    pos.push(a);
  }
  const refspecs = pos.slice(1);
  for (const r of refspecs) {
    if (r.startsWith(':') && r.length > 1) out.push(finding(R.del, cmd, `git push ${pos[0]} ${r} deletes the remote ref ${r.slice(1)}.`, 'delete remote branches from the hosting UI, or ask first'));
    if (r.startsWith('+') || r.includes(':+')) force = true;
  }
  const dests = refspecs.map((r) => (r.includes(':') ? r.slice(r.indexOf(':') + 1) : r).replace(/^\+/, '').replace(/^refs\/heads\//, ''));
  const named = dests.length ? dests.join(', ') : 'the current branch';
  if (force) {
    out.push(finding(R.force, cmd, `git push --force overwrites ${named} on ${pos[0] ?? 'the remote'}: commits others pushed would be lost.`,
      'use --force-with-lease on a feature branch, or push a new branch'));
  } else if (lease && (dests.length === 0 || dests.some((d) => PROTECTED.test(d) || d === 'HEAD'))) {
    out.push(finding(R.force, cmd, `git push --force-with-lease rewrites ${dests.length ? named : 'the current branch (which may be protected)'}: protected branches keep their history.`,
      'force-push only to your own feature branch, naming it explicitly'));
  }
  return out;
}

const TREE = new Set(['.', './', ':/', ':(top)', '*', ':/*']);

function subcommand(sub: string, rest: string[], cmd: Command, ctx: RuleContext): Finding[] {
  const end = rest.indexOf('--');
  const opts = end >= 0 ? rest.slice(0, end) : rest;
  const flags = (pred: (a: string) => boolean) => opts.some((a) => pred(a));
  switch (sub) {
    case 'push':
      return push(rest, cmd);
    case 'reset':
      if (flags((a) => longOpt(a, 'hard', 2))) {
        return [finding(R.reset, cmd, `git reset --hard ${rest.filter((a) => !a.startsWith('-')).join(' ') || 'HEAD'} discards every uncommitted change in the work tree.`,
          'commit or `git stash` first, or use `git reset --keep`')];
      }
      return [];
    case 'clean': {
      const force = flags((a) => cluster(a, 'f') || longOpt(a, 'force', 4));
      const dry = flags((a) => cluster(a, 'n') || longOpt(a, 'dry-run', 4));
      if (force && !dry) return [finding(R.clean, cmd, `git clean ${rest.join(' ')} permanently deletes untracked files${flags((a) => cluster(a, 'x')) ? ', ignored ones included' : ''}.`, 'preview with `git clean -n`, then delete specific paths')];
      return [];
    }
    case 'checkout':
    case 'restore':
    case 'switch': {
      const dd = rest.indexOf('--');
      const paths = dd >= 0 ? rest.slice(dd + 1) : rest.filter((a) => !a.startsWith('-'));
      const force = flags((a) => cluster(a, 'f') || a === '--force' || a === '--discard-changes');
      if (sub === 'restore') {
        const staged = flags((a) => cluster(a, 'S') || a === '--staged');
        const worktree = flags((a) => cluster(a, 'W') || a === '--worktree');
        if (staged && !worktree) return [];
      }
      const whole = paths.some((p) => TREE.has(p) || p === ctx.workspace || p === ctx.workspace + '/');
      if (sub !== 'switch' && whole) {
        return [finding(R.discard, cmd, `git ${sub} ${rest.join(' ')} overwrites every modified file in the tree: uncommitted edits would be lost.`,
          'restore single files (git restore path/to/file), or `git stash` first')];
      }
      if (force && sub !== 'restore') {
        return [finding(R.discard, cmd, `git ${sub} ${rest.join(' ')} throws away local changes while switching.`, 'commit or `git stash` first')];
      }
      return [];
    }
    case 'branch':
      if (flags((a) => cluster(a, 'D')) || (flags((a) => cluster(a, 'd') || longOpt(a, 'delete', 4)) && flags((a) => cluster(a, 'f') || longOpt(a, 'force', 4)))) {
        return [finding(R.branch, cmd, `git branch ${rest.join(' ')} deletes branches even when they are not merged.`, 'use `git branch -d`, which refuses unmerged branches')];
      }
      return [];
    case 'stash':
      if (rest[0] === 'drop' || rest[0] === 'clear') {
        return [finding(R.stash, cmd, `git stash ${rest.join(' ')} deletes saved work.`, 'apply it first (`git stash pop`), or leave it')];
      }
      return [];
    case 'reflog':
      if (rest[0] === 'expire' || rest[0] === 'delete') return [finding(R.history, cmd, `git reflog ${rest.join(' ')} removes the safety net for lost commits.`, 'leave the reflog alone; it expires by itself')];
      return [];
    case 'gc':
      if (flags((a) => /^--prune=(now|all)/.test(a) || a === '--aggressive' && rest.some((b) => b.startsWith('--prune=')))) {
        return [finding(R.history, cmd, `git gc ${rest.join(' ')} deletes unreachable commits immediately.`, 'run plain `git gc`, which keeps recent objects')];
      }
      return [];
    case 'filter-branch':
    case 'filter-repo':
      return [finding(R.history, cmd, `git ${sub} rewrites the whole history of the repository.`, 'work on a fresh clone and review the result')];
    case 'update-ref':
      if (flags((a) => a === '-d' || a === '--stdin')) return [finding(R.history, cmd, `git update-ref ${rest.join(' ')} deletes or rewrites refs directly.`, 'use `git branch -d` / `git tag -d`')];
      return [];
    default:
      return [];
  }
}

export const gitPack: RulePack = {
  id: 'git',
  rules: Object.values(R),
  heads: ['git'],
  check(cmd, ctx) {
    if (nameOf(cmd) !== 'git') return [];
    const p = parseGit(cmd.argv.slice(1).map(str), cmd);
    if (!p) return [];
    const alias = p.aliases.get(p.sub.toLowerCase());
    if (alias !== undefined) {
      if (alias.startsWith('!')) return analyseNested(`${alias.slice(1)} ${p.rest.join(' ')}`, cmd, ctx, `git alias ${p.sub}`);
      const words = alias.trim().split(/\s+/);
      return subcommand(words[0] ?? '', [...words.slice(1), ...p.rest], cmd, ctx);
    }
    return subcommand(p.sub, p.rest, cmd, ctx);
  },
};

/**
 * Shell facts the phase bounds need: does a command reach the network, and where does a `git push` go. These are
 * judgements about intent for an allowlist, not containment: the OS sandbox is what actually stops packets.
 */
import type { Command } from '../ir/types.js';
import { nameOf, str } from '../rules/util.js';

/** Commands whose every use talks to another host. */
const ALWAYS_NET = new Set([
  'curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'ssh', 'scp', 'sftp', 'ftp', 'telnet', 'mosh', 'aria2c', 'http', 'https',
  'xh', 'httpie', 'lwp-request', 'dig', 'nslookup', 'host', 'ping', 'ping6', 'traceroute', 'gh', 'glab', 'aws', 'gcloud',
  'gsutil', 'az', 'kubectl', 'helm', 'doctl', 'flyctl', 'vercel', 'netlify', 'heroku',
]);

/** Subcommands (first operand) that download or upload, per package manager or tool. */
const NET_SUBCOMMANDS: Record<string, Set<string>> = {
  npm: new Set(['install', 'i', 'in', 'ins', 'inst', 'isntall', 'add', 'ci', 'update', 'up', 'upgrade', 'publish', 'view', 'info', 'show', 'outdated', 'audit', 'login', 'adduser', 'create', 'dist-tag', 'deprecate', 'unpublish', 'search', 'ping', 'install-test', 'it', 'install-ci-test', 'cit']),
  pnpm: new Set(['install', 'i', 'add', 'update', 'up', 'upgrade', 'publish', 'dlx', 'create', 'outdated', 'audit', 'fetch', 'view', 'info']),
  yarn: new Set(['install', 'add', 'upgrade', 'up', 'publish', 'dlx', 'create', 'info', 'npm', 'outdated', 'audit']),
  bun: new Set(['install', 'i', 'add', 'update', 'upgrade', 'publish', 'x', 'create']),
  pip: new Set(['install', 'download', 'search', 'index']),
  uv: new Set(['add', 'sync', 'lock', 'pip', 'tool', 'run', 'python', 'publish']),
  poetry: new Set(['add', 'install', 'update', 'lock', 'publish', 'self']),
  cargo: new Set(['install', 'fetch', 'update', 'publish', 'add', 'search', 'login', 'yank', 'owner']),
  go: new Set(['get', 'install', 'download']),
  gem: new Set(['install', 'update', 'push', 'fetch', 'search', 'sources']),
  bundle: new Set(['install', 'update', 'add', 'outdated']),
  composer: new Set(['install', 'require', 'update', 'create-project', 'outdated']),
  apt: new Set(['install', 'update', 'upgrade', 'full-upgrade', 'dist-upgrade', 'download', 'source']),
  'apt-get': new Set(['install', 'update', 'upgrade', 'dist-upgrade', 'download', 'source']),
  dnf: new Set(['install', 'update', 'upgrade', 'download', 'makecache']),
  yum: new Set(['install', 'update', 'upgrade', 'download', 'makecache']),
  apk: new Set(['add', 'update', 'upgrade', 'fetch']),
  brew: new Set(['install', 'update', 'upgrade', 'fetch', 'tap', 'reinstall']),
  docker: new Set(['pull', 'push', 'login', 'search']),
  podman: new Set(['pull', 'push', 'login', 'search']),
  git: new Set(['clone', 'fetch', 'pull', 'ls-remote', 'remote', 'submodule', 'archive', 'request-pull', 'send-email', 'lfs']),
};

const GIT_GLOBAL_WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env', '--super-prefix']);

/** argv values with git's global options removed: `git -C x -c a=b push o` → ['push', 'o']. */
export function gitArgs(cmd: Command): string[] {
  const a = cmd.argv.slice(1).map(str);
  let i = 0;
  while (i < a.length) {
    const x = a[i]!;
    if (GIT_GLOBAL_WITH_VALUE.has(x)) i += 2;
    else if (x.startsWith('-')) i += 1;
    else break;
  }
  return a.slice(i);
}

function operands(args: string[]): string[] {
  return args.filter((x) => !x.startsWith('-'));
}

/** The reason a command counts as network use (its name and subcommand), or undefined. */
export function networkUse(cmd: Command): string | undefined {
  const n = nameOf(cmd);
  if (!n) return undefined;
  const args = cmd.argv.slice(1).map(str);
  if (ALWAYS_NET.has(n)) return n;
  if (n === 'rsync') return args.some((a) => /^[^/\s]*[^/\s:]:|::|^rsync:\/\//.test(a)) ? 'rsync to a remote host' : undefined;
  if (n === 'git') {
    const [sub] = gitArgs(cmd);
    return sub && NET_SUBCOMMANDS.git!.has(sub) ? `git ${sub}` : undefined;
  }
  let tool = n;
  let rest = args;
  // `python -m pip install x` is pip; `pip3` and `pip3.12` are pip.
  if (/^python[0-9.]*$/.test(n)) {
    const m = args.indexOf('-m');
    if (m < 0 || !/^pip[0-9.]*$/.test(args[m + 1] ?? '')) return undefined;
    tool = 'pip';
    rest = args.slice(m + 2);
  }
  if (/^pip[0-9.]*$/.test(tool)) tool = 'pip';
  const subs = NET_SUBCOMMANDS[tool];
  if (!subs) return undefined;
  const ops = operands(rest);
  const sub = ops[0];
  if (sub === undefined) return tool === 'yarn' || tool === 'bundle' ? `${tool} (install)` : undefined;
  if (tool === 'go' && sub === 'mod') return ops[1] === 'download' || ops[1] === 'tidy' ? `go mod ${ops[1]}` : undefined;
  return subs.has(sub) ? `${tool} ${sub}` : undefined;
}

export interface PushTargets {
  /** Destination branch names as written (refs/heads/ removed); empty: the current branch. */
  dests: string[];
  /** --all / --mirror / --branches: every branch. */
  all: boolean;
}

/** For a `git push`, where it goes; undefined for any other command. */
export function gitPushTargets(cmd: Command): PushTargets | undefined {
  if (nameOf(cmd) !== 'git') return undefined;
  const a = gitArgs(cmd);
  if (a[0] !== 'push') return undefined;
  const pos: string[] = [];
  let all = false;
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '--') {
      pos.push(...a.slice(i + 1));
      break;
    }
    if (x.startsWith('-')) {
      if (x === '-o' || x === '--push-option' || x === '--repo' || x === '--receive-pack' || x === '--exec') i++;
      if (x === '--all' || x === '--mirror' || x === '--branches') all = true;
      continue;
    }
    pos.push(x);
  }
  const dests = pos
    .slice(1)
    .filter((r) => !r.startsWith('refs/tags/'))
    .map((r) => (r.includes(':') ? r.slice(r.indexOf(':') + 1) : r).replace(/^\+/, '').replace(/^refs\/heads\//, ''))
    .filter((r) => r !== '');
  // `git push origin :x` deletes x: the destination is x all the same.
  return { dests, all };
}

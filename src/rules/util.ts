/**
 * Helpers shared by the rule packs: command names, word values, option scanning, path resolution and
 * classification (root / home / system / temp / workspace / outside), and finding construction.
 */
import type { Command, Decision, Finding, RuleContext, RuleMeta, Severity, Word } from '../ir/types.js';
import { posix } from 'node:path';

/** Lower-cased basename of a command word without `.exe`: `/usr/bin/GIT.exe` → `git`. */
export function normName(s: string): string {
  const base = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1).toLowerCase();
  return base.endsWith('.exe') ? base.slice(0, -4) : base;
}

/** Name used for matching: the parser's name, normalised (case-insensitive file systems run `RM` as `rm`). */
export function nameOf(cmd: Command): string | undefined {
  return cmd.name === undefined ? undefined : normName(cmd.name);
}

/** Static value of a word, or its best-effort text when parts are dynamic. */
export function str(w: Word | undefined): string {
  if (!w) return '';
  return w.value ?? w.text;
}

export function args(cmd: Command): Word[] {
  return cmd.argv.slice(1);
}

/** True when `arg` is `--name` or an unambiguous-looking abbreviation of it (getopt_long and git accept those). */
export function longOpt(arg: string, name: string, minLen = 3): boolean {
  if (!arg.startsWith('--')) return false;
  const body = arg.slice(2).split('=')[0] ?? '';
  return body.length >= Math.min(minLen, name.length) && name.startsWith(body);
}

/** True when `arg` is a short-option cluster (`-rf`) containing `letter`. */
export function shortHas(arg: string, letter: string): boolean {
  return arg.length > 1 && arg[0] === '-' && arg[1] !== '-' && arg.slice(1).includes(letter);
}

// ---------------------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------------------

export type PathClass =
  | 'root' // `/` itself or everything directly under it
  | 'home-root' // a home directory itself (~, /home/x, /root, /Users/x)
  | 'home' // inside a home directory, outside the workspace
  | 'system' // /etc, /usr, /bin …
  | 'temp-root' // /tmp, /var/tmp themselves
  | 'temp' // inside a temp dir
  | 'workspace-root' // the workspace itself (or a glob directly in it)
  | 'workspace' // inside the workspace or an extra root
  | 'outside' // any other absolute path
  | 'unknown'; // not known statically

export interface Target {
  cls: PathClass;
  /** Absolute path when known, otherwise the text as written. */
  shown: string;
  glob: boolean;
}

const SYSTEM_DIRS = [
  '/etc', '/usr', '/bin', '/sbin', '/boot', '/var', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/sys', '/proc',
  '/dev', '/srv', '/mnt', '/media', '/run', '/snap', '/System', '/Library', '/Applications', '/private', '/cores',
  '/Volumes', '/nix', '/efi',
];
const TEMP_DIRS = ['/tmp', '/var/tmp', '/private/tmp', '/private/var/tmp', '/dev/shm'];
const HOME_PARENTS = ['/home', '/Users'];
const GLOB_RE = /[*?[]/;
const TMPDIR_RE = /^\$\{?TMPDIR(?::?[-=][^}]*)?\}?(?=\/|$)/;

export function under(p: string, root: string): boolean {
  return p === root || p.startsWith(root === '/' ? '/' : root + '/');
}

/** The directory a command runs in, or undefined when it is not known (after a dynamic `cd`). */
export function cwdOf(cmd: Command, ctx: RuleContext): string | undefined {
  if (cmd.cwd) return cmd.cwd;
  const moved = ctx.ir.commands.some((c) => c.name === 'cd' || c.name === 'pushd');
  return moved ? undefined : ctx.workspace;
}

/** Static text of a path word with `$TMPDIR` treated as the temp dir and `~user` as that user's home. */
function pathText(w: Word, ctx: RuleContext): string | undefined {
  if (w.value !== undefined && !w.dynamic) return w.value;
  const t = w.text.replace(/^["']|["']$/g, '');
  if (TMPDIR_RE.test(t)) {
    const rest = t.replace(TMPDIR_RE, '');
    if (!/[$`]/.test(rest)) return '/tmp' + rest.replace(/["']/g, '');
  }
  if (/^~[A-Za-z0-9_.-]+(\/[^$`]*)?$/.test(t)) return t; // ~user/…, resolved by classifyPath
  if (/^\$\{?HOME\}?(?=\/|$)/.test(t)) {
    const rest = t.replace(/^\$\{?HOME\}?/, '');
    if (!/[$`]/.test(rest)) return ctx.home + rest.replace(/["']/g, '');
  }
  return w.value;
}

export function classifyWord(w: Word, cmd: Command, ctx: RuleContext): Target {
  const t = pathText(w, ctx);
  if (t === undefined) return { cls: 'unknown', shown: w.text, glob: false };
  return classifyPath(t, cwdOf(cmd, ctx), ctx);
}

/** Classify a static path string against the context; globs are judged by the directory they expand in. */
export function classifyPath(raw: string, cwd: string | undefined, ctx: RuleContext): Target {
  let t = raw;
  if (t === '~' || t.startsWith('~/')) t = ctx.home + t.slice(1);
  else if (/^~[A-Za-z0-9_.-]+/.test(t)) {
    const user = /^~([^/]+)/.exec(t)![1]!;
    t = '/home/' + user + t.slice(user.length + 1);
  }
  const glob = GLOB_RE.test(t);
  if (!t.startsWith('/')) {
    if (cwd === undefined) return { cls: 'unknown', shown: raw, glob };
    t = cwd + '/' + t;
  }
  // Judge a glob by the deepest directory before its first wildcard component.
  let p = posix.normalize(t);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  let dir = p;
  let whole = false;
  if (glob) {
    const parts = p.split('/');
    const i = parts.findIndex((s) => GLOB_RE.test(s));
    dir = parts.slice(0, i).join('/') || '/';
    // `*`, `.*`, `*.*` as the last component cover every entry of `dir`; `*.log` or `a/*/b` only some.
    whole = i === parts.length - 1 && parts[i]!.replace(/\[[^\]]*\]|[*?.]/g, '') === '';
  }
  const cls = classifyAbs(dir);
  return { cls: glob && !whole ? subClass(cls) : cls, shown: p, glob };

  function classifyAbs(d: string): PathClass {
    return classifyAbsolute(d, ctx);
  }
}

/** A glob below the first level of a directory does not cover the directory itself. */
function subClass(c: PathClass): PathClass {
  if (c === 'root') return 'system';
  if (c === 'home-root') return 'home';
  if (c === 'temp-root') return 'temp';
  if (c === 'workspace-root') return 'workspace';
  return c;
}

export function classifyAbsolute(p: string, ctx: RuleContext): PathClass {
  const ws = [ctx.workspace, ...ctx.extraRoots];
  if (p === '/') return 'root';
  for (const r of ws) {
    if (p === r) return 'workspace-root';
    if (under(p, r)) return 'workspace';
  }
  // The home directory first: a home that lives below a temp dir (CI, tests) is still a home.
  if (p === ctx.home || p === '/root') return 'home-root';
  if (under(p, ctx.home)) return 'home';
  if (TEMP_DIRS.includes(p)) return 'temp-root';
  for (const d of TEMP_DIRS) if (under(p, d)) return 'temp';
  for (const h of HOME_PARENTS) {
    if (p === h) return 'system';
    if (under(p, h)) return p.split('/').length === 3 ? 'home-root' : 'home';
  }
  if (under(p, ctx.home) || under(p, '/root')) return 'home';
  for (const d of SYSTEM_DIRS) if (under(p, d)) return 'system';
  // Unknown top-level entries (/data, /workspace) are treated as system paths.
  return p.split('/').length === 2 ? 'system' : 'outside';
}

/** Human wording for a class, for reasons. */
export function describe(t: Target): string {
  switch (t.cls) {
    case 'root': return `the root directory (${t.shown})`;
    case 'home-root': return `a home directory (${t.shown})`;
    case 'home': return `${t.shown} in the home directory, outside the workspace`;
    case 'system': return `the system path ${t.shown}`;
    case 'temp-root': return `the shared temp directory ${t.shown}`;
    case 'workspace-root': return `the whole workspace (${t.shown})`;
    case 'outside': return `${t.shown}, outside the workspace`;
    case 'unknown': return `${t.shown}, a path only known at run time`;
    default: return t.shown;
  }
}

/** Classes that make a destructive operation catastrophic. */
export function isCatastrophic(c: PathClass): boolean {
  return c === 'root' || c === 'home-root' || c === 'home' || c === 'system' || c === 'outside' || c === 'temp-root';
}

// ---------------------------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------------------------

export function finding(meta: RuleMeta, cmd: Command, reason: string, alternative?: string): Finding {
  const f: Finding = {
    ruleId: meta.id,
    decision: meta.decision,
    severity: meta.severity,
    reason,
    evidence: cmd.text.length > 200 ? cmd.text.slice(0, 200) + '…' : cmd.text,
  };
  if (alternative) f.alternative = alternative;
  if (cmd.via.length) f.via = cmd.via;
  return f;
}

export function rule(id: string, severity: Severity, decision: Decision, description: string, example?: string): RuleMeta {
  const m: RuleMeta = { id, severity, decision, description };
  if (example) m.example = example;
  return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------------------------

export const SECRET_VAR_RE = /(SECRET|TOKEN|PASSW(OR)?D|PASSPHRASE|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|AUTH|SESSION|COOKIE|_PAT\b|_KEY$)/i;

/** Is this absolute or home-relative path a credential store? Returns a short label or undefined. */
export function secretPath(p: string, home: string): string | undefined {
  const h = (s: string) => p === home + s || p.startsWith(home + s + '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (h('/.ssh')) {
    if (base.endsWith('.pub') || base === 'known_hosts' || base === 'known_hosts.old') return undefined;
    return 'SSH keys';
  }
  if (h('/.aws')) return 'AWS credentials';
  if (h('/.config/gh') || h('/.config/hub')) return 'GitHub CLI tokens';
  if (h('/.docker/config.json')) return 'Docker registry credentials';
  if (h('/.npmrc') || h('/.yarnrc') || h('/.yarnrc.yml') || h('/.pypirc') || h('/.gem/credentials')) return 'package registry tokens';
  if (h('/.netrc') || h('/.git-credentials') || h('/.config/git/credentials')) return 'stored login credentials';
  if (h('/.kube')) return 'Kubernetes credentials';
  if (h('/.gnupg') || h('/.password-store')) return 'private keys';
  if (h('/.config/gcloud') || h('/.azure') || h('/.terraform.d/credentials.tfrc.json') || h('/.vault-token')) return 'cloud credentials';
  if (h('/Library/Keychains') || p.startsWith('/Library/Keychains/')) return 'the keychain';
  if (h('/.local/share/keyrings')) return 'the keyring';
  if (/^\/proc\/[^/]+\/environ$/.test(p)) return 'a process environment';
  if (p === '/etc/shadow' || p === '/etc/gshadow' || p.startsWith('/etc/ssh/ssh_host_')) {
    return p.endsWith('.pub') ? undefined : 'system secrets';
  }
  if (/^\.env(\.|$)/.test(base) && !/\.(example|sample|template|dist|defaults?)$/.test(base) && !base.endsWith('.schema')) {
    return 'an environment file';
  }
  if (/\.(pem|key|p12|pfx|keystore|jks)$/.test(base) && !/\.pub\./.test(base)) return 'a private key file';
  if (/^(id_rsa|id_dsa|id_ecdsa|id_ed25519)$/.test(base)) return 'SSH keys';
  if (base === 'credentials.json' || base === 'service-account.json' || base === '.htpasswd') return 'a credentials file';
  return undefined;
}

/** Absolute form of a path word for secret checks (relative ones against the cwd or workspace). */
export function absOf(w: Word, cmd: Command, ctx: RuleContext): string | undefined {
  let t = pathText(w, ctx);
  if (t === undefined) return undefined;
  if (t === '~' || t.startsWith('~/')) t = ctx.home + t.slice(1);
  if (!t.startsWith('/')) t = (cwdOf(cmd, ctx) ?? ctx.workspace) + '/' + t;
  return posix.normalize(t);
}

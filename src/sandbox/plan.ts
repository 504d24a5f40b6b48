/**
 * The sandbox plan: what a confined Bash command may write, read, reach and see in its environment, derived from
 * the policy and the session. Pure data and pure functions, so the plan can be unit-tested, shown by
 * `cordon sandbox plan`, hashed to name the per-session helper, and mirrored into Claude Code's own settings.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import type { Policy } from '../policy/schema.js';

export type Env = Record<string, string | undefined>;

/**
 * `bash -c` reads ~/.bashrc on its own when its stdin is a socket and SHLVL is unset or 0 (the "started by
 * rshd/sshd" rule, built into Debian's bash). Node's pipes are socket pairs, so a step run by a Node-based CI runner
 * would have the user's rc file run by the shell that starts the sandbox, outside it, on every call. A level of at
 * least 1 turns the rule off; nothing else reads it but prompts.
 */
export function withShellLevel<E extends Env>(env: E): E {
  const level = Number(env.SHLVL);
  if (Number.isInteger(level) && level >= 1) return env;
  return { ...env, SHLVL: '1' };
}

export interface SandboxContext {
  /** Absolute workspace (project root); writable inside the sandbox. */
  workspace: string;
  home: string;
  /** cordon's state dir ($CORDON_HOME, default ~/.cordon): neither readable nor writable inside. */
  stateDir: string;
  sessionId: string;
  /** Environment of the process that will run the command (the hook's env stands in for the Bash tool's). */
  env: Env;
  /**
   * The phase in force (src/phase), when any. A phase whose `bash.network` is false, or a phase the policy does
   * not define, leaves the sandbox no egress at all: the hook refuses network commands it recognises, and the
   * sandbox refuses the ones it does not.
   */
  phase?: string;
}

export interface SandboxPlan {
  /** 2: helpers that also serve entry.sh over loopback TCP. A new version names a new helper. */
  version: 2;
  mode: 'on' | 'off';
  workspace: string;
  home: string;
  stateDir: string;
  sessionId: string;
  /** Per-session temp dir, writable inside and exported as TMPDIR. */
  tmpDir: string;
  /** Where the helper's plan file and socket live (inside the state dir, so unreachable from the sandbox). */
  runtimeDir: string;
  /** Absolute paths writable inside (workspace, tmpDir, policy list). */
  allowWrite: string[];
  /** Absolute paths inside writable areas that stay read-only (cordon's policy, hook settings, git hooks). */
  denyWrite: string[];
  /** Absolute paths or globs that cannot be read. */
  denyRead: string[];
  /** Hosts the filtering proxy lets through. */
  networkAllow: string[];
  /** The phase the plan was made for (it can only narrow the network). */
  phase?: string;
  /** Variable name patterns (`*` wildcards, case-insensitive) removed from the environment. */
  envScrub: string[];
  /** Patterns that pass even when a scrub pattern matches. */
  envPass: string[];
  /**
   * Variables the rewritten command removes only so that node starts faster, with the values the confined
   * command gets back (NODE_EXTRA_CA_CERTS: loading a CA bundle costs node 20-40 ms at startup).
   */
  restoreEnv: Record<string, string>;
}

/** Variables that slow node's startup and that the entry itself does not need. */
export const STARTUP_HEAVY_ENV = ['NODE_EXTRA_CA_CERTS'];

/** Credential stores under $HOME that no sandboxed command needs to read. */
export const SECRET_HOME_PATHS = [
  '.ssh',
  '.aws',
  '.config/gh',
  '.config/hub',
  '.docker',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '.git-credentials',
  '.kube',
  '.gnupg',
  '.password-store',
  '.vault-token',
  '.azure',
  '.config/gcloud',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.terraform.d/credentials.tfrc.json',
  '.claude/.credentials.json',
];

/**
 * `.env*` files at the workspace root and one level down (monorepo packages). Deeper ones are not covered: the
 * library expands globs at wrap time, and a `**` walk of a large tree would cost every command.
 */
export const SECRET_WORKSPACE_GLOBS = ['.env*', '*/.env*'];

/** Workspace entries that steer cordon or Claude Code itself; a confined command must not rewrite them. */
export const PROTECTED_WORKSPACE_PATHS = ['.cordon', '.claude', '.git/hooks', '.git/config', '.mcp.json'];

/** Variables that carry credentials by convention. */
export const DEFAULT_ENV_SCRUB = [
  '*_TOKEN',
  '*_TOKEN_*',
  '*_SECRET',
  '*_SECRET_*',
  '*_SECRETS',
  '*_KEY',
  '*_KEY_ID',
  '*_APIKEY',
  '*_PASSWORD',
  '*_PASSWD',
  '*_PASS',
  '*_CREDENTIALS',
  '*_CREDENTIAL',
  '*_AUTH',
  '*_COOKIE',
  '*_SESSION',
  'AWS_*',
  'AZURE_*',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITLAB_TOKEN',
  'NPM_TOKEN',
  'NODE_AUTH_TOKEN',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'DOCKER_AUTH_CONFIG',
  'KUBECONFIG',
  'SSH_AUTH_SOCK',
  'GPG_AGENT_INFO',
  'DATABASE_URL',
  '*_DATABASE_URL',
  '*_DSN',
];

function expand(p: string, base: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? resolve(p) : resolve(base, p);
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A file-system-safe name for the session (ids come from Claude Code and are UUIDs, but are not trusted). */
export function sessionDirName(sessionId: string): string {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(sessionId)) return sessionId;
  return 's-' + createHash('sha256').update(sessionId).digest('hex').slice(0, 24);
}

function phaseAllowsNetwork(policy: Policy, phase: string | undefined): boolean {
  if (phase === undefined) return true;
  const defs = (policy as { phases?: { defs?: Record<string, { bash?: { network?: boolean } }> } }).phases?.defs;
  const def = defs && Object.prototype.hasOwnProperty.call(defs, phase) ? defs[phase] : undefined;
  return def?.bash?.network === true;
}

export function sandboxPlan(policy: Policy, ctx: SandboxContext): SandboxPlan {
  const sb = policy.sandbox;
  const ws = resolve(ctx.workspace);
  const home = resolve(ctx.home);
  const stateDir = resolve(ctx.stateDir);
  const tmpBase = ctx.env.TMPDIR && isAbsolute(ctx.env.TMPDIR) ? ctx.env.TMPDIR : '/tmp';
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const tmpDir = join(tmpBase, `cordon-sbx-${uid}`, sessionDirName(ctx.sessionId));
  return {
    version: 2,
    mode: sb.mode,
    workspace: ws,
    home,
    stateDir,
    sessionId: ctx.sessionId,
    tmpDir,
    runtimeDir: join(stateDir, 'sandbox'),
    allowWrite: uniq([ws, tmpDir, ...sb.filesystem.allowWrite.map((p) => expand(p, ws, home))]),
    denyWrite: uniq([stateDir, ...PROTECTED_WORKSPACE_PATHS.map((p) => join(ws, p))]),
    denyRead: uniq([
      ...SECRET_HOME_PATHS.map((p) => join(home, p)),
      ...SECRET_WORKSPACE_GLOBS.map((p) => join(ws, p)),
      stateDir,
      ...sb.filesystem.denyRead.map((p) => expand(p, ws, home)),
    ]),
    networkAllow: phaseAllowsNetwork(policy, ctx.phase) ? uniq(sb.network.allow) : [],
    ...(ctx.phase !== undefined ? { phase: ctx.phase } : {}),
    envScrub: uniq([...DEFAULT_ENV_SCRUB, ...sb.env.scrub]),
    envPass: uniq(sb.env.pass),
    restoreEnv: Object.fromEntries(
      STARTUP_HEAVY_ENV.filter((k) => ctx.env[k] !== undefined && ctx.env[k] !== '').map((k) => [k, ctx.env[k]!]),
    ),
  };
}

/** Stable short hash of the plan: names the helper that serves it, so a policy change starts a fresh helper. */
export function planKey(plan: SandboxPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}

const compiled = new Map<string, RegExp>();

/** One case-insensitive regex for `*`-wildcard patterns; kept, since the helper scrubs with the same lists per call. */
function patternRegex(patterns: string[]): RegExp | undefined {
  if (patterns.length === 0) return undefined;
  const key = patterns.join('\0');
  let re = compiled.get(key);
  if (!re) {
    const alts = patterns.map((p) => p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
    re = new RegExp(`^(?:${alts.join('|')})$`, 'i');
    if (compiled.size > 64) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

/** The environment a confined command sees, and the names removed from it. */
export function scrubEnv(env: Env, plan: Pick<SandboxPlan, 'envScrub' | 'envPass'>): { env: Record<string, string>; removed: string[] } {
  const scrub = patternRegex(plan.envScrub);
  const pass = patternRegex(plan.envPass);
  const out: Record<string, string> = {};
  const removed: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (scrub?.test(k) && !pass?.test(k)) removed.push(k);
    else out[k] = v;
  }
  return { env: out, removed: removed.sort() };
}

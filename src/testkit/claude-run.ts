/**
 * Runs the real Claude Code CLI (`claude -p`) offline against a fake model server, with a throwaway HOME so the
 * user's own settings, credentials and hooks never take part. Also builds scratch git repositories for the runs.
 *
 * The environment is the one the CLI needs to stay off the network: every auth and cordon variable of the calling
 * process is removed, then only what the run asks for is set.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest ancestor of this module holding cordon's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'cordon') return dir;
      } catch {
        // An unreadable package.json is not ours; keep climbing.
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cordon package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** Absolute path of the claude binary installed from devDependencies, or undefined when it is missing. */
export function findClaudeBinary(): string | undefined {
  const bin = join(packageRoot(), 'node_modules', '.bin', 'claude');
  return existsSync(bin) ? bin : undefined;
}

/** Absolute path of the claude binary; throws a one-line explanation when it is missing. */
export function claudeBinary(): string {
  const bin = findClaudeBinary();
  if (!bin) {
    throw new Error(
      `claude CLI not found at ${join(packageRoot(), 'node_modules', '.bin', 'claude')}: ` +
        'the end-to-end runs need it; run `npm ci` (it comes from devDependencies @anthropic-ai/claude-code).',
    );
  }
  return bin;
}

export interface RunClaudeOptions {
  /** Working directory of the session (the project). */
  cwd: string;
  /** Throwaway HOME for the run; the CLI writes its config under it. */
  home: string;
  prompt: string;
  /** Base URL of the fake model server. */
  modelUrl: string;
  /** `bypass` = --dangerously-skip-permissions; `default` = no permission flag (unapproved calls are refused in -p). */
  permissionMode: 'bypass' | 'default';
  extraArgs?: string[];
  /** Extra environment for the run (e.g. CORDON_HOME); applied last. */
  env?: Record<string, string | undefined>;
  /** Hard limit for the whole run; the process group is killed when it is reached. Default 60 s. */
  timeoutMs?: number;
}

export interface RunClaudeResult {
  /** Exit code, or null when the process was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The parsed final JSON (`--output-format json`), when stdout held one. */
  json?: ClaudeJsonResult;
  timedOut: boolean;
}

/** The fields of the final `--output-format json` object that tests read. */
export interface ClaudeJsonResult {
  type?: string;
  subtype?: string;
  is_error?: boolean;
  result?: string;
  session_id?: string;
  num_turns?: number;
  permission_denials?: { tool_name: string; tool_use_id: string; tool_input: Record<string, unknown> }[];
  [k: string]: unknown;
}

/** Environment prefixes removed from the inherited environment so no real credential or setting leaks in. */
const SCRUB_PREFIXES = ['ANTHROPIC_', 'CLAUDE', 'CORDON_', 'OTEL_', 'AWS_BEARER_TOKEN_BEDROCK', 'VERTEX_'];
const SCRUB_NAMES = new Set(['IS_SANDBOX', 'XDG_CONFIG_HOME', 'NODE_OPTIONS', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']);

/** The environment a `claude -p` run gets (exported so other runners, e.g. the demo, build the same one). */
export function claudeEnv(opts: Pick<RunClaudeOptions, 'home' | 'modelUrl' | 'permissionMode' | 'env'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (SCRUB_NAMES.has(k) || SCRUB_PREFIXES.some((p) => k.startsWith(p))) continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: opts.home,
    XDG_CONFIG_HOME: join(opts.home, '.config'),
    CLAUDE_CONFIG_DIR: join(opts.home, '.claude'),
    ANTHROPIC_BASE_URL: opts.modelUrl,
    ANTHROPIC_API_KEY: 'sk-ant-fake',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_DISABLE_FEATURE_FLAGS: '1',
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS: '1',
    NO_COLOR: '1',
  });
  // As root, bypass mode refuses to start unless IS_SANDBOX is exactly "1".
  if (opts.permissionMode === 'bypass') env.IS_SANDBOX = '1';
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function claudeArgs(opts: Pick<RunClaudeOptions, 'prompt' | 'permissionMode' | 'extraArgs'>): string[] {
  const args = ['-p', opts.prompt, '--output-format', 'json'];
  if (opts.permissionMode === 'bypass') args.push('--dangerously-skip-permissions');
  return args.concat(opts.extraArgs ?? []);
}

export function runClaude(opts: RunClaudeOptions): Promise<RunClaudeResult> {
  const bin = claudeBinary();
  mkdirSync(join(opts.home, '.config'), { recursive: true });
  mkdirSync(join(opts.home, '.claude'), { recursive: true });
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, claudeArgs(opts), {
      cwd: opts.cwd,
      env: claudeEnv(opts),
      // Own process group, so a timeout takes down the CLI and everything it started (hooks, Bash tool shells).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Stragglers left in the group (background shells) must not outlive the run.
      killGroup();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolvePromise({ code, stdout, stderr, json: parseFinalJson(stdout), timedOut });
    });
  });
}

/** The CLI prints one JSON object at the end of a `--output-format json` run; tolerate noise before it. */
export function parseFinalJson(stdout: string): ClaudeJsonResult | undefined {
  const trimmed = stdout.trim();
  const candidates = [trimmed, ...trimmed.split('\n').reverse()];
  for (const c of candidates) {
    const s = c.trim();
    if (!s.startsWith('{')) continue;
    try {
      return JSON.parse(s) as ClaudeJsonResult;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Scratch directories
// ---------------------------------------------------------------------------------------------------------------

/** A fresh temp dir under the OS temp root (prefix names the purpose, for anyone looking at /tmp). */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cordon-${prefix}-`));
}

const GIT_ID = ['-c', 'user.name=cordon test', '-c', 'user.email=test@cordon.invalid', '-c', 'commit.gpgsign=false'];

/** Runs git in `cwd` with a fixed identity and no user config, returns stdout. */
export function git(cwd: string, args: string[]): string {
  return execFileSync('git', [...GIT_ID, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
  });
}

/**
 * A temp git repository with one commit (README.md, package.json, src/index.js) and an untracked, ignored
 * node_modules/ holding a file, so tests can check what a command removed and what survived.
 */
export function makeScratchRepo(): string {
  const dir = resolve(makeTempDir('repo'));
  writeFileSync(join(dir, 'README.md'), '# scratch\n\nA throwaway project for end-to-end runs.\n');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }, null, 2) + '\n');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'index.js'), "console.log('hello');\n");
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'initial']);
  mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), 'module.exports = (s) => s;\n');
  return dir;
}

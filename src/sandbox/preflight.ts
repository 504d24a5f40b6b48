/**
 * Can the OS sandbox start on this machine? Checked before the hook rewrites a Bash call, so that a machine
 * without bubblewrap or user namespaces gets a deny that says exactly what to install or change, instead of a
 * command that fails later with a cryptic bwrap error. The result is cached (in memory, and in the state dir for
 * the short-lived hook process) because the live user-namespace probe costs a process start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Env } from './plan.js';

export type Preflight = { ok: true; bwrap?: string; socat?: string; rg?: string } | { ok: false; error: string; fix: string };

const CACHE_MS = 10 * 60_000;
/** A refusal is re-checked soon: whoever just installed bubblewrap should not wait ten minutes in the daemon. */
const NEGATIVE_MS = 5_000;
/** How old a positive result a long-lived process may still serve while it re-checks in the background. */
const STALE_MS = 24 * 60 * 60_000;
let memo: { key: string; at: number; result: Preflight } | undefined;
let background = false;
let refreshing: Promise<void> | undefined;

/**
 * For a long-lived process (the daemon): once the cached result is older than the cache period, serve the positive
 * one it has and re-check without making a hook call wait for the probe (~40 ms). A stale positive costs nothing
 * worse than a command that fails closed at run time, and the next call after the re-check sees the new answer.
 */
export function refreshPreflightInBackground(on = true): void {
  background = on;
}

/** The background re-check in flight, if any (tests wait on it). */
export function preflightRefresh(): Promise<void> | undefined {
  return refreshing;
}

export function which(name: string, env: Env): string | undefined {
  const dirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/bin', '/usr/local/bin']) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** CAP_SETFCAP (bit 31) in the bounding set: root needs it for bubblewrap to map uid 0 in a user namespace. */
function hasSetfcap(): boolean {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? (BigInt('0x' + m[1]) & (1n << 31n)) !== 0n : true;
  } catch {
    return true;
  }
}

const PROBE_ARGS = ['--unshare-user', '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', 'true'];

function probeUserns(bwrap: string): Preflight {
  const r = spawnSync(bwrap, PROBE_ARGS, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] });
  return probeResult(r.status, r.stderr, r.error);
}

/** The same probe without blocking the event loop (background re-check). */
function probeUsernsAsync(bwrap: string): Promise<Preflight> {
  return new Promise((resolve) => {
    let stderr = '';
    let child;
    try {
      child = spawn(bwrap, PROBE_ARGS, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    } catch (err) {
      resolve(probeResult(null, '', err as Error));
      return;
    }
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => resolve(probeResult(null, stderr, err)));
    child.on('close', (code) => resolve(probeResult(code, stderr)));
  });
}

function probeResult(status: number | null, stderr: string, error?: Error): Preflight {
  if (status === 0) return { ok: true };
  const why = (stderr || error?.message || `exit ${status}`).trim().split('\n')[0]!.slice(0, 200);
  const uid = process.getuid?.() ?? -1;
  let fix = 'enable unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000`';
  if (/apparmor|Permission denied|Operation not permitted/i.test(why)) {
    fix =
      'allow user namespaces: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 24.04+), or in a container run with seccomp/apparmor profiles that permit unshare(CLONE_NEWUSER)';
  }
  if (uid === 0 && !hasSetfcap()) fix = 'run cordon as a non-root user, or give the process CAP_SETFCAP (it is missing from the bounding set)';
  return { ok: false, error: `bubblewrap cannot create a user namespace here (${why})`, fix };
}

/** The refusal for missing Debian/Fedora packages (bubblewrap, socat, ripgrep). */
export function missingPackages(missing: string[]): Preflight {
  const many = missing.length > 1;
  return {
    ok: false,
    error: `the OS sandbox needs ${missing.join(', ')}, which ${many ? 'are' : 'is'} not installed`,
    fix: `install ${many ? 'them' : 'it'}: \`sudo apt-get install ${missing.join(' ')}\` (Fedora: dnf install ${missing.join(' ')})`,
  };
}

function tools(env: Env): Preflight {
  if (process.platform !== 'linux') {
    return {
      ok: false,
      error: `cordon's sandbox supports Linux only; this is ${process.platform}`,
      fix: 'run on Linux, or set `sandbox.mode: off` in .cordon/policy.yaml to run Bash commands unconfined',
    };
  }
  const bwrap = which('bwrap', env);
  const socat = which('socat', env);
  const rg = which('rg', env);
  const missing = [!bwrap && 'bubblewrap', !socat && 'socat', !rg && 'ripgrep'].filter((x): x is string => !!x);
  if (missing.length > 0) return missingPackages(missing);
  return { ok: true, bwrap: bwrap!, socat: socat!, rg: rg! };
}

function check(env: Env): Preflight {
  const t = tools(env);
  if (!t.ok) return t;
  const ns = probeUserns(t.bwrap!);
  return ns.ok ? t : ns;
}

async function checkAsync(env: Env): Promise<Preflight> {
  const t = tools(env);
  if (!t.ok) return t;
  const ns = await probeUsernsAsync(t.bwrap!);
  return ns.ok ? t : ns;
}

function remember(key: string, at: number, result: Preflight, file: string | undefined): void {
  memo = { key, at, result };
  if (file && result.ok) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify(memo), { mode: 0o600 });
    } catch {
      // Caching is an optimisation only.
    }
  }
}

/**
 * The cached check. `cacheDir` (cordon's runtime dir) lets one-shot hook processes share the result; a stale
 * positive costs nothing worse than the command failing closed at run time.
 */
export function preflight(env: Env, cacheDir?: string): Preflight {
  const key = `${process.getuid?.() ?? ''}|${release()}|${env.PATH ?? ''}`;
  const now = Date.now();
  if (memo && memo.key === key && now - memo.at < (memo.result.ok ? CACHE_MS : NEGATIVE_MS)) return memo.result;
  const file = cacheDir ? join(cacheDir, 'preflight.json') : undefined;
  if (file) {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as { key: string; at: number; result: Preflight };
      if (c.key === key && now - c.at < CACHE_MS && c.result.ok) {
        memo = c;
        return c.result;
      }
    } catch {
      // No usable cache.
    }
  }
  if (background && memo && memo.key === key && memo.result.ok && now - memo.at < STALE_MS) {
    const stale = memo.result;
    refreshing ??= checkAsync(env)
      .then((result) => remember(key, Date.now(), result, file))
      .catch(() => {
        memo = undefined; // Could not re-check: the next call checks synchronously.
      })
      .finally(() => (refreshing = undefined));
    return stale;
  }
  const result = check(env);
  remember(key, now, result, file);
  return result;
}

/** Forgets the cached result (tests, `cordon sandbox check`). */
export function resetPreflight(): void {
  memo = undefined;
  refreshing = undefined;
}

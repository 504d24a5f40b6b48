/**
 * Can the OS sandbox start on this machine? Checked before the hook rewrites a Bash call, so that a machine
 * without bubblewrap or user namespaces gets a deny that says exactly what to install or change, instead of a
 * command that fails later with a cryptic bwrap error. The result is cached (in memory, and in the state dir for
 * the short-lived hook process) because the live user-namespace probe costs a process start.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Env } from './plan.js';

export type Preflight = { ok: true; bwrap?: string; socat?: string; rg?: string } | { ok: false; error: string; fix: string };

const CACHE_MS = 10 * 60_000;
let memo: { key: string; at: number; result: Preflight } | undefined;

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

function probeUserns(bwrap: string): Preflight {
  const r = spawnSync(bwrap, ['--unshare-user', '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', 'true'], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status === 0) return { ok: true };
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]!.slice(0, 200);
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

function check(env: Env): Preflight {
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
  const ns = probeUserns(bwrap!);
  if (!ns.ok) return ns;
  return { ok: true, bwrap: bwrap!, socat: socat!, rg: rg! };
}

/**
 * The cached check. `cacheDir` (cordon's runtime dir) lets one-shot hook processes share the result; a stale
 * positive costs nothing worse than the command failing closed at run time.
 */
export function preflight(env: Env, cacheDir?: string): Preflight {
  const key = `${process.getuid?.() ?? ''}|${release()}|${env.PATH ?? ''}`;
  const now = Date.now();
  if (memo && memo.key === key && now - memo.at < CACHE_MS) return memo.result;
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
  const result = check(env);
  memo = { key, at: now, result };
  if (file && result.ok) {
    try {
      mkdirSync(cacheDir!, { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify(memo), { mode: 0o600 });
    } catch {
      // Caching is an optimisation only.
    }
  }
  return result;
}

/** Forgets the cached result (tests, `cordon sandbox check`). */
export function resetPreflight(): void {
  memo = undefined;
}

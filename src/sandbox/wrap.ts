/**
 * The rewrite the PreToolUse hook applies to an allowed Bash call: the command string that runs the original
 * command, byte for byte, inside the OS sandbox. The original text travels base64-encoded (or in a file in the
 * state dir when too large for one argument), never re-quoted; the plan travels as a file in the state dir,
 * which confined commands cannot reach, named by its hash.
 *
 * A rewritten call runs entry.sh under bash (a few milliseconds), which gets its confinement from the
 * per-session helper. cordon's own callers that spawn without a shell (`cordon run`, probes, `cordon exec`) use
 * the node entry exec.js with an argv instead (wrapArgv).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Policy } from '../policy/schema.js';
import { planKey, sandboxPlan, type SandboxContext, type SandboxPlan } from './plan.js';
import { preflight, which } from './preflight.js';

export type WrapResult = { command: string } | { error: string; fix: string };

export interface WrapContext extends SandboxContext {
  policy: Policy;
}

/** Largest base64 payload passed as an argument (Linux caps one argument at 128 KiB). */
const MAX_ARG_PAYLOAD = 100 * 1024;
/** Unix socket paths are limited to 108 bytes, terminator included. */
const MAX_SOCKET_PATH = 107;

export const EXEC_ENTRY = fileURLToPath(new URL('./exec.js', import.meta.url));
export const ENTRY_SH = fileURLToPath(new URL('./entry.sh', import.meta.url));

let bash: string | undefined;
/** The bash the rewritten command names by absolute path (never looked up through the caller's PATH). */
export function bashPath(): string {
  return (bash ??= which('bash', { PATH: '/bin:/usr/bin' }) ?? '/bin/bash');
}

/** POSIX single-quoting: the only character needing care inside single quotes is the quote itself. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A word as the shell reads it: bare when it holds only characters no shell treats specially, else quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : shellQuote(s);
}

/**
 * The fixed start of every rewritten command: absolute bash in privileged mode (-p: no BASH_ENV, no functions from
 * the environment) and the absolute entry. The rewritten call is one simple command, so that Claude Code's own
 * sandbox can exempt exactly it (`excludedCommands`) and nothing else.
 */
export function entryPrefix(): string {
  return `${shellWord(bashPath())} -p ${shellWord(ENTRY_SH)}`;
}

/** Writes the plan file the helper is started from, once per distinct plan. Returns its path. */
export function writePlan(plan: SandboxPlan): string {
  mkdirSync(plan.runtimeDir, { recursive: true, mode: 0o700 });
  const file = join(plan.runtimeDir, `${planKey(plan)}.json`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
    prune(plan.runtimeDir);
  }
  return file;
}

const PLAN_TTL_MS = 7 * 24 * 3600_000;
const CMD_TTL_MS = 24 * 3600_000;

/** Drops plans (and their logs) of sessions long gone, and command files of rewrites that never ran. */
function prune(dir: string): void {
  const now = Date.now();
  const old = (f: string, ttl: number) => {
    try {
      return now - statSync(f).mtimeMs > ttl;
    } catch {
      return false;
    }
  };
  try {
    for (const name of readdirSync(dir)) {
      const f = join(dir, name);
      if (/^[0-9a-f]{16}\.(json|log|port)$/.test(name) && !existsSync(f.replace(/\.(json|log|port)$/, '.sock')) && old(f, PLAN_TTL_MS)) unlinkSync(f);
    }
    const cmd = join(dir, 'cmd');
    if (existsSync(cmd)) for (const name of readdirSync(cmd)) if (old(join(cmd, name), CMD_TTL_MS)) unlinkSync(join(cmd, name));
  } catch {
    // Housekeeping only.
  }
}

interface Prepared {
  plan: SandboxPlan;
  planFile: string;
  payload: string;
}

function prepare(command: string, ctx: WrapContext): Prepared | { error: string; fix: string } {
  const plan = sandboxPlan(ctx.policy, ctx);
  try {
    const pre = preflight(ctx.env, plan.runtimeDir);
    if (!pre.ok) return { error: pre.error, fix: `${pre.fix}; or set \`sandbox.mode: off\` in the policy to run Bash unconfined` };
    const planFile = writePlan(plan);
    if (Buffer.byteLength(planFile.replace(/\.json$/, '.sock')) > MAX_SOCKET_PATH) {
      return {
        error: `cordon's state dir path is too long for a unix socket (${plan.runtimeDir})`,
        fix: 'set CORDON_HOME to a shorter path (for example ~/.cordon)',
      };
    }
    let payload = Buffer.from(command, 'utf8').toString('base64');
    if (payload.length > MAX_ARG_PAYLOAD) {
      const dir = join(plan.runtimeDir, 'cmd');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${randomBytes(12).toString('hex')}.sh`);
      writeFileSync(file, command, { mode: 0o600 });
      payload = '@' + file;
    }
    return { plan, planFile, payload };
  } catch (err) {
    return {
      error: `cordon could not prepare the sandbox (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`,
      fix: "check that cordon's state dir is writable (`cordon doctor`)",
    };
  }
}

/**
 * The Bash command to put in `updatedInput.command`, or an error and fix that the hook turns into a deny.
 * With `sandbox.mode: off` the command comes back unchanged.
 */
export function wrapBashCommand(command: string, ctx: WrapContext, opts: { offline?: boolean } = {}): WrapResult {
  if (ctx.policy.sandbox.mode === 'off') return { command };
  const p = prepare(command, ctx);
  if ('error' in p) return p;
  // `offline`: the command cannot use the network (src/sandbox/offline.ts), so its sandbox gets no bridge to the
  // proxy; the namespace is just as empty.
  const mode = opts.offline ? ` ${OFFLINE}` : '';
  return { command: `${entryPrefix()} ${shellWord(process.execPath)} ${shellWord(p.planFile)} ${shellWord(p.payload)}${mode}` };
}

/** The entry's last argument for a command that gets no network bridge. */
export const OFFLINE = 'offline';

/**
 * The same confinement as an argv and environment to spawn without a shell (`cordon run`, probes, `cordon exec`).
 * `ctx.env` is the environment the command starts from; it is scrubbed by the helper like any other, except the
 * variables named in `opts.pass`, which the confined command receives as set in `ctx.env` (secrets handed over on
 * purpose). The plan, and so the helper, is the same as without them.
 */
export function wrapArgv(
  command: string,
  ctx: WrapContext,
  opts: { pass?: string[] } = {},
): { argv: string[]; env: Record<string, string> } | { error: string; fix: string } {
  const pass = [...new Set(opts.pass ?? [])];
  const bad = pass.find((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
  if (bad !== undefined) return { error: `invalid environment variable name ${bad.slice(0, 64)}`, fix: 'name variables with letters, digits and _' };
  const p = prepare(command, ctx);
  if ('error' in p) return p;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined && !(k in p.plan.restoreEnv)) env[k] = v;
  const argv = [process.execPath, EXEC_ENTRY, p.planFile, p.payload];
  if (pass.length > 0) argv.push(`--pass=${pass.join(',')}`);
  return { argv, env };
}

/**
 * The original command inside a rewritten one (PostToolUse and the audit trail may see the rewritten form), or
 * undefined when `command` is not a rewrite made by this installation. Commands passed by file (larger than one
 * argument) are not recoverable once they ran; the marker `@file` comes back undefined.
 */
export function originalCommand(command: string): string | undefined {
  const w = shellWords(command.trim());
  if (!w) return undefined;
  let payload: string | undefined;
  if ((w.length === 6 || (w.length === 7 && w[6] === OFFLINE)) && w[1] === '-p' && w[2] === ENTRY_SH) payload = w[5];
  else {
    // The node entry, as earlier versions wrote it: [env -u NAME…] node exec.js plan payload.
    let i = 0;
    if (w[0] === '/usr/bin/env') {
      i = 1;
      while (w[i] === '-u' && w[i + 1]) i += 2;
    }
    if (w[i + 1] === EXEC_ENTRY && w.length === i + 4) payload = w[i + 3];
  }
  if (payload === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return undefined;
  return Buffer.from(payload, 'base64').toString('utf8');
}

/** Words of a command made of bare and single-quoted parts (what shellWord writes); undefined for anything else. */
function shellWords(s: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let w = '';
    while (i < s.length && !/\s/.test(s[i]!)) {
      const c = s[i]!;
      if (c === "'") {
        const j = s.indexOf("'", i + 1);
        if (j < 0) return undefined;
        w += s.slice(i + 1, j);
        i = j + 1;
      } else if (c === '\\') {
        if (i + 1 >= s.length) return undefined;
        w += s[i + 1];
        i += 2;
      } else if (/["$`]/.test(c)) return undefined;
      else {
        w += c;
        i++;
      }
    }
    out.push(w);
  }
  return out;
}

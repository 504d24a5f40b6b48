/**
 * Which phase is in force for a workspace. Precedence: `CORDON_PHASE` in the hook's environment (a headless run
 * pins its phase), then the phase a human started with `cordon phase start` (a state file per workspace, mode
 * 0600, in the state dir), then `phases.default`. Expiry is judged at read time, so a started phase falls back to
 * the default by itself without any process having to wake up.
 */
import { findWorkspace } from '../state.js';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Policy } from '../policy/schema.js';
import { parseDuration } from './schema.js';

export interface ActivePhase {
  name: string;
  /** Epoch ms at which a started phase ends. */
  expires?: number;
  source: 'env' | 'state' | 'default';
  /** Who started it and when (state only). */
  startedAt?: number;
  startedBy?: string;
}

export interface PhaseContext {
  workspace: string;
  stateDir: string;
  env: Record<string, string | undefined>;
  policy: Policy;
  now: Date | number;
}

interface PhaseStateFile {
  version: 1;
  workspace: string;
  name: string;
  startedAt: number;
  expires: number;
  startedBy?: string;
}

/** The workspace path as a stable key: symlinks resolved, so `/tmp/x` and `/private/tmp/x` agree. */
export function workspaceKey(workspace: string): string {
  let p = workspace;
  try {
    p = realpathSync(workspace);
  } catch {
    // A workspace that does not exist (yet) is keyed by its path as given.
  }
  return p;
}

/** The workspace a command run from `cwd` belongs to, found the same way the hook finds it (src/state.ts). */
export function workspaceOf(env: Record<string, string | undefined>, cwd: string): string {
  return findWorkspace(env, cwd);
}

export function phaseStateFile(stateDir: string, workspace: string): string {
  const h = createHash('sha256').update(workspaceKey(workspace)).digest('hex').slice(0, 24);
  return join(stateDir, 'phases', `${h}.json`);
}

function ms(now: Date | number): number {
  return typeof now === 'number' ? now : now.getTime();
}

export function readPhaseState(stateDir: string, workspace: string): PhaseStateFile | undefined {
  try {
    const file = phaseStateFile(stateDir, workspace);
    // Read on every hook call, and usually absent: checked without the exception a failed read would cost.
    if (!existsSync(file)) return undefined;
    const v = JSON.parse(readFileSync(file, 'utf8')) as PhaseStateFile;
    if (v && v.version === 1 && typeof v.name === 'string' && typeof v.expires === 'number' && v.workspace === workspaceKey(workspace)) return v;
  } catch {
    // Missing or unreadable: no started phase.
  }
  return undefined;
}

export function activePhase(ctx: PhaseContext): ActivePhase | undefined {
  const pinned = ctx.env.CORDON_PHASE;
  if (pinned !== undefined && pinned.trim() !== '') return { name: pinned.trim(), source: 'env' };
  const st = readPhaseState(ctx.stateDir, ctx.workspace);
  if (st && st.expires > ms(ctx.now)) {
    return { name: st.name, expires: st.expires, source: 'state', startedAt: st.startedAt, ...(st.startedBy ? { startedBy: st.startedBy } : {}) };
  }
  const d = ctx.policy.phases.default;
  return d === undefined ? undefined : { name: d, source: 'default' };
}

export class PhaseError extends Error {}

export interface StartOptions {
  workspace: string;
  stateDir: string;
  policy: Policy;
  name: string;
  /** `30m`, `2h`; default: the phase's maxTtl. */
  ttl?: string;
  now: Date | number;
  startedBy?: string;
}

export function startPhase(o: StartOptions): ActivePhase {
  const def = o.policy.phases.defs[o.name];
  if (!def) {
    const known = Object.keys(o.policy.phases.defs);
    throw new PhaseError(`no phase named "${o.name}" in the policy; defined: ${known.length ? known.join(', ') : '(none)'}`);
  }
  const max = parseDuration(def.maxTtl) ?? 0;
  const ttl = o.ttl === undefined ? max : parseDuration(o.ttl);
  if (ttl === undefined) throw new PhaseError(`--ttl ${o.ttl} is not a duration; use a form such as 30m, 2h or 1d`);
  if (ttl > max) throw new PhaseError(`--ttl ${o.ttl} is longer than phase ${o.name}'s maxTtl (${def.maxTtl}); use a shorter TTL or raise maxTtl in the policy`);
  const now = ms(o.now);
  const state: PhaseStateFile = {
    version: 1,
    workspace: workspaceKey(o.workspace),
    name: o.name,
    startedAt: now,
    expires: now + ttl,
    ...(o.startedBy ? { startedBy: o.startedBy } : {}),
  };
  const file = phaseStateFile(o.stateDir, o.workspace);
  mkdirSync(join(o.stateDir, 'phases'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { name: o.name, expires: state.expires, source: 'state', startedAt: now, ...(o.startedBy ? { startedBy: o.startedBy } : {}) };
}

/** Ends the started phase; returns its name when one was in force. */
export function endPhase(stateDir: string, workspace: string, now: Date | number): string | undefined {
  const st = readPhaseState(stateDir, workspace);
  rmSync(phaseStateFile(stateDir, workspace), { force: true });
  return st && st.expires > ms(now) ? st.name : undefined;
}

export function formatRemaining(expires: number, now: number): string {
  const s = Math.max(0, Math.round((expires - now) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

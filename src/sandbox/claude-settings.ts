/**
 * The `sandbox` block of .claude/settings.json that mirrors cordon's sandbox plan in Claude Code's native
 * sandbox, and the drift check `cordon doctor` runs against it.
 *
 * Why both: cordon's hook confines every Bash call it allows, but a hook that crashes or times out fails open
 * (the call runs as written). Claude Code's own sandbox, configured with the same boundaries, confines those
 * calls too. Commands cordon has already rewritten are exempted from it (`excludedCommands`: one simple command,
 * bash + cordon's entry), because they confine themselves and could not reach cordon's helper from inside
 * another sandbox.
 */
import { relative, isAbsolute } from 'node:path';
import type { Policy } from '../policy/schema.js';
import { sandboxPlan, scrubEnv, type SandboxContext, type SandboxPlan } from './plan.js';
import { entryPrefix } from './wrap.js';

export interface ClaudeSandboxBlock {
  enabled: boolean;
  failIfUnavailable: boolean;
  autoAllowBashIfSandboxed: boolean;
  allowUnsandboxedCommands: boolean;
  excludedCommands: string[];
  network: { allowedDomains: string[]; deniedDomains: string[]; allowLocalBinding: boolean };
  filesystem: { allowWrite: string[]; denyWrite: string[]; denyRead: string[] };
  credentials: { envVars: { name: string; mode: 'deny' }[] };
}

/** Paths as a settings file shared in the repository should hold them: `./…` in the workspace, `~/…` in home. */
function portable(p: string, plan: SandboxPlan): string {
  const inWs = relative(plan.workspace, p);
  if (inWs === '') return '.';
  if (!inWs.startsWith('..') && !isAbsolute(inWs)) return `./${inWs}`;
  const inHome = relative(plan.home, p);
  if (inHome === '') return '~';
  if (!inHome.startsWith('..') && !isAbsolute(inHome)) return `~/${inHome}`;
  return p;
}

/** The excludedCommands pattern (Bash permission-rule syntax, prefix form) matching cordon's rewritten calls. */
export function cordonEntryPattern(plan: SandboxPlan): string {
  return `${entryPrefix()}:*`;
}

export function claudeSandboxSettings(policy: Policy, ctx: SandboxContext): ClaudeSandboxBlock {
  const plan = sandboxPlan(policy, ctx);
  const literalScrub = plan.envScrub.filter((n) => !n.includes('*'));
  const present = scrubEnv(ctx.env, plan).removed;
  const names = [...new Set([...literalScrub, ...present])].sort();
  return {
    // cordon confines every allowed Bash call itself. Claude Code's own sandbox around it would run cordon's
    // wrapper inside a second bubblewrap, where the nested sandbox cannot start (seen with the real CLI), so the
    // block mirrors the policy's bounds but stays off; it is the configuration to switch on for a user who runs
    // Claude Code's sandbox instead of cordon's (sandbox.mode: off).
    enabled: false,
    failIfUnavailable: true,
    // cordon's hook decides; the sandbox must not turn its "ask" into an automatic yes.
    autoAllowBashIfSandboxed: false,
    allowUnsandboxedCommands: false,
    excludedCommands: plan.mode === 'on' ? [cordonEntryPattern(plan)] : [],
    network: { allowedDomains: [...plan.networkAllow], deniedDomains: [], allowLocalBinding: false },
    filesystem: {
      // The workspace is writable there by default; the session temp dir is cordon's own (Claude Code sets its own).
      allowWrite: plan.allowWrite.filter((p) => p !== plan.workspace && p !== plan.tmpDir).map((p) => portable(p, plan)),
      denyWrite: plan.denyWrite.map((p) => portable(p, plan)),
      denyRead: plan.denyRead.map((p) => portable(p, plan)),
    },
    credentials: { envVars: names.map((name) => ({ name, mode: 'deny' as const })) },
  };
}

function asStrings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function get(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Differences between the `sandbox` block found in settings and the one cordon would write, one line each,
 * saying what is weaker (or stale) and what to do. Empty when they match in every way that matters.
 */
export function sandboxDrift(block: unknown, policy: Policy, ctx: SandboxContext): string[] {
  const want = claudeSandboxSettings(policy, ctx);
  const fix = 'run `cordon init --yes` to rewrite it';
  const cordonOn = policy.sandbox.mode === 'on';
  if (block === undefined || block === null) return [];
  if (typeof block !== 'object' || Array.isArray(block)) return [`the sandbox block in .claude/settings.json is not an object; ${fix}`];
  const out: string[] = [];
  const flag = (key: keyof ClaudeSandboxBlock, expected: boolean, why: string) => {
    const have = get(block, key);
    if (have !== expected) out.push(`sandbox.${key} is ${JSON.stringify(have ?? null)}, expected ${expected}: ${why}; ${fix}`);
  };
  if (cordonOn && get(block, 'enabled') === true) {
    out.push(`Claude Code's own sandbox is on as well as cordon's: cordon's confined commands cannot start a nested sandbox inside it; set sandbox.enabled to false in .claude/settings*.json (or sandbox.mode: off in the policy to use Claude Code's instead)`);
  }
  if (get(block, 'enabled') !== true) return out;
  flag('failIfUnavailable', true, 'otherwise a sandbox that cannot start only warns and commands run unconfined');
  flag('allowUnsandboxedCommands', false, 'otherwise the model can ask to run a command outside the sandbox');
  flag('autoAllowBashIfSandboxed', false, 'otherwise sandboxed Bash calls skip the permission rules');

  const excluded = asStrings(get(block, 'excludedCommands')) ?? [];
  const pattern = want.excludedCommands[0]!;
  if (!excluded.includes(pattern)) out.push(`sandbox.excludedCommands lacks cordon's entry (${pattern}), so rewritten calls fail inside Claude Code's sandbox; ${fix}`);
  const extra = excluded.filter((e) => e !== pattern);
  if (extra.length) out.push(`sandbox.excludedCommands also exempts ${extra.join(', ')}: those run without Claude Code's sandbox when the hook fails open; remove them`);

  const setDiff = (key: string, have: string[] | undefined, wanted: string[], weakerIf: 'extra' | 'missing') => {
    const h = new Set(have ?? []);
    const w = new Set(wanted);
    const extraItems = [...h].filter((x) => !w.has(x));
    const missing = [...w].filter((x) => !h.has(x));
    if (weakerIf === 'extra' && extraItems.length) out.push(`sandbox.${key} allows more than the policy: ${extraItems.join(', ')}; ${fix}`);
    if (weakerIf === 'missing' && missing.length) out.push(`sandbox.${key} is missing ${missing.join(', ')} from the policy; ${fix}`);
    const stale = weakerIf === 'extra' ? missing : extraItems;
    if (stale.length) out.push(`sandbox.${key} differs from the policy (${weakerIf === 'extra' ? 'missing' : 'extra'}: ${stale.join(', ')}); ${fix}`);
  };
  setDiff('network.allowedDomains', asStrings(get(block, 'network', 'allowedDomains')), want.network.allowedDomains, 'extra');
  setDiff('filesystem.allowWrite', asStrings(get(block, 'filesystem', 'allowWrite')), want.filesystem.allowWrite, 'extra');
  setDiff('filesystem.denyRead', asStrings(get(block, 'filesystem', 'denyRead')), want.filesystem.denyRead, 'missing');
  setDiff('filesystem.denyWrite', asStrings(get(block, 'filesystem', 'denyWrite')), want.filesystem.denyWrite, 'missing');
  if (get(block, 'network', 'allowLocalBinding') === true) out.push(`sandbox.network.allowLocalBinding is true, which the policy does not allow; ${fix}`);
  return out;
}

/**
 * Is a tool call allowed in the phase in force? A phase is an allowlist of tools plus bounds on what Bash may do
 * (network, git push, writes outside the workspace). A refusal names the phase and the phases that would allow
 * the call, so the model can tell the human which phase to start instead of retrying variants.
 *
 * Phase findings are `deny` with severity `high`: they are a switch a human flips, not a rule to override.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command, Finding, RuleContext, RuleMeta } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { canonicalPath, inBounds, makeBounds } from '../engine/paths.js';
import { globToRegExp } from '../engine/policy-apply.js';
import { classifyWord, nameOf, str } from '../rules/util.js';
import type { PhaseDef } from './schema.js';
import { gitPushTargets, networkUse } from './shell.js';

export const PHASE_RULES: RuleMeta[] = [
  { id: 'phase.unknown', severity: 'high', decision: 'deny', description: 'The phase in force is not defined in the policy, so nothing runs until it is fixed.' },
  { id: 'phase.tool', severity: 'high', decision: 'deny', description: 'The tool is not in the allowlist of the phase in force.', example: 'Edit during phase analyze' },
  { id: 'phase.network', severity: 'high', decision: 'deny', description: 'A Bash command reaches the network in a phase with bash.network: false.', example: 'curl https://example.com' },
  { id: 'phase.push', severity: 'high', decision: 'deny', description: 'git push beyond what the phase allows (none, or a protected branch).', example: 'git push origin main' },
  { id: 'phase.write-outside', severity: 'high', decision: 'deny', description: 'A write outside the workspace bounds in a phase with bash.writesOutside: false.', example: 'cp build.tar /opt/' },
];

export interface PhaseCall {
  tool: string;
  input: Record<string, unknown>;
  /** The parsed shell commands of a Bash / Monitor call (nested ones included). */
  shellCommands?: Command[];
  /** The call's working directory (for relative paths and the current git branch). */
  cwd?: string;
  /** Workspace root and home: when given, writes outside the bounds are checked. */
  workspace?: string;
  home?: string;
}

export interface PhaseRef {
  name: string;
  source?: string;
}

const SHELL_TOOLS = new Set(['Bash', 'Monitor']);
const WRITE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

function matches(name: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.includes('*') ? globToRegExp(p).test(name) : p === name));
}

interface Violation {
  ruleId: string;
  /** What was attempted, as a noun phrase: "the tool Edit", "network access (curl)". */
  what: string;
  evidence?: string;
}

/** The first thing `def` does not allow in `call`, or undefined when the phase allows it all. */
export function violation(def: PhaseDef, policy: Policy, call: PhaseCall): Violation | undefined {
  if (!matches(call.tool, def.tools)) return { ruleId: 'phase.tool', what: `the tool ${call.tool}` };
  if (WRITE_TOOLS.has(call.tool) && !def.bash.writesOutside && call.workspace) {
    const raw = call.tool === 'NotebookEdit' ? call.input.notebook_path : call.input.file_path;
    if (typeof raw === 'string' && raw !== '') {
      const home = call.home ?? '/';
      const path = canonicalPath(raw, call.cwd ?? call.workspace, home);
      const bounds = makeBounds(call.workspace, policy.paths.extraRoots, policy.paths.allowTemp, home);
      if (!inBounds(path, bounds)) return { ruleId: 'phase.write-outside', what: `${call.tool} of ${path}, outside the workspace`, evidence: path };
    }
  }
  if (!SHELL_TOOLS.has(call.tool) || !call.shellCommands) return undefined;
  for (const cmd of call.shellCommands) {
    const push = gitPushTargets(cmd);
    if (push) {
      if (def.bash.push === 'any') continue;
      if (def.bash.push === 'none') return { ruleId: 'phase.push', what: 'git push', evidence: cmd.text };
      const here = () => currentBranch(call.cwd ?? call.workspace) ?? ['HEAD'];
      const dests = push.all ? undefined : push.dests.length ? push.dests.flatMap((d) => (d === 'HEAD' ? here() : [d])) : currentBranch(call.cwd ?? call.workspace);
      const prot = policy.phases.protectedBranches;
      if (!dests) return { ruleId: 'phase.push', what: 'git push to a branch cordon cannot name (push the branch by name)', evidence: cmd.text };
      const hit = dests.find((d) => d === 'HEAD' || matches(d, prot));
      if (hit) return { ruleId: 'phase.push', what: `git push to the protected branch ${hit}`, evidence: cmd.text };
      continue;
    }
    if (!def.bash.network) {
      const net = networkUse(cmd);
      if (net) return { ruleId: 'phase.network', what: `network access (${net})`, evidence: cmd.text };
    }
    if (!def.bash.writesOutside && call.workspace) {
      const out = writeOutside(cmd, policy, call);
      if (out) return { ruleId: 'phase.write-outside', what: `a write to ${out}, outside the workspace`, evidence: cmd.text };
    }
  }
  return undefined;
}

/**
 * The finding for a call the phase refuses, or undefined when it is allowed. `phase` is the value of
 * activePhase(); pass undefined (no phase in force) to get undefined.
 */
export function phaseCheck(phase: PhaseRef | undefined, policy: Policy, call: PhaseCall): Finding | undefined {
  if (!phase) return undefined;
  const defs = policy.phases.defs;
  const def = defs[phase.name];
  if (!def) {
    const from = phase.source === 'env' ? ' (from CORDON_PHASE)' : '';
    return {
      ruleId: 'phase.unknown',
      decision: 'deny',
      severity: 'high',
      reason: `the phase in force, "${phase.name}"${from}, is not defined in the policy, so no tool runs`,
      alternative: `define it under phases.defs in .cordon/policy.yaml, or start a defined phase (${Object.keys(defs).join(', ') || 'none defined'})`,
    };
  }
  const v = violation(def, policy, call);
  if (!v) return undefined;
  const others = Object.entries(defs)
    .filter(([n, d]) => n !== phase.name && violation(d, policy, call) === undefined)
    .map(([n]) => n);
  const allows = others.length === 0 ? 'no defined phase allows it' : `phase${others.length > 1 ? 's' : ''} ${others.join(', ')} allow${others.length > 1 ? '' : 's'} it`;
  const f: Finding = {
    ruleId: v.ruleId,
    decision: 'deny',
    severity: 'high',
    reason: `${v.what} is not allowed in phase ${phase.name}; ${allows}`,
    alternative:
      others.length > 0
        ? `do what phase ${phase.name} allows, or ask a human to run \`cordon phase start ${others[0]}\``
        : `do what phase ${phase.name} allows; widening it is a policy change for a human`,
  };
  if (v.evidence) f.evidence = v.evidence.length > 200 ? v.evidence.slice(0, 200) + '…' : v.evidence;
  return f;
}

/** Branch checked out in the repository containing `dir` (reads .git/HEAD; follows a worktree's gitdir file). */
export function currentBranch(dir: string | undefined): string[] | undefined {
  if (!dir) return undefined;
  let d = dir;
  for (let i = 0; i < 64; i++) {
    const dotgit = join(d, '.git');
    let head: string | undefined;
    try {
      head = readFileSync(join(dotgit, 'HEAD'), 'utf8');
    } catch {
      try {
        const m = /^gitdir:\s*(.+)\s*$/m.exec(readFileSync(dotgit, 'utf8'));
        if (m) head = readFileSync(join(m[1]!.startsWith('/') ? m[1]! : join(d, m[1]!), 'HEAD'), 'utf8');
      } catch {
        // Not here; look in the parent.
      }
    }
    if (head !== undefined) {
      const m = /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head);
      return m ? [m[1]!] : undefined;
    }
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

const WRITE_ALL_ARGS = new Set(['rm', 'rmdir', 'touch', 'mkdir', 'tee', 'truncate', 'chmod', 'chown', 'chgrp', 'shred', 'unlink', 'mv']);
const WRITE_LAST_ARG = new Set(['cp', 'install', 'ln', 'rsync']);
const OUT_OPS = new Set(['>', '>>', '&>', '&>>', '>|', '<>']);
const HARMLESS = /^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/;

function writeOutside(cmd: Command, policy: Policy, call: PhaseCall): string | undefined {
  const ctx: RuleContext = {
    workspace: call.workspace!,
    home: call.home ?? '/',
    extraRoots: policy.paths.extraRoots.map((r) => (r === '~' || r.startsWith('~/') ? (call.home ?? '') + r.slice(1) : r)),
    preset: policy.preset,
    ir: { status: 'complete', commands: call.shellCommands ?? [cmd], problems: [] },
  };
  const outside = (w: Command['argv'][number]): string | undefined => {
    const t = classifyWord(w, cmd, ctx);
    if (HARMLESS.test(t.shown)) return undefined;
    if (t.cls === 'workspace' || t.cls === 'workspace-root' || t.cls === 'unknown') return undefined;
    if ((t.cls === 'temp' || t.cls === 'temp-root') && policy.paths.allowTemp) return undefined;
    return t.shown;
  };
  for (const r of cmd.redirects) {
    if (!OUT_OPS.has(r.op) || !r.target) continue;
    if (/^\d+$/.test(str(r.target)) && (r.op === '>&' || r.op === '<&')) continue;
    const o = outside(r.target);
    if (o) return o;
  }
  const n = nameOf(cmd);
  if (!n) return undefined;
  const operands = cmd.argv.slice(1).filter((w) => !str(w).startsWith('-'));
  if (n === 'dd') {
    for (const w of cmd.argv.slice(1)) {
      const v = str(w);
      if (v.startsWith('of=')) {
        const o = outside({ ...w, value: v.slice(3), text: v.slice(3) });
        if (o) return o;
      }
    }
    return undefined;
  }
  let targets: typeof operands = [];
  if (WRITE_ALL_ARGS.has(n)) targets = n === 'chmod' || n === 'chown' || n === 'chgrp' ? operands.slice(1) : operands;
  else if (WRITE_LAST_ARG.has(n)) targets = operands.slice(-1);
  else if (n === 'sed' && cmd.argv.some((w) => /^(-i|--in-place)/.test(str(w)) || /^-[a-zA-Z]*i/.test(str(w)))) targets = operands.slice(1);
  for (const w of targets) {
    const o = outside(w);
    if (o) return o;
  }
  return undefined;
}

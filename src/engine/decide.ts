/**
 * The decision for one hook event. PreToolUse goes through the tool checks and the policy; the other events are
 * recorded and answered without a decision (later layers add result scanning and taint here).
 */
import type { HookEvent, Verdict } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { applyPolicy, verdictFrom } from './policy-apply.js';
import { checkTool, type ToolCheck } from './tools.js';
import { phaseCheck } from '../phase/check.js';
import type { ActivePhase } from '../phase/state.js';
import { recordTaint, taintAfter, taintPreToolUse } from '../taint/index.js';
import { extractText } from '../taint/inspect.js';
import { findKnownSecretIn, scanForLeaks, type KnownSecrets } from '../secrets/known.js';

export interface DecideContext {
  policy: Policy;
  workspace: string;
  home: string;
  stateDir: string;
  /** The hook's environment (cordon's variables, HOME, project dir), for layers that depend on it. */
  env?: Record<string, string | undefined>;
  /** performance.now() deadline for the analysis. */
  deadline: number;
  /** The phase in force for this workspace, when any. */
  phase?: ActivePhase;
  now: Date;
  /** The stored secrets as loaded for this call; loaded here when not given. */
  known?: KnownSecrets;
}

export interface DecideResult {
  verdict: Verdict;
  /** Facts worth keeping in the audit trail (parse status, unwrapping paths). */
  extra: Record<string, unknown>;
  check?: ToolCheck;
}

export async function decide(ev: HookEvent, ctx: DecideContext): Promise<DecideResult> {
  const tctx = { policy: ctx.policy, workspace: ctx.workspace, home: ctx.home, stateDir: ctx.stateDir };
  if (ev.event !== 'PreToolUse') {
    // Results, prompts, session starts: scan what came in, taint the session, tell the model what it read.
    const after = ev.event === 'SessionStart' ? {} : await taintAfter(ev, tctx);
    const verdict: Verdict = after.block
      ? { decision: 'deny', ruleId: after.block.ruleId, reason: after.block.reason, ...(after.block.alternative ? { alternative: after.block.alternative } : {}), findings: [after.block] }
      : { decision: 'allow', ruleId: 'core.record', reason: 'recorded', findings: [] };
    const extra: Record<string, unknown> = after.audit ? { injection: after.audit } : {};
    const leaks = ev.event === 'PostToolUse' && ctx.policy.secrets.leakScan ? leakReport(ev, ctx) : undefined;
    if (leaks) {
      extra.leaks = leaks.audit;
      // Credential material is now in the model's context: from here on, egress needs a human.
      recordTaint(ctx.stateDir, ev.sessionId, {
        ts: Date.now(),
        tool: ev.toolName ?? 'tool',
        source: ev.toolName ?? 'tool',
        trust: 'untrusted',
        kind: 'secret-leak',
        score: 1,
        findings: leaks.kinds,
        ...(ev.toolUseId ? { toolUseId: ev.toolUseId } : {}),
      });
    }
    const context = [after.context, leaks?.context].filter(Boolean).join('\n');
    if (context) verdict.context = context;
    return { verdict, extra };
  }
  const check = await checkTool(ev, { policy: ctx.policy, workspace: ctx.workspace, home: ctx.home, cwd: ev.cwd, deadline: ctx.deadline, stateDir: ctx.stateDir });
  const secretName = findKnownSecretIn(ev.toolInput, { stateDir: ctx.stateDir, ...(ctx.env ? { env: ctx.env as NodeJS.ProcessEnv } : {}) }, ctx.known);
  if (secretName) {
    check.findings.push({
      ruleId: 'secrets.value-in-input',
      decision: ctx.policy.secrets.inputs,
      severity: 'high',
      reason: `the tool input contains the value of secret ${secretName} in clear; values must not pass through the model`,
      alternative: `refer to it by name: \`cordon exec --secret ${secretName} -- CMD\`, or {{secret:${secretName}}} in the cordon http_request tool`,
    });
  }
  const taintFindings = await taintPreToolUse(ev, { ...tctx, ...(check.shell ? { shellCommands: check.shell.ir.commands } : {}) });
  const findings = applyPolicy([...check.findings, ...taintFindings], {
    preset: ctx.policy.preset,
    overrides: ctx.policy.bash.overrides,
    ...(check.command !== undefined ? { command: check.command } : {}),
    cwd: ev.cwd,
    home: ctx.home,
    now: ctx.now,
  });
  // The phase bound comes after the policy's overrides, so no override widens what a phase allows.
  const phaseFinding = phaseCheck(ctx.phase, ctx.policy, {
    tool: ev.toolName ?? '',
    input: ev.toolInput ?? {},
    ...(check.shell ? { shellCommands: check.shell.ir.commands } : {}),
    cwd: ev.cwd,
    workspace: ctx.workspace,
    home: ctx.home,
  });
  if (phaseFinding) findings.push(phaseFinding);
  const verdict = verdictFrom(findings);
  if (performance.now() > ctx.deadline && verdict.decision === 'allow') {
    return {
      verdict: {
        decision: 'deny',
        ruleId: 'cordon.deadline',
        reason: `cordon could not finish its checks within ${ctx.policy.hook.deadlineMs} ms, so the call was not allowed`,
        alternative: 'retry; if it keeps happening, raise hook.deadlineMs in the policy or run `cordon doctor`',
        findings,
      },
      extra: {},
      check,
    };
  }
  const extra: Record<string, unknown> = {};
  if (ctx.phase) extra.phase = { name: ctx.phase.name, source: ctx.phase.source };
  if (check.shell) {
    extra.shell = {
      status: check.shell.ir.status,
      commands: check.shell.ir.commands.length,
      ...(check.shell.ir.problems.length ? { problems: check.shell.ir.problems.slice(0, 5) } : {}),
    };
  }
  return { verdict, extra, check };
}

/**
 * Secret values or credential formats in a tool result. The tool has run; what cordon can do is record the
 * finding (offsets and kinds, never values) and tell the model not to repeat or send what it saw.
 */
function leakReport(ev: HookEvent, ctx: DecideContext): { audit: unknown; context: string; kinds: string[] } | undefined {
  const text = extractText(ev.toolResponse);
  if (!text) return undefined;
  const { findings } = scanForLeaks(text, { stateDir: ctx.stateDir, ...(ctx.env ? { env: ctx.env as NodeJS.ProcessEnv } : {}) }, ctx.known);
  if (findings.length === 0) return undefined;
  const kinds = [...new Set(findings.map((f) => (f.name ? `secret ${f.name}` : f.kind)))];
  return {
    kinds: [...new Set(findings.map((f) => f.kind))],
    audit: findings.slice(0, 20),
    context: `cordon: the output of ${ev.toolName} contains credential material (${kinds.join(', ')}). Do not repeat, store, encode or send these values; refer to secrets by name and ask the user to rotate any credential that was exposed.`,
  };
}

/**
 * The decision for one hook event. PreToolUse goes through the tool checks and the policy; the other events are
 * recorded and answered without a decision (later layers add result scanning and taint here).
 */
import type { HookEvent, Verdict } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { applyPolicy, verdictFrom } from './policy-apply.js';
import { checkTool, type ToolCheck } from './tools.js';

export interface DecideContext {
  policy: Policy;
  workspace: string;
  home: string;
  /** performance.now() deadline for the analysis. */
  deadline: number;
  now: Date;
}

export interface DecideResult {
  verdict: Verdict;
  /** Facts worth keeping in the audit trail (parse status, unwrapping paths). */
  extra: Record<string, unknown>;
  check?: ToolCheck;
}

export async function decide(ev: HookEvent, ctx: DecideContext): Promise<DecideResult> {
  if (ev.event !== 'PreToolUse') {
    return { verdict: { decision: 'allow', ruleId: 'core.record', reason: 'recorded', findings: [] }, extra: {} };
  }
  const check = await checkTool(ev, { policy: ctx.policy, workspace: ctx.workspace, home: ctx.home, cwd: ev.cwd, deadline: ctx.deadline });
  const findings = applyPolicy(check.findings, {
    preset: ctx.policy.preset,
    overrides: ctx.policy.bash.overrides,
    ...(check.command !== undefined ? { command: check.command } : {}),
    cwd: ev.cwd,
    home: ctx.home,
    now: ctx.now,
  });
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
  if (check.shell) {
    extra.shell = {
      status: check.shell.ir.status,
      commands: check.shell.ir.commands.length,
      ...(check.shell.ir.problems.length ? { problems: check.shell.ir.problems.slice(0, 5) } : {}),
    };
  }
  return { verdict, extra, check };
}

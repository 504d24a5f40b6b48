/**
 * The decision for one hook event. PreToolUse goes through the tool checks and the policy; the other events are
 * recorded and answered without a decision (later layers add result scanning and taint here).
 */
import type { HookEvent, Verdict } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { applyPolicy, verdictFrom } from './policy-apply.js';
import { checkTool, type ToolCheck } from './tools.js';
import { taintAfter, taintPreToolUse } from '../taint/index.js';

export interface DecideContext {
  policy: Policy;
  workspace: string;
  home: string;
  stateDir: string;
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
  const tctx = { policy: ctx.policy, workspace: ctx.workspace, home: ctx.home, stateDir: ctx.stateDir };
  if (ev.event !== 'PreToolUse') {
    // Results, prompts, session starts: scan what came in, taint the session, tell the model what it read.
    const after = ev.event === 'SessionStart' ? {} : await taintAfter(ev, tctx);
    const verdict: Verdict = after.block
      ? { decision: 'deny', ruleId: after.block.ruleId, reason: after.block.reason, ...(after.block.alternative ? { alternative: after.block.alternative } : {}), findings: [after.block] }
      : { decision: 'allow', ruleId: 'core.record', reason: 'recorded', findings: [] };
    if (after.context) verdict.context = after.context;
    return { verdict, extra: after.audit ? { injection: after.audit } : {} };
  }
  const check = await checkTool(ev, { policy: ctx.policy, workspace: ctx.workspace, home: ctx.home, cwd: ev.cwd, deadline: ctx.deadline });
  const taintFindings = await taintPreToolUse(ev, { ...tctx, ...(check.shell ? { shellCommands: check.shell.ir.commands } : {}) });
  const findings = applyPolicy([...check.findings, ...taintFindings], {
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

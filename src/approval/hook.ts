/**
 * The approval step of a PreToolUse decision, in one call for the hook: a refused call that a human approved
 * (same bytes, same directory, unexpired, unused) is allowed once; otherwise a refusal that may be approved is
 * recorded as pending and its message ends with the exact `cordon approve CODE` to run.
 *
 * Never throws: when the approval store cannot be used, the verdict stays as it was (a refusal stays a refusal).
 */
import type { HookEvent, Verdict } from '../ir/types.js';
import { isApprovable } from './index.js';
import { approvalHint, consumeApproval, recordPendingApproval, DEFAULT_APPROVAL_TTL_MS, type ApprovalFacts, type ApprovalsDb } from './store.js';

export interface ApprovalStep {
  verdict: Verdict;
  /** For the audit record (`extra.approval`). */
  approval?: { event: 'consumed' | 'pending'; facts: ApprovalFacts } | { event: 'error'; message: string };
}

/** Claude Code started with -p or from the SDK: nobody can answer an `ask`. */
export function isHeadless(env: Record<string, string | undefined>): boolean {
  return /^sdk/.test(env.CLAUDE_CODE_ENTRYPOINT ?? '') || env.CORDON_HEADLESS === '1';
}

export function applyApprovals(
  ev: Pick<HookEvent, 'event' | 'cwd' | 'toolName' | 'toolInput' | 'sessionId'>,
  verdict: Verdict,
  ctx: { stateDir: string; env: Record<string, string | undefined>; now?: Date | number; ttlMs?: number; conns?: ApprovalsDb },
): ApprovalStep {
  if (ev.event !== 'PreToolUse' || !ev.toolName || !isApprovable(verdict)) return { verdict };
  const call = { stateDir: ctx.stateDir, cwd: ev.cwd, tool: ev.toolName, input: ev.toolInput ?? {}, sessionId: ev.sessionId, ...(ctx.now !== undefined ? { now: ctx.now } : {}) };
  try {
    const used = consumeApproval(call, ctx.conns);
    if (used) {
      return {
        verdict: {
          decision: 'allow',
          ruleId: 'approval.once',
          reason: `allowed once: ${used.approvedBy ?? 'a human'} approved code ${used.code} for this exact call (it was refused by ${verdict.ruleId}: ${verdict.reason})`,
          findings: verdict.findings,
        },
        approval: { event: 'consumed', facts: used },
      };
    }
    if (verdict.decision !== 'deny' && !isHeadless(ctx.env)) return { verdict };
    const ttlMs = ctx.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
    const pending = recordPendingApproval({ ...call, ruleId: verdict.ruleId, reason: verdict.reason, ttlMs }, ctx.conns);
    const hint = approvalHint(pending.code, ttlMs);
    const alternative = verdict.alternative ? `${verdict.alternative.trim().replace(/[.\s]+$/, '')}; or ${hint}` : hint;
    return { verdict: { ...verdict, alternative }, approval: { event: 'pending', facts: pending } };
  } catch (err) {
    return { verdict, approval: { event: 'error', message: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200) } };
  }
}

/**
 * One-time human approvals for calls a headless run refused. The hook records a refused call and appends the
 * exact `cordon approve CODE` to the reason; the human runs it outside the agent; the same call, byte for byte,
 * in the same directory, then runs once.
 */
import type { Verdict } from '../ir/types.js';

export { approvalCode, canonicalInput, inputDigest, normaliseCode, CODE_LENGTH } from './code.js';
export {
  approvalHint,
  approve,
  consumeApproval,
  getApproval,
  listPending,
  recordPendingApproval,
  DEFAULT_APPROVAL_TTL_MS,
  type ApprovalFacts,
  type ApproveResult,
} from './store.js';

/**
 * Whether a refusal may be lifted by a one-time approval: not the catastrophic floor, not self-protection, and
 * not cordon's own failure paths (invalid policy, deadline, audit down), which a human must fix, not approve.
 */
export function isApprovable(v: Pick<Verdict, 'decision' | 'ruleId' | 'severity' | 'findings'>): boolean {
  if (v.decision === 'allow') return false;
  if (v.severity === 'catastrophic' || v.findings.some((f) => f.severity === 'catastrophic' && f.decision !== 'allow')) return false;
  if (/^(self|cordon)\./.test(v.ruleId) || v.findings.some((f) => f.decision !== 'allow' && /^self\./.test(f.ruleId))) return false;
  // A secret value in the input is not a call to approve: the value must not pass through the model at all.
  if (v.findings.some((f) => f.decision !== 'allow' && f.ruleId === 'secrets.value-in-input')) return false;
  return true;
}

/**
 * Which audit records mark the ingestion of untrusted content, and therefore which sessions the review page
 * highlights. One small predicate, so the highlight follows whatever the taint layer writes:
 *
 *   recordTainted(r)   true when any of
 *                        - `extra.taint` is set (true, a kind string, an object, a non-empty list),
 *                        - `extra.untrusted` is set,
 *                        - `extra.injection.trust === 'untrusted'` or `extra.injection.tainted` is set
 *                          (what the injection layer records after scanning a tool result),
 *                        - the event name says so (contains `taint` or `untrusted`, e.g. `cordon.taint`).
 *   isTainted(rs)      true when any record of the session counts.
 *
 * `<stateDir>/taint.db` (the live taint state, which `cordon taint clear` empties) is deliberately not consulted: the
 * review shows what the audit trail recorded, and clearing taint must not hide that a session once read untrusted text.
 */
import type { AuditRecord } from '../audit/index.js';
import { recordTainted } from '../audit/classify.js';

export { recordTainted, TAINT_MARKERS } from '../audit/classify.js';

export function isTainted(records: readonly Pick<AuditRecord, 'event' | 'extra'>[]): boolean {
  return records.some(recordTainted);
}

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

/**
 * Substrings every counted record carries in its `event` or its `extra` JSON text. The data layer uses them to
 * preselect candidate rows in SQL; the predicate below still decides. Keep the two in step.
 */
export const TAINT_MARKERS = ['taint', 'untrusted'] as const;

function set(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
}

export function recordTainted(r: Pick<AuditRecord, 'event' | 'extra'>): boolean {
  if (/taint|untrusted/i.test(r.event)) return true;
  const x = r.extra;
  if (!x || typeof x !== 'object') return false;
  if (set(x.taint) || set(x.untrusted)) return true;
  const inj = x.injection;
  if (inj && typeof inj === 'object' && !Array.isArray(inj)) {
    const o = inj as Record<string, unknown>;
    if (o.trust === 'untrusted' || set(o.tainted)) return true;
  }
  return false;
}

export function isTainted(records: readonly Pick<AuditRecord, 'event' | 'extra'>[]): boolean {
  return records.some(recordTainted);
}

/**
 * Applies the policy to raw findings: per-rule overrides, then the preset. The catastrophic floor holds through
 * both: a catastrophic finding can be raised but never lowered.
 */
import type { Decision, Finding, Preset, Severity, Verdict } from '../ir/types.js';
import type { PolicyOverride } from '../policy/schema.js';
import { expandHome } from './paths.js';

export const DECISION_RANK: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, catastrophic: 3 };

/** Rules whose ask means "cordon could not see what this does"; strict turns them into deny. */
const UNRESOLVED_RULES = /^(shell\.(dynamic|unparsable|unresolved)|tools\.unanalysed)/;

export interface ApplyContext {
  preset: Preset;
  overrides: PolicyOverride[];
  /** Full command text (for override patterns), when the call is a shell command. */
  command?: string;
  cwd: string;
  home: string;
  now: Date;
}

export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*');
  return new RegExp(`^${escaped}$`);
}

function overrideMatches(o: PolicyOverride, f: Finding, ctx: ApplyContext): boolean {
  if (o.rule !== f.ruleId && !(o.rule.endsWith('*') && f.ruleId.startsWith(o.rule.slice(0, -1)))) return false;
  if (o.expires && new Date(o.expires).getTime() < ctx.now.getTime()) return false;
  if (o.command) {
    const re = globToRegExp(o.command);
    const texts = [ctx.command, f.evidence].filter((t): t is string => typeof t === 'string');
    if (!texts.some((t) => re.test(t.trim()))) return false;
  }
  if (o.paths && o.paths.length > 0) {
    const hay = `${ctx.cwd} ${f.evidence ?? ''}`;
    if (!o.paths.some((p) => hay.includes(expandHome(p, ctx.home)))) return false;
  }
  return true;
}

export function applyPolicy(findings: Finding[], ctx: ApplyContext): Finding[] {
  return findings.map((f) => {
    let decision = f.decision;
    let note: string | undefined;
    for (const o of ctx.overrides) {
      if (!overrideMatches(o, f, ctx)) continue;
      if (f.severity === 'catastrophic' && DECISION_RANK[o.decision] < DECISION_RANK[decision]) {
        note = `override for ${o.rule} ignored: catastrophic actions cannot be allowed by policy`;
        continue;
      }
      decision = o.decision;
      note = `policy override: ${o.reason}`;
    }
    if (decision === 'ask' && ctx.preset === 'paranoid') decision = 'deny';
    if (decision === 'ask' && ctx.preset === 'strict' && UNRESOLVED_RULES.test(f.ruleId)) decision = 'deny';
    if (decision === f.decision && !note) return f;
    return { ...f, decision, reason: note && decision !== f.decision ? `${f.reason} (${note})` : f.reason };
  });
}

/** Strongest first: decision, then severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => DECISION_RANK[b.decision] - DECISION_RANK[a.decision] || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
  );
}

export function verdictFrom(findings: Finding[], allowReason = 'no rule matched'): Verdict {
  const sorted = sortFindings(findings);
  const top = sorted[0];
  if (!top || top.decision === 'allow') {
    return { decision: 'allow', ruleId: top?.ruleId ?? 'core.allow', reason: top?.reason ?? allowReason, findings: sorted };
  }
  // Other rules that reached the same decision are named, so the reader sees every reason to stop, not one.
  const also = [...new Set(sorted.filter((f) => f.decision === top.decision && f.ruleId !== top.ruleId).map((f) => f.ruleId))];
  return {
    decision: top.decision,
    ruleId: top.ruleId,
    reason: also.length ? `${top.reason.replace(/[.\s]+$/, '')} (also: ${also.slice(0, 3).join(', ')})` : top.reason,
    ...(top.alternative ? { alternative: top.alternative } : {}),
    severity: top.severity,
    findings: sorted,
  };
}

/**
 * Injection defence beyond the detector, as two calls the engine makes per hook event:
 *
 *   taintPreToolUse(ev, ctx)   → Finding[]  sink gating in a tainted session, and refusal of untrusted ingestion
 *                                           where the policy forbids it (a pipeline's act step)
 *   taintAfter(ev, ctx)        → { context, audit, block }  PostToolUse / PostToolUseFailure / UserPromptSubmit:
 *                                           scan untrusted results, taint the session, spotlight for the model
 *
 * The building blocks (classifyIngestion, inspectResult, sinkCheck, the taint store) are exported for tests and
 * for `cordon taint`.
 */
import type { Command, Finding, HookEvent } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { initShellParser, parseShell } from '../parse/index.js';
import { classifyIngestion } from './classify.js';
import { inspectResult } from './inspect.js';
import { sinkCheck } from './sinks.js';
import { recordTaint, recordVisit, sessionTaint, sessionVisits } from './store.js';

export { classifyIngestion, describeUrl, networkSource, type Ingestion, type IngestContext } from './classify.js';
export { inspectResult, extractText, strongIds, type InspectResult } from './inspect.js';
export { sinkCheck, provenance, protectedKind, TAINT_RULES, PROTECTED_GLOBS, type SinkContext } from './sinks.js';
export { recordTaint, sessionTaint, clearTaint, listTainted, recordVisit, sessionVisits, closeTaintStores, type TaintEntry, type Visits } from './store.js';
export { InjectionPolicySchema, type InjectionPolicy } from './schema.js';

export interface TaintContext {
  policy: Policy;
  workspace: string;
  home: string;
  stateDir: string;
  /** The engine's parse of a Bash command, reused to avoid parsing twice. */
  shellCommands?: Command[];
}

async function commandsOf(ev: HookEvent, ctx: TaintContext): Promise<Command[] | undefined> {
  if (ctx.shellCommands) return ctx.shellCommands;
  if (ev.toolName !== 'Bash' && ev.toolName !== 'Monitor') return undefined;
  const command = ev.toolInput?.command;
  if (typeof command !== 'string') return undefined;
  await initShellParser();
  return parseShell(command, { cwd: ev.cwd, home: ctx.home }).commands;
}

/**
 * PreToolUse. In a clean session with ingestion allowed this costs one stat (the taint marker) and nothing else.
 */
export async function taintPreToolUse(ev: HookEvent, ctx: TaintContext): Promise<Finding[]> {
  if (ev.event !== 'PreToolUse') return [];
  const out: Finding[] = [];
  const inj = ctx.policy.injection;
  if (inj.untrustedIngestion !== 'allow') {
    const shellCommands = await commandsOf(ev, ctx);
    const ing = classifyIngestion(ev, ctx.policy, { workspace: ctx.workspace, home: ctx.home, ...(shellCommands ? { shellCommands } : {}) });
    if (ing.untrusted && ing.trust === 'untrusted') {
      out.push({
        ruleId: 'taint.ingestion-blocked',
        decision: inj.untrustedIngestion,
        severity: 'medium',
        reason: `this step may not read untrusted content (${ing.source ?? ev.toolName}), by policy (injection.untrustedIngestion)`,
        alternative: 'work from the summary you were given; fetching more untrusted content belongs to the ingest step',
        ...(ing.source ? { evidence: ing.source } : {}),
      });
    }
  }
  if (inj.taint === 'off') return out;
  const taint = sessionTaint(ctx.stateDir, ev.sessionId);
  if (taint.length === 0) return out;
  const shellCommands = await commandsOf(ev, ctx);
  const visits = ev.toolName === 'WebFetch' ? sessionVisits(ctx.stateDir, ev.sessionId) : undefined;
  const f = sinkCheck(ev, {
    policy: ctx.policy,
    workspace: ctx.workspace,
    home: ctx.home,
    taint,
    ...(shellCommands ? { shellCommands } : {}),
    ...(visits ? { visits } : {}),
  });
  if (f) out.push(f);
  return out;
}

export interface AfterResult {
  /** Spotlight for the model: put in Verdict.context (additionalContext). */
  context?: string;
  /** For the audit record's extra (`extra.injection`): provenance and finding ids, never content. */
  audit?: Record<string, unknown>;
  /** A refusal (UserPromptSubmit with injection.prompts: block). */
  block?: Finding;
}

/** PostToolUse, PostToolUseFailure and UserPromptSubmit. Records the taint and the visited WebFetch URL. */
export async function taintAfter(ev: HookEvent, ctx: TaintContext): Promise<AfterResult> {
  if (ev.event !== 'PostToolUse' && ev.event !== 'PostToolUseFailure' && ev.event !== 'UserPromptSubmit') return {};
  if (ev.event === 'PostToolUse' && ev.toolName === 'WebFetch' && typeof ev.toolInput?.url === 'string') {
    recordVisit(ctx.stateDir, ev.sessionId, ev.toolInput.url);
  }
  const shellCommands = await commandsOf(ev, ctx);
  const r = inspectResult(ev, ctx.policy, { workspace: ctx.workspace, home: ctx.home, ...(shellCommands ? { shellCommands } : {}) });
  if (!r.ingestion.untrusted) return {};
  if (r.taint) recordTaint(ctx.stateDir, ev.sessionId, r.taint);
  const audit: Record<string, unknown> = {
    source: r.ingestion.source,
    trust: r.ingestion.trust,
    detected: r.detected,
    ...(r.score !== undefined ? { score: r.score, threshold: r.threshold } : {}),
    ...(r.findings.length > 0 ? { findings: [...new Set(r.findings.map((f) => f.id))].slice(0, 20) } : {}),
    ...(r.taint ? { tainted: r.taint.kind } : {}),
  };
  return { ...(r.context ? { context: r.context } : {}), audit, ...(r.block ? { block: r.block } : {}) };
}

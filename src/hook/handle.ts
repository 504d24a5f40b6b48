/**
 * One hook call from raw stdin to the answer: parse → policy → decide → audit → format. Used in-process by the
 * hook client when no daemon answers, and by the daemon for every call. It never throws: every failure becomes
 * an explicit deny (or block) with a reason that says what to fix.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HookEvent, HookEventName, Verdict } from '../ir/types.js';
import type { AuditRecordInput, AuditStore } from '../audit/index.js';
import { openAuditStore, pruneAudit, SqliteAuditStore } from '../audit/index.js';
import { formatProblem, PolicyCache, type LoadedPolicy } from '../policy/load.js';
import { decide } from '../engine/decide.js';
import { rewriteShellCall, unwrapShellCall } from '../engine/rewrite.js';
import { verdictFrom } from '../engine/policy-apply.js';
import { loadKnownSecrets } from '../secrets/known.js';
import { activePhase } from '../phase/state.js';
import { applyApprovals } from '../approval/hook.js';
import { ApprovalsDb } from '../approval/store.js';
import { stateDir as stateDirOf, homeDir, findWorkspace } from '../state.js';
import { VERSION } from '../version.js';
import { failClosed, formatVerdict, InputError, isHookEvent, MAX_STDIN_BYTES, parseEvent, type HookOutput } from './protocol.js';

export type Env = Record<string, string | undefined>;

export interface HookRequest {
  /** Event name the hook was registered for (argv), when known. */
  event?: string;
  stdin: string;
  /** True when stdin was longer than MAX_STDIN_BYTES and was cut. */
  truncated?: boolean;
  env: Env;
  /** The hook process's working directory. */
  cwd: string;
}

/** Caches that a long-lived process keeps between calls. */
export class HookRuntime {
  readonly policies = new PolicyCache();
  readonly approvals = new ApprovalsDb();
  private stores = new Map<string, AuditStore>();

  /**
   * `deferCheckpoints`: the owner (the daemon) calls maintain() between calls, so that no hook call waits for the
   * audit database's WAL to be copied back.
   */
  constructor(private readonly opts: { deferCheckpoints?: boolean } = {}) {}

  /** The audit store for a state dir, and the shared sink when the policy names one (audit.sink). */
  store(stateDir: string, sink?: string): AuditStore {
    const key = `${stateDir}\0${sink ?? ''}`;
    let s = this.stores.get(key);
    if (!s) {
      s = openAuditStore({ stateDir, ...(sink ? { sink } : this.opts.deferCheckpoints ? { deferCheckpoints: true } : {}) });
      this.stores.set(key, s);
    }
    return s;
  }

  /**
   * Upkeep for when no call is waiting: checkpoints the SQLite stores whose WAL has grown past `pages` (SQLite's
   * own threshold by default). A failed checkpoint only leaves the WAL longer; appends go on.
   */
  maintain(pages?: number): void {
    for (const s of this.stores.values()) {
      if (!(s instanceof SqliteAuditStore)) continue;
      try {
        s.checkpointIfDue(pages);
      } catch {
        // Tried again at the next upkeep.
      }
    }
  }

  dropStore(key: string): void {
    const s = this.stores.get(key);
    this.stores.delete(key);
    try {
      s?.close();
    } catch {
      // Already broken; nothing to release.
    }
  }

  close(): void {
    for (const k of [...this.stores.keys()]) this.dropStore(k);
    this.approvals.close();
  }
}

/** Tools whose calls only read; the audit store being down does not stop them. */
const READ_ONLY_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'TodoWrite', 'AskUserQuestion', 'ExitPlanMode', 'EnterPlanMode', 'ToolSearch']);

export { findWorkspace };

export async function handleHook(req: HookRequest, rt: HookRuntime): Promise<HookOutput> {
  const started = performance.now();
  const expected = isHookEvent(req.event) ? req.event : undefined;
  let ev: HookEvent | undefined;
  try {
    if (req.event !== undefined && !expected) {
      return failClosed(undefined, 'cordon.unknown-event', `cordon was registered for an event it does not know (${req.event.slice(0, 40)})`, 'run `cordon init --yes` again to rewrite the hook entries');
    }
    if (req.truncated) {
      return failClosed(expected, 'cordon.input-too-large', `the hook input is larger than ${MAX_STDIN_BYTES} bytes, so cordon did not analyse it`, 'split the work into smaller tool calls');
    }
    ev = parseEvent(req.stdin, expected, req.cwd);
    // After the tool ran, Claude Code reports the command as rewritten by cordon; judge and record the original.
    if ((ev.event === 'PostToolUse' || ev.event === 'PostToolUseFailure') && typeof ev.toolInput?.command === 'string') {
      const original = unwrapShellCall(ev.toolInput.command);
      if (original !== undefined) ev.toolInput = { ...ev.toolInput, command: original };
    }
    const env = req.env;
    const stateDir = stateDirOf(env as NodeJS.ProcessEnv);
    const home = homeDir(env as NodeJS.ProcessEnv);
    const workspace = findWorkspace(env, ev.cwd);
    const overlay = env.CORDON_POLICY_OVERLAY;
    const loaded: LoadedPolicy = rt.policies.load({ workspace, stateDir, ...(overlay ? { overlay } : {}) });
    if (!loaded.ok) {
      const first = loaded.problems[0];
      const where = first ? formatProblem(first) : 'policy';
      const more = loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more)` : '';
      const out = failClosed(ev.event, 'cordon.policy-invalid', `the policy is invalid, so nothing is allowed until it is fixed: ${where}${more}`, 'fix the file (`cordon doctor` lists every problem)');
      await record(rt, stateDir, undefined, ev, { decision: 'deny', ruleId: 'cordon.policy-invalid', reason: where, findings: [] }, started, undefined);
      return out;
    }
    const policy = loaded.policy;
    const deadline = started + policy.hook.deadlineMs;
    // Stored secret values are registered with the redactor before anything is recorded or printed.
    const known = loadKnownSecrets({ stateDir, env: env as NodeJS.ProcessEnv });
    const now = new Date();
    const phase = activePhase({ workspace, stateDir, env, policy, now });
    const result = await decide(ev, { policy, workspace, home, stateDir, env, deadline, now, known, ...(phase ? { phase } : {}) });
    // A refused call may carry a human's one-time approval (cordon approve CODE); otherwise its reason ends with
    // the command that would approve it.
    const approval = applyApprovals(ev, result.verdict, { stateDir, env, now, conns: rt.approvals });
    let verdict = approval.verdict;
    if (approval.approval) {
      const a = approval.approval;
      result.extra.approval =
        a.event === 'error'
          ? a
          : { event: a.event, code: a.facts.code, approvedBy: a.facts.approvedBy, approvedAt: a.facts.approvedAt, inputSha256: a.facts.inputSha256, refusedBy: result.verdict.ruleId };
    }
    // Allowed shell calls run confined. An ask is shown to a human as the command the model wrote, so it is left
    // as written: the approval covers exactly what the human read.
    if (ev.event === 'PreToolUse' && verdict.decision === 'allow') {
      const rw = rewriteShellCall(ev, { policy, workspace, home, stateDir, env, ...(phase ? { phase: phase.name } : {}), ...(result.check?.shell ? { shellCommands: result.check.shell.ir.commands, shellStatus: result.check.shell.ir.status } : {}) });
      if (rw && 'refusal' in rw) verdict = { ...verdictFrom([rw.refusal, ...verdict.findings]) };
      else if (rw) {
        verdict = { ...verdict, updatedInput: rw.updatedInput };
        result.extra.rewrite = rw.layers;
      }
    }
    const auditError = await record(rt, stateDir, policy.audit.sink, ev, verdict, started, { policyHash: loaded.hash, extra: result.extra });
    if (auditError && ev.event === 'PreToolUse' && verdict.decision === 'allow' && !READ_ONLY_TOOLS.has(ev.toolName ?? '')) {
      verdict = {
        decision: 'deny',
        ruleId: 'cordon.audit-unavailable',
        reason: `${auditError.startsWith('audit store unavailable') ? auditError : `audit store unavailable: ${auditError}`}; actions that change anything are refused until it is repaired`,
        alternative: 'run `cordon doctor` to see what is wrong with the audit store',
        findings: verdict.findings,
      };
    }
    if (ev.event === 'SessionStart' && policy.audit.retentionDays > 0 && !policy.audit.sink) applyRetention(stateDir, policy.audit.retentionDays);
    return formatVerdict(ev.event, verdict, policy.hook.onAllow);
  } catch (err) {
    if (err instanceof InputError) {
      return failClosed(expected ?? ev?.event, err.ruleId, err.message, 'this is not a command problem: check the hook registration with `cordon doctor`');
    }
    const msg = err instanceof Error ? err.message : String(err);
    return failClosed(expected ?? ev?.event, 'cordon.internal-error', `cordon hit an internal error and refuses rather than guessing (${oneLine(msg)})`, 'run `cordon doctor`; report the error if it persists');
  }
}

/**
 * Retention (audit.retentionDays), applied once per session start: pruning re-anchors the chain, so verify still
 * holds. A prune that fails (a broken chain is never pruned) leaves everything in place for `cordon audit verify`.
 */
function applyRetention(stateDir: string, days: number): void {
  try {
    pruneAudit({ stateDir, olderThanDays: days });
  } catch {
    // Nothing removed; doctor and verify report why.
  }
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

/** Appends the audit record. Returns an error message when the store is unusable, undefined on success. */
async function record(
  rt: HookRuntime,
  stateDir: string,
  sink: string | undefined,
  ev: HookEvent,
  v: Verdict,
  started: number,
  more: { policyHash?: string; extra?: Record<string, unknown> } | undefined,
): Promise<string | undefined> {
  const rec: AuditRecordInput = {
    ts: Date.now(),
    sessionId: ev.sessionId,
    event: ev.event,
    decision: v.decision,
    ruleId: v.ruleId,
    reason: v.reason,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    cwd: ev.cwd,
    version: VERSION,
  };
  if (ev.toolUseId) rec.toolUseId = ev.toolUseId;
  if (ev.toolName) rec.tool = ev.toolName;
  if (ev.toolInput) rec.input = ev.toolInput;
  else if (ev.prompt !== undefined) rec.input = { prompt: ev.prompt };
  else if (ev.source !== undefined) rec.input = { source: ev.source };
  if (ev.event === 'PostToolUse') rec.result = summariseResult(ev.toolResponse);
  if (ev.event === 'PostToolUseFailure') rec.result = { error: (ev.error ?? '').split('\n').slice(0, 5).join('\n').slice(0, 500) };
  if (more?.policyHash) rec.policyHash = more.policyHash;
  const extra: Record<string, unknown> = { ...(more?.extra ?? {}) };
  if (ev.agentId) extra.agentId = ev.agentId;
  if (ev.permissionMode) extra.permissionMode = ev.permissionMode;
  if (v.findings.length > 0) extra.findings = v.findings.map((f) => ({ rule: f.ruleId, decision: f.decision, severity: f.severity }));
  if (Object.keys(extra).length > 0) rec.extra = extra;
  try {
    await rt.store(stateDir, sink).append(rec);
    return undefined;
  } catch (err) {
    rt.dropStore(`${stateDir}\0${sink ?? ''}`);
    return oneLine(err instanceof Error ? err.message : String(err));
  }
}

/** Size, exit status and first lines of a tool result; the store redacts it. */
export function summariseResult(resp: unknown): Record<string, unknown> {
  if (resp === undefined || resp === null) return { empty: true };
  if (typeof resp === 'string') return { bytes: Buffer.byteLength(resp), head: head(resp) };
  if (typeof resp !== 'object') return { value: String(resp).slice(0, 200) };
  const r = resp as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof r.stdout === 'string') {
    out.stdoutBytes = Buffer.byteLength(r.stdout);
    out.head = head(r.stdout);
  }
  if (typeof r.stderr === 'string' && r.stderr !== '') {
    out.stderrBytes = Buffer.byteLength(r.stderr);
    out.stderrHead = head(r.stderr);
  }
  if (typeof r.interrupted === 'boolean') out.interrupted = r.interrupted;
  if (typeof r.exitCode === 'number') out.exit = r.exitCode;
  if (typeof r.filePath === 'string') out.filePath = r.filePath;
  if (typeof r.type === 'string') out.type = r.type;
  if (Object.keys(out).length === 0) {
    const text = JSON.stringify(resp) ?? '';
    out.bytes = Buffer.byteLength(text);
    out.head = head(text);
  }
  return out;
}

function head(s: string): string {
  return s.split('\n').slice(0, 5).join('\n').slice(0, 500);
}

/**
 * Claude Code's hook wire format: stdin JSON → HookEvent, Verdict → stdout JSON.
 *
 * What the real CLI does with each output is in docs/hook-contract.md. The rules that matter here:
 * stdout carries exactly one JSON object and nothing else; a deny or ask for PreToolUse goes in
 * hookSpecificOutput with the right hookEventName (a mismatch makes the CLI ignore the output: fail-open);
 * every failure path still prints a decision.
 */
import type { HookEvent, HookEventName, Verdict } from '../ir/types.js';

export const HOOK_EVENTS: readonly HookEventName[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'SessionStart'];

/** Largest stdin cordon reads; anything longer is refused (a tool input that large is itself suspicious). */
export const MAX_STDIN_BYTES = 4 * 1024 * 1024;

export function isHookEvent(s: unknown): s is HookEventName {
  return typeof s === 'string' && (HOOK_EVENTS as readonly string[]).includes(s);
}

export class InputError extends Error {
  constructor(
    message: string,
    readonly ruleId: string = 'cordon.bad-input',
  ) {
    super(message);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Parses and checks the event. `expected` is the event the hook was registered for (from argv); when given,
 * the input must agree with it.
 */
export function parseEvent(text: string, expected: HookEventName | undefined, fallbackCwd: string): HookEvent {
  if (text.trim() === '') throw new InputError('empty hook input on stdin');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError('hook input is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('hook input is not a JSON object');
  const o = raw as Record<string, unknown>;
  const name = o.hook_event_name;
  if (!isHookEvent(name)) {
    throw new InputError(`unknown hook event ${JSON.stringify(name)?.slice(0, 60) ?? 'undefined'}`, 'cordon.unknown-event');
  }
  if (expected && name !== expected) throw new InputError(`hook registered for ${expected} received a ${name} event`);
  const sessionId = str(o.session_id);
  if (!sessionId) throw new InputError('hook input has no session_id');
  const ev: HookEvent = { event: name, sessionId, cwd: str(o.cwd) || fallbackCwd, raw: o };
  const optional: [keyof HookEvent, string][] = [
    ['transcriptPath', 'transcript_path'],
    ['permissionMode', 'permission_mode'],
    ['toolName', 'tool_name'],
    ['toolUseId', 'tool_use_id'],
    ['error', 'error'],
    ['prompt', 'prompt'],
    ['source', 'source'],
    ['agentId', 'agent_id'],
  ];
  for (const [k, src] of optional) {
    const v = str(o[src]);
    if (v !== undefined) (ev as unknown as Record<string, unknown>)[k] = v;
  }
  if (name === 'PreToolUse' || name === 'PostToolUse' || name === 'PostToolUseFailure') {
    if (!ev.toolName) throw new InputError(`${name} event has no tool_name`);
    const input = o.tool_input;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InputError(`${name} event has no tool_input object`);
    ev.toolInput = input as Record<string, unknown>;
  }
  if (name === 'PostToolUse') ev.toolResponse = o.tool_response;
  return ev;
}

export interface HookOutput {
  stdout: string;
  exitCode: number;
  /** Only with exit code 2, where Claude Code reads the reason from stderr. */
  stderr?: string;
}

/** The message the model and the human read. */
export function message(v: Pick<Verdict, 'decision' | 'ruleId' | 'reason' | 'alternative'>): string {
  const head = v.decision === 'deny' ? 'cordon denied this' : v.decision === 'ask' ? 'cordon needs a human to approve this' : 'cordon';
  const trim = (s: string) => s.trim().replace(/[.\s]+$/, '');
  const alt = v.alternative ? ` Instead: ${trim(v.alternative)}.` : '';
  return `${head}: ${trim(v.reason)} [${v.ruleId}].${alt}`.replace(/[\r\n]+/g, ' ');
}

export function formatVerdict(event: HookEventName, v: Verdict, onAllow: 'passthrough' | 'allow'): HookOutput {
  switch (event) {
    case 'PreToolUse': {
      if (v.decision === 'allow' && onAllow === 'passthrough') {
        return json(v.context ? { hookSpecificOutput: { hookEventName: event, additionalContext: v.context } } : {});
      }
      const out: Record<string, unknown> = {
        hookEventName: event,
        permissionDecision: v.decision,
        permissionDecisionReason: message(v),
      };
      if (v.context) out.additionalContext = v.context;
      return json({ hookSpecificOutput: out });
    }
    case 'PostToolUse':
    case 'PostToolUseFailure':
    case 'UserPromptSubmit': {
      const out: Record<string, unknown> = {};
      if (v.decision !== 'allow') {
        out.decision = 'block';
        out.reason = message(v);
      }
      if (v.context) out.hookSpecificOutput = { hookEventName: event, additionalContext: v.context };
      return json(out);
    }
    case 'SessionStart':
      return json(v.context ? { hookSpecificOutput: { hookEventName: event, additionalContext: v.context } } : {});
  }
}

/**
 * The answer when cordon itself failed or the input was unusable. For tool calls this is a deny; for prompts a
 * block; for events that cannot block, a warning to the user. With no known event, a generic block plus exit 2,
 * which every blocking event honours.
 */
export function failClosed(event: HookEventName | undefined, ruleId: string, reason: string, fix?: string): HookOutput {
  const v: Verdict = { decision: 'deny', ruleId, reason, findings: [], ...(fix ? { alternative: fix } : {}) };
  if (!event) {
    return { stdout: JSON.stringify({ decision: 'block', reason: message(v) }), exitCode: 2, stderr: message(v) };
  }
  if (event === 'SessionStart') return json({ systemMessage: message(v) });
  return formatVerdict(event, v, 'passthrough');
}

function json(o: unknown): HookOutput {
  return { stdout: JSON.stringify(o), exitCode: 0 };
}

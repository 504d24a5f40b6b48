/**
 * Claude Code's hook wire format: stdin JSON → HookEvent, Verdict → stdout JSON.
 *
 * What the real CLI does with each output is in docs/hook-contract.md. The rules that matter here:
 * stdout carries exactly one JSON object and nothing else; a deny or ask for PreToolUse goes in
 * hookSpecificOutput with the right hookEventName (a mismatch makes the CLI ignore the output: fail-open);
 * every failure path still prints a decision.
 */
import type { HookEvent, HookEventName } from '../ir/types.js';
import { isHookEvent } from './wire.cjs';

export { HOOK_EVENTS, isHookEvent, MAX_STDIN_BYTES, message, formatVerdict, failClosed } from './wire.cjs';
export type { HookOutput } from './wire.cjs';

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


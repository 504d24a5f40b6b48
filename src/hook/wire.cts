/**
 * What the hook prints, and where it finds the daemon. CommonJS on purpose: the hook client loads it on every
 * tool call, and a CommonJS module graph of node built-ins starts measurably faster than an ES module one.
 * The ES side of cordon imports it like any other module.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { HookEventName, Verdict } from '../ir/types.js';
import { BUILD_ID } from '../build-id.cjs';

export { BUILD_ID };

export const HOOK_EVENTS: readonly HookEventName[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'SessionStart'];

/** Largest stdin cordon reads; anything longer is refused (a tool input that large is itself suspicious). */
export const MAX_STDIN_BYTES = 4 * 1024 * 1024;

export function isHookEvent(s: unknown): s is HookEventName {
  return typeof s === 'string' && (HOOK_EVENTS as readonly string[]).includes(s);
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
      const out: Record<string, unknown> = { hookEventName: event };
      // passthrough: no decision, so Claude Code's own permission rules still apply (updatedInput is honoured
      // without a decision too).
      if (v.decision !== 'allow' || onAllow === 'allow') {
        out.permissionDecision = v.decision;
        out.permissionDecisionReason = message(v);
      }
      if (v.updatedInput && v.decision !== 'deny') out.updatedInput = v.updatedInput;
      if (v.context) out.additionalContext = v.context;
      return json(Object.keys(out).length > 1 ? { hookSpecificOutput: out } : {});
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

// ---------------------------------------------------------------------------------------------------------------
// The daemon's socket
// ---------------------------------------------------------------------------------------------------------------

/** Unix socket paths are limited to ~107 bytes; longer state dirs fall back to in-process decisions. */
const MAX_SOCKET_PATH = 100;

export function socketDir(env: NodeJS.ProcessEnv): string {
  const state = env.CORDON_HOME && env.CORDON_HOME !== '' ? env.CORDON_HOME : join(env.HOME || homedir(), '.cordon');
  return join(state, 'run');
}

/** The socket of the daemon built from this very code; undefined when the path would be too long. */
export function socketPath(env: NodeJS.ProcessEnv): string | undefined {
  const p = join(socketDir(env), `hookd-${BUILD_ID}.sock`);
  return p.length <= MAX_SOCKET_PATH ? p : undefined;
}

/** Variables besides cordon's own that decisions read: home, project, session, temp dir, headless or not. */
const FORWARDED = new Set(['HOME', 'CLAUDE_PROJECT_DIR', 'CLAUDE_CODE_SESSION_ID', 'TMPDIR', 'CLAUDE_CODE_ENTRYPOINT']);

/**
 * The part of the hook's environment that decisions depend on. Secrets in the user's environment never cross
 * the socket: the daemon has no use for them.
 */
export function forwardedEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('CORDON_') || FORWARDED.has(k)) out[k] = v;
  }
  return out;
}

/** The daemon starts with a minimal environment, not the user's (which may hold credentials). */
export function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'CORDON_HOME', 'CORDON_DAEMON_IDLE_MS', 'CORDON_DEBUG', 'TMPDIR', 'LANG']) {
    if (env[k] !== undefined) out[k] = env[k];
  }
  return out;
}

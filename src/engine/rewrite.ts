/**
 * The rewrite of an allowed shell call: the hook decides, the sandbox makes a wrong decision survivable, and the
 * mask keeps secret values out of what the model reads back. Order matters: the mask runs outside and wraps the
 * sandboxed command, because the secret store is unreadable inside the sandbox.
 */
import type { Finding, HookEvent } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { wrapBashCommand } from '../sandbox/wrap.js';
import { maskNeeded, maskWrap } from '../secrets/mask.js';

export interface RewriteContext {
  policy: Policy;
  workspace: string;
  home: string;
  stateDir: string;
  env: Record<string, string | undefined>;
  phase?: string;
}

export type RewriteResult = { updatedInput: Record<string, unknown>; layers: string[] } | { refusal: Finding } | undefined;

const SHELL_TOOLS = new Set(['Bash', 'Monitor']);

export function rewriteShellCall(ev: HookEvent, ctx: RewriteContext): RewriteResult {
  if (!SHELL_TOOLS.has(ev.toolName ?? '')) return undefined;
  const input = ev.toolInput ?? {};
  const original = input.command;
  if (typeof original !== 'string') return undefined;
  let command = original;
  const layers: string[] = [];
  if (ctx.policy.sandbox.mode === 'on') {
    const w = wrapBashCommand(command, {
      policy: ctx.policy,
      workspace: ctx.workspace,
      home: ctx.home,
      stateDir: ctx.stateDir,
      sessionId: ev.sessionId,
      env: ctx.env,
      ...(ctx.phase ? { phase: ctx.phase } : {}),
    });
    if ('error' in w) {
      return {
        refusal: {
          ruleId: 'cordon.sandbox-unavailable',
          decision: 'deny',
          severity: 'high',
          reason: `the sandbox cannot start, and cordon does not run commands unconfined: ${w.error}`,
          alternative: `${w.fix.replace(/[.\s]+$/, '')} (or set sandbox.mode: off in the policy, which is recorded)`,
        },
      };
    }
    command = w.command;
    layers.push('sandbox');
  }
  if (ctx.policy.secrets.mask && maskNeeded(ctx.env as NodeJS.ProcessEnv, ctx.stateDir)) {
    try {
      command = maskWrap(command, { stateDir: ctx.stateDir });
      layers.push('mask');
    } catch (err) {
      return {
        refusal: {
          ruleId: 'secrets.mask-unavailable',
          decision: 'deny',
          severity: 'medium',
          reason: (err as Error).message,
          alternative: 'split the command into smaller ones',
        },
      };
    }
  }
  if (layers.length === 0) return undefined;
  return { updatedInput: { ...input, command }, layers };
}

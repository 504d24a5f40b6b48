/**
 * The rewrite of an allowed shell call: the hook decides, the sandbox makes a wrong decision survivable, and the
 * mask keeps secret values out of what the model reads back. Order matters: the mask runs outside and wraps the
 * sandboxed command, because the secret store is unreadable inside the sandbox.
 *
 * One exception to the sandbox layer: a call that is exactly one `cordon exec …` is the secret broker, which must
 * read the store, so it runs outside and confines its own child in the same sandbox (src/secrets/confine.ts). It
 * is rewritten to this installation's cordon by absolute path: `cordon` found through PATH, or `npx cordon`
 * through the workspace's node_modules, could be a file the model wrote, which would then run unconfined.
 */
import type { Command, Finding, HookEvent, ShellStatus, Word } from '../ir/types.js';
import { parseShell } from '../parse/index.js';
import type { Policy } from '../policy/schema.js';
import { originalCommand, shellWord, wrapBashCommand } from '../sandbox/wrap.js';
import { cliEntry, decodeCommand, maskEntry, maskNeeded, maskWrap } from '../secrets/mask.js';
import { needsNoNetwork } from '../sandbox/offline.js';

export interface RewriteContext {
  policy: Policy;
  workspace: string;
  home: string;
  stateDir: string;
  env: Record<string, string | undefined>;
  phase?: string;
  /** The command's shell IR as the engine parsed it; parsed here when absent. */
  shellCommands?: Command[];
  shellStatus?: ShellStatus;
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
  // The IR is needed only when the sandbox is on (broker and offline checks); the engine's, or parsed here.
  const ir =
    ctx.policy.sandbox.mode !== 'on' ? undefined : ctx.shellCommands && ctx.shellStatus ? { commands: ctx.shellCommands, status: ctx.shellStatus } : parseShell(original, { cwd: ev.cwd, home: ctx.home });
  const broker = ir ? brokerArgv(original, ir.commands) : undefined;
  if (broker) {
    command = [process.execPath, cliEntry(), ...broker].map(shellWord).join(' ');
    layers.push('broker');
  } else if (ctx.policy.sandbox.mode === 'on') {
    const w = wrapBashCommand(command, {
      policy: ctx.policy,
      workspace: ctx.workspace,
      home: ctx.home,
      stateDir: ctx.stateDir,
      sessionId: ev.sessionId,
      env: ctx.env,
      ...(ctx.phase ? { phase: ctx.phase } : {}),
    }, { offline: ir !== undefined && needsNoNetwork(ir.status, ir.commands) });
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

/** True when an unquoted glob character makes the shell expand the word at run time (`*`, `?`, `[`). */
function globbed(raw: string): boolean {
  let q: "'" | '"' | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (q) {
      if (c === q) q = undefined;
      else if (q === '"' && c === '\\') i++;
    } else if (c === '\\') i++;
    else if (c === "'" || c === '"') q = c;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function plain(cmd: Command | undefined): cmd is Command {
  return (
    cmd !== undefined &&
    cmd.depth === 0 &&
    cmd.via.length === 0 &&
    cmd.wrappers.length === 0 &&
    cmd.assignments.length === 0 &&
    cmd.redirects.length === 0 &&
    cmd.stdin.kind === 'inherit' &&
    cmd.stdout === 'inherit' &&
    cmd.argv.every((w: Word) => !w.dynamic && w.value !== undefined && !globbed(w.raw))
  );
}

/**
 * The arguments after `cordon` (`exec`, …) when `source` is exactly one plain `cordon exec …` or
 * `npx cordon exec …`: one simple top-level command with static words and nothing around it (no list, pipe,
 * redirect, substitution, assignment, wrapper, subshell or background). Undefined otherwise: the call is
 * sandboxed like any other.
 */
export function brokerArgv(source: string, commands: Command[]): string[] | undefined {
  const top = commands[0];
  // The text check leaves nothing around the command; the depth check, nothing beside it. Commands nested deeper
  // come only from unwrapping its (static) arguments, which the engine has checked.
  if (!plain(top) || source.trim().replace(/\s*;$/, '') !== top.text || commands.slice(1).some((c) => c.depth === 0)) return undefined;
  const words = top.argv.map((w) => w.value!);
  const rest = words[0] === 'cordon' ? words.slice(1) : words[0] === 'npx' && words[1] === 'cordon' ? words.slice(2) : [];
  return rest[0] === 'exec' ? rest : undefined;
}

/**
 * `cordon exec …` back from its pinned form (`<node> <this cordon> exec …`): the same words the model wrote, as
 * `cordon exec …` even when it wrote `npx cordon exec …`.
 */
function brokerOriginal(command: string): string | undefined {
  const marker = ` ${shellWord(cliEntry())} exec`;
  const i = command.indexOf(marker);
  const end = i + marker.length;
  if (i <= 0 || (end < command.length && command[end] !== ' ') || !/^(?:'[^']*'|[^\s']+)$/.test(command.slice(0, i))) return undefined;
  return `cordon${command.slice(end - ' exec'.length)}`;
}

/**
 * The command the model wrote, inside a command this installation rewrote (mask outside, sandbox inside), or
 * undefined when `command` is not such a rewrite. PostToolUse sees the rewritten form; classification of the result
 * (was it a network fetch?) and the audit trail need the original.
 */
export function unwrapShellCall(command: string): string | undefined {
  let cmd = command;
  if (cmd.includes(maskEntry())) {
    const m = /\s--b64((?:\s+[A-Za-z0-9+/=]+)+)\s*$/.exec(cmd);
    if (m) {
      try {
        cmd = decodeCommand(m[1]!.trim().split(/\s+/));
      } catch {
        return undefined;
      }
    }
  }
  const inner = originalCommand(cmd) ?? brokerOriginal(cmd);
  if (inner !== undefined) cmd = inner;
  return cmd === command ? undefined : cmd;
}

/**
 * Is this process running under an AI agent? Human-only commands (phase start/end, approve, taint clear,
 * init --undo) refuse when it is. Claude Code sets `CLAUDECODE=1` (and `AI_AGENT`, `CLAUDE_CODE_ENTRYPOINT`) in
 * the environment of every command its Bash tool runs; a command that scrubbed its environment is still a
 * descendant of the claude process, so the process ancestry is checked too (Linux /proc).
 *
 * This is a speed bump, not a boundary: the self-protection rules refuse these commands before they run, and
 * the approval key and state files live outside the workspace.
 */
import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

const AGENT_VARS: [string, (v: string) => boolean][] = [
  ['CLAUDECODE', (v) => v !== '' && v !== '0'],
  ['AI_AGENT', (v) => v !== ''],
  ['CLAUDE_CODE_ENTRYPOINT', (v) => v !== ''],
];

/** Names of agent processes looked for among the ancestors. */
const AGENT_PROCESS = /^(claude|claude\.exe)$/;

export interface AgentCheckOptions {
  /** Check the process ancestry too (default: on Linux). */
  ancestry?: boolean;
  /** For tests: the /proc root and the starting pid. */
  procRoot?: string;
  pid?: number;
}

/** Why this process counts as running under an agent, or undefined when it does not. */
export function runningUnderAgent(env: Env, opts: AgentCheckOptions = {}): string | undefined {
  for (const [name, set] of AGENT_VARS) {
    const v = env[name];
    if (v !== undefined && set(v)) return `it runs under an AI agent (${name}=${v.slice(0, 40)} is set)`;
  }
  if (opts.ancestry ?? process.platform === 'linux') {
    const a = agentAncestor(opts.procRoot ?? '/proc', opts.pid ?? process.pid);
    if (a) return `it runs under an AI agent (parent process ${a.name}, pid ${a.pid})`;
  }
  return undefined;
}

/** The nearest ancestor whose command name is an agent's, walking /proc/<pid>/stat up to init. */
export function agentAncestor(procRoot: string, pid: number): { pid: number; name: string } | undefined {
  let p = pid;
  for (let i = 0; i < 64 && p > 1; i++) {
    let stat: string;
    try {
      stat = readFileSync(`${procRoot}/${p}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // "pid (comm) state ppid …"; comm may itself contain spaces or parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    if (i > 0 && AGENT_PROCESS.test(name)) return { pid: p, name };
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (!Number.isInteger(ppid) || ppid === p) return undefined;
    p = ppid;
  }
  return undefined;
}

/** The one-line refusal a human-only command prints. */
export function humanOnlyMessage(command: string, reason: string): string {
  return `cordon ${command} is for humans only and refuses because ${reason}; run it yourself in a terminal outside the agent`;
}

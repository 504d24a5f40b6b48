/**
 * Per-tool checks for PreToolUse: the tool gate (allow / ask / deny lists), path bounds for file tools, domain
 * rules for WebFetch, and shell analysis for Bash and Monitor. Each check returns findings; the caller applies
 * the policy and picks the strongest.
 */
import type { Finding, HookEvent } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { canonicalPath, credentialKind, inBounds, makeBounds, type Bounds } from './paths.js';
import { globToRegExp } from './policy-apply.js';
import { analyzeShellCommand, type ShellAnalysis } from './shell.js';
import { selfProtectPath } from '../selfprotect/paths.js';

export interface ToolContext {
  policy: Policy;
  workspace: string;
  home: string;
  cwd: string;
  deadline: number;
  stateDir?: string;
}

export interface ToolCheck {
  findings: Finding[];
  /** Present for shell tools: the parse and the rules, for explain and the audit trail. */
  shell?: ShellAnalysis;
  /** The command text for override matching. */
  command?: string;
}

const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS']);
const WRITE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const SHELL_TOOLS = new Set(['Bash', 'Monitor']);
/** Tools that run code cordon cannot analyse. */
const OPAQUE_CODE_TOOLS = new Set(['PowerShell', 'REPL', 'Workflow', 'CronCreate', 'ScheduleWakeup', 'RemoteTrigger']);

function matchesAny(name: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.includes('*') ? globToRegExp(p).test(name) : p === name));
}

function f(ruleId: string, decision: Finding['decision'], severity: Finding['severity'], reason: string, alternative?: string, evidence?: string): Finding {
  return { ruleId, decision, severity, reason, ...(alternative ? { alternative } : {}), ...(evidence ? { evidence } : {}) };
}

export async function checkTool(ev: HookEvent, ctx: ToolContext): Promise<ToolCheck> {
  const tool = ev.toolName ?? '';
  const input = ev.toolInput ?? {};
  const { tools } = ctx.policy;

  // cordon's own files, the agent's settings and git hooks: the guard is not the agent's to edit.
  if (WRITE_TOOLS.has(tool)) {
    const raw = tool === 'NotebookEdit' ? input.notebook_path : input.file_path;
    const own = typeof raw === 'string' ? selfProtectPath(raw, { home: ctx.home, cwd: ev.cwd, tool, ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}) }) : undefined;
    if (own) return { findings: [own] };
  }

  if (matchesAny(tool, tools.deny)) {
    return { findings: [f('tools.denied', 'deny', 'high', `the tool ${tool} is denied by policy (tools.deny)`, 'use another tool, or ask a human to change .cordon/policy.yaml')] };
  }
  if (matchesAny(tool, tools.ask)) {
    return { findings: [f('tools.ask', 'ask', 'medium', `the tool ${tool} needs a human's approval by policy (tools.ask)`)] };
  }
  if (!matchesAny(tool, tools.allow)) {
    if (OPAQUE_CODE_TOOLS.has(tool)) {
      return { findings: [f('tools.unanalysed', tools.unknown, 'high', `cordon cannot analyse what the tool ${tool} runs, and it is not in tools.allow`, 'use the Bash tool, which cordon can analyse')] };
    }
    return {
      findings: [f('tools.unknown', tools.unknown, 'medium', `the tool ${tool || '(unnamed)'} is not in the policy's tool allowlist`, `add "${tool}" to tools.allow in .cordon/policy.yaml if it is safe`)],
    };
  }

  if (SHELL_TOOLS.has(tool)) {
    const command = typeof input.command === 'string' ? input.command : undefined;
    if (command === undefined) {
      if (tool === 'Monitor') return { findings: [] };
      return { findings: [f('tools.bad-input', 'deny', 'medium', `${tool} call without a command string`)] };
    }
    const shell = await analyzeShellCommand(command, {
      cwd: ev.cwd,
      home: ctx.home,
      workspace: ctx.workspace,
      policy: ctx.policy,
      deadline: ctx.deadline,
      ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}),
    });
    return { findings: shell.findings, shell, command };
  }

  const bounds = makeBounds(ctx.workspace, ctx.policy.paths.extraRoots, ctx.policy.paths.allowTemp, ctx.home);
  if (READ_TOOLS.has(tool) || WRITE_TOOLS.has(tool)) {
    const write = WRITE_TOOLS.has(tool);
    const raw = pathArg(tool, input);
    return { findings: raw === undefined ? [] : checkPath(raw, write, tool, bounds, ctx) };
  }
  if (tool === 'WebFetch') return { findings: checkUrl(input.url, ctx.policy) };
  return { findings: [] };
}

function pathArg(tool: string, input: Record<string, unknown>): string | undefined {
  const keys = tool === 'NotebookEdit' ? ['notebook_path'] : tool === 'Glob' || tool === 'Grep' || tool === 'LS' ? ['path'] : ['file_path'];
  for (const k of keys) {
    const v = input[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  if (tool === 'Glob' && typeof input.pattern === 'string') {
    // An absolute glob (`/etc/**`) reaches outside as surely as a path argument does.
    const prefix = input.pattern.split(/[*?[{]/)[0] ?? '';
    if (prefix.startsWith('/') || prefix.startsWith('~')) return prefix || '/';
  }
  return undefined;
}

function checkPath(raw: string, write: boolean, tool: string, bounds: Bounds, ctx: ToolContext): Finding[] {
  const path = canonicalPath(raw, ctx.cwd, ctx.home);
  const cred = credentialKind(path, ctx.home);
  if (cred) {
    return [
      f(
        write ? 'secrets.credential-write' : 'secrets.credential-read',
        'deny',
        'high',
        `${tool} of ${path} (${cred}) is refused: secrets must not enter the model's context`,
        'refer to secrets by name and let a tool resolve them at the boundary; for configuration, read a template such as .env.example',
        path,
      ),
    ];
  }
  if (inBounds(path, bounds)) return [];
  if (write) {
    return [
      f('paths.write-outside', ctx.policy.paths.writeOutside, 'high', `${tool} of ${path} is outside the workspace (${ctx.workspace})`, 'write inside the workspace, or add the directory to paths.extraRoots in .cordon/policy.yaml', path),
    ];
  }
  const decision = ctx.policy.paths.readOutside;
  if (decision === 'allow') return [];
  return [f('paths.read-outside', decision, 'medium', `${tool} of ${path} is outside the workspace (${ctx.workspace})`, 'read files inside the workspace, or add the directory to paths.extraRoots', path)];
}

export function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host === p.slice(2) || host.endsWith(p.slice(1));
  return host === p;
}

function checkUrl(url: unknown, policy: Policy): Finding[] {
  if (typeof url !== 'string') return [f('tools.bad-input', 'deny', 'medium', 'WebFetch call without a URL')];
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return [f('web.bad-url', 'deny', 'medium', `WebFetch of an unparsable URL`, undefined, url.slice(0, 200))];
  }
  if (policy.web.deny.some((p) => hostMatches(host, p))) {
    return [f('web.denied-domain', 'deny', 'high', `WebFetch to ${host} is denied by policy (web.deny)`, undefined, url)];
  }
  if (policy.web.allow.length === 0 || policy.web.allow.some((p) => hostMatches(host, p))) return [];
  if (policy.web.otherwise === 'allow') return [];
  return [f('web.unlisted-domain', policy.web.otherwise, 'medium', `WebFetch to ${host}, which is not in web.allow`, `add ${host} to web.allow in .cordon/policy.yaml if it is trusted`, url)];
}

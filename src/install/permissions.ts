/**
 * Claude Code permission rules generated from the policy, written into `.claude/settings.json` beside the hooks.
 * They are defence in depth: Claude Code enforces them itself, so cordon's own files, the credential stores and
 * the human-only commands stay out of reach even when the hook process is missing or crashes (a hook failure is
 * non-blocking in Claude Code). A deny rule also wins over a hook's allow.
 *
 * Bash rules are prefix patterns over the command text, so they are kept to exact dangerous forms; the hook's
 * parser does the real analysis. Pure functions over the settings object, like ./settings.ts.
 */
import { posix } from 'node:path';
import type { Policy } from '../policy/schema.js';
import type { Settings } from './settings.js';

export interface PermissionRules {
  deny: string[];
  ask: string[];
}

export interface PermissionContext {
  home: string;
  /** cordon's state dir (absolute). */
  stateDir: string;
}

/** Files that keep cordon in the loop (Edit rules cover Write, Edit, MultiEdit and NotebookEdit). */
const PROTECTED_EDIT = ['**/.claude/settings*.json', '~/.claude/settings*.json', '**/.cordon/**', '**/.mcp.json', '**/.git/hooks/**', '**/.git/config'];

/** Credential stores: reading them hands a secret to the model. */
const SECRET_READ = [
  '~/.ssh/**',
  '~/.aws/**',
  '~/.config/gh/**',
  '~/.config/gcloud/**',
  '~/.azure/**',
  '~/.kube/**',
  '~/.gnupg/**',
  '~/.password-store/**',
  '~/.docker/config.json',
  '~/.npmrc',
  '~/.pypirc',
  '~/.netrc',
  '~/.git-credentials',
  '~/.claude/.credentials.json',
  '**/.env',
  '**/.env.local',
  '**/.env.*.local',
  '**/.env.production',
];

/**
 * Exact command forms. `rm -rf /*` is deliberately absent: `*` is a wildcard in these rules, so it would also deny
 * `rm -rf /abs/path/inside/the/workspace`; the hook's rules judge rm by the path it names.
 */
const BASH_DENY = [
  'cordon init --undo*',
  'cordon approve *',
  'cordon phase start *',
  'cordon phase end*',
  'cordon taint clear*',
  'npx cordon init --undo*',
  'npx cordon approve *',
  'npx cordon phase start *',
  'npx cordon phase end*',
  'npx cordon taint clear*',
  'npm uninstall cordon*',
  'npm uninstall -g cordon*',
  'npm rm cordon*',
  'npm remove cordon*',
  'npm un cordon*',
  'pnpm remove cordon*',
  'yarn remove cordon*',
  'git config core.hooksPath*',
  'git config --unset core.hooksPath*',
  'git config --global core.hooksPath*',
  'git config --local core.hooksPath*',
  'git -c core.hooksPath*',
  'CLAUDE_CODE_SIMPLE=*',
  'CLAUDE_CODE_SAFE_MODE=*',
  'export CLAUDE_CODE_SIMPLE*',
  'export CLAUDE_CODE_SAFE_MODE*',
  'export CORDON_PHASE*',
  'export CORDON_HOME*',
  'CORDON_PHASE=*',
  'CORDON_HOME=*',
  'claude --bare*',
  'claude * --bare*',
  'claude --safe-mode*',
  'claude * --safe-mode*',
  'claude --setting-sources*',
  'claude * --setting-sources*',
  'rm -rf /',
  'rm -rf / *',
  'rm -rf ~',
  'rm -rf ~/',
  'rm -rf $HOME',
  'rm -rf .claude*',
  'rm -rf .cordon*',
  'rm -rf .git/hooks*',
];

function fileRulePath(p: string, home: string): string {
  // `//abs` is anchored at the filesystem root; `~/p` at home (section 5 of the hooks reference).
  if (p.startsWith(home + '/')) return `~/${p.slice(home.length + 1)}`;
  return `/${p}`;
}

const TOOL_NAME = /^[A-Z][A-Za-z0-9_]*$/;
const MCP_NAME = /^mcp__[A-Za-z0-9_*-]+$/;

/** The rules for this policy. Order is stable, so settings files diff cleanly. */
export function permissionRulesFor(policy: Policy, ctx: PermissionContext): PermissionRules {
  const deny: string[] = [];
  const ask: string[] = [];
  for (const p of PROTECTED_EDIT) deny.push(`Edit(${p})`);
  const state = posix.normalize(ctx.stateDir).replace(/\/$/, '');
  deny.push(`Edit(${fileRulePath(state, ctx.home)}/**)`);
  const defaultState = posix.join(ctx.home, '.cordon');
  if (defaultState !== state) deny.push(`Edit(~/.cordon/**)`);
  for (const p of SECRET_READ) deny.push(`Read(${p})`);
  for (const c of BASH_DENY) deny.push(`Bash(${c})`);
  // Tool gates that Claude Code can express: exact tool names, and MCP patterns (wildcards allowed in deny/ask).
  for (const t of policy.tools.deny) if (TOOL_NAME.test(t) || MCP_NAME.test(t)) deny.push(t);
  for (const t of policy.tools.ask) if (TOOL_NAME.test(t) || MCP_NAME.test(t)) ask.push(t);
  for (const d of policy.web.deny) if (/^[A-Za-z0-9.-]+$/.test(d)) deny.push(`WebFetch(domain:${d})`);
  return { deny: [...new Set(deny)], ask: [...new Set(ask.filter((r) => !deny.includes(r)))] };
}

/** Syntax check of one rule against section 5 of the hooks reference; undefined when valid, else why not. */
export function ruleProblem(rule: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9_*-]*)(?:\((.*)\))?$/s.exec(rule);
  if (!m) return 'not of the form Tool or Tool(content)';
  const [, tool, content] = m as unknown as [string, string, string | undefined];
  if (tool.startsWith('mcp__')) return content === undefined ? undefined : 'MCP rules take no parenthesised content';
  if (!/^[A-Z]/.test(tool) || tool.includes('*')) return 'tool names start with an upper-case letter and have no wildcard';
  if (content === undefined) return undefined;
  if (content === '') return 'empty parentheses are rejected';
  if (tool === 'Bash' || tool === 'PowerShell') {
    const i = content.indexOf(':*');
    return i >= 0 && i !== content.length - 2 ? ':* is only allowed at the end' : undefined;
  }
  if (tool === 'Read' || tool === 'Edit' || tool === 'Write') return content.includes(':*') ? ':* is not valid in file rules' : undefined;
  if (tool === 'WebFetch') return /^domain:[^/:\s]+$/.test(content) ? undefined : 'WebFetch rules need domain:<host>';
  return undefined;
}

function permissions(s: Settings): Record<string, unknown> {
  const p = s.permissions;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

function list(p: Record<string, unknown>, k: string): string[] {
  const v = p[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Adds the rules that are missing; returns the ones added (record them for exact removal). Idempotent. */
export function addPermissionRules(input: Settings, rules: PermissionRules): { settings: Settings; added: PermissionRules } {
  const settings: Settings = structuredClone(input);
  const p = { ...permissions(settings) };
  const added: PermissionRules = { deny: [], ask: [] };
  for (const k of ['deny', 'ask'] as const) {
    const cur = Array.isArray(p[k]) ? [...(p[k] as unknown[])] : [];
    for (const r of rules[k]) {
      if (cur.includes(r)) continue;
      cur.push(r);
      added[k].push(r);
    }
    if (cur.length > 0 || Array.isArray(p[k])) p[k] = cur;
  }
  if (added.deny.length + added.ask.length > 0) settings.permissions = p;
  return { settings, added };
}

/** Removes exactly these rules (those recorded at install); a list or block left empty by the removal goes too. */
export function removePermissionRules(input: Settings, rules: PermissionRules): { settings: Settings; removed: number } {
  const settings: Settings = structuredClone(input);
  if (!settings.permissions || typeof settings.permissions !== 'object') return { settings, removed: 0 };
  const p = settings.permissions as Record<string, unknown>;
  let removed = 0;
  for (const k of ['deny', 'ask'] as const) {
    if (!Array.isArray(p[k])) continue;
    const before = p[k] as unknown[];
    const kept = before.filter((r) => !(typeof r === 'string' && rules[k].includes(r)));
    if (kept.length === before.length) continue;
    removed += before.length - kept.length;
    if (kept.length > 0) p[k] = kept;
    else delete p[k];
  }
  if (removed > 0 && Object.keys(p).length === 0) delete settings.permissions;
  return { settings, removed };
}

/** Allow rules that would undercut the protections (Claude Code checks deny first, but a broad allow is a smell). */
const RISKY_ALLOW = [/^Bash$/, /^Bash\(\*\)$/, /^Bash\(cordon/, /^Edit$/, /^Edit\(\*\*\)$/, /^Edit\(.*(\.claude|\.cordon|\.mcp\.json|\.git\/)/];

/** What differs between the settings and the rules the policy calls for, one line each (for `cordon doctor`). */
export function permissionDrift(settings: Settings, policy: Policy, ctx: PermissionContext): string[] {
  const want = permissionRulesFor(policy, ctx);
  const p = permissions(settings);
  const out: string[] = [];
  for (const k of ['deny', 'ask'] as const) {
    const have = list(p, k);
    const missing = want[k].filter((r) => !have.includes(r));
    if (missing.length > 0) {
      out.push(`${missing.length} permission ${k} rule${missing.length > 1 ? 's' : ''} missing from .claude/settings.json (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); run \`cordon init --yes\` to restore them`);
    }
  }
  for (const r of list(p, 'allow')) {
    if (RISKY_ALLOW.some((re) => re.test(r))) out.push(`permissions.allow has ${r}, which undercuts cordon's protections; narrow it or remove it`);
  }
  if (settings.disableAllHooks === true) out.push('disableAllHooks is true: cordon\'s hooks do not run; remove it');
  if (p.defaultMode === 'bypassPermissions') out.push('permissions.defaultMode is bypassPermissions: only the hooks and deny rules stand between the agent and every action');
  return out;
}

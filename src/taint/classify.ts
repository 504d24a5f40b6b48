/**
 * Trust classes for ingestion: which tool calls bring content into the model's context that someone other than
 * the user wrote. Untrusted (threshold `untrusted`): web pages, search results, MCP results, network output in
 * Bash. Semi-trusted (`semi`): vendored third-party files and files outside the workspace. Prompt (`prompt`):
 * text the user submitted. Everything else (the workspace's own files, local command output) is trusted.
 *
 * Works on PreToolUse (to refuse ingestion in a pipeline's act step) and on PostToolUse (to scan the result).
 */
import { isAbsolute, resolve, sep } from 'node:path';
import type { Command, HookEvent } from '../ir/types.js';
import type { Trust } from '../inject/detect.js';
import type { Policy } from '../policy/schema.js';
import { canonicalPath, expandHome, isWithin } from '../engine/paths.js';
import { parseShell } from '../parse/index.js';
import { globToRegExp } from '../engine/policy-apply.js';

export interface IngestContext {
  workspace: string;
  home: string;
  /** Parsed Bash command, when the caller already has it; otherwise parsed here (the parser must be initialised). */
  shellCommands?: Command[];
}

export interface Ingestion {
  untrusted: boolean;
  trust?: Trust;
  /** Tool plus URL (no query) or path, for provenance and messages; never content. */
  source?: string;
}

const TRUSTED: Ingestion = { untrusted: false };

export function matchesTool(name: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.includes('*') ? globToRegExp(p).test(name) : p === name));
}

/** URL without query or fragment, shortened: the query can carry tokens, and the path is enough for provenance. */
export function describeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const path = u.pathname.length > 80 ? `${u.pathname.slice(0, 77)}...` : u.pathname;
    return `${u.protocol}//${u.host}${path === '/' ? '' : path}`;
  } catch {
    return raw.replace(/[?#].*$/, '').slice(0, 100);
  }
}

export function mcpServer(tool: string): string | undefined {
  const m = /^mcp__([^_]+(?:_[^_]+)*?)__/.exec(tool);
  return m?.[1];
}

export function classifyIngestion(ev: HookEvent, policy: Policy, ctx: IngestContext): Ingestion {
  const inj = policy.injection;
  if (ev.event === 'UserPromptSubmit') {
    return inj.prompts === 'off' ? TRUSTED : { untrusted: true, trust: 'prompt', source: 'prompt submitted by the user' };
  }
  const tool = ev.toolName;
  if (!tool) return TRUSTED;
  const input = ev.toolInput ?? {};
  if (tool === 'WebFetch') {
    const url = typeof input.url === 'string' ? input.url : '';
    return { untrusted: true, trust: 'untrusted', source: `WebFetch ${describeUrl(url)}` };
  }
  if (tool === 'WebSearch') {
    const q = typeof input.query === 'string' ? input.query.replace(/\s+/g, ' ').slice(0, 80) : '';
    return { untrusted: true, trust: 'untrusted', source: `WebSearch "${q}"` };
  }
  if (tool.startsWith('mcp__')) {
    const server = mcpServer(tool);
    if (server && inj.trustedMcpServers.includes(server)) return TRUSTED;
    return { untrusted: true, trust: 'untrusted', source: tool };
  }
  if (tool === 'ReadMcpResourceTool') {
    const server = typeof input.server === 'string' ? input.server : '';
    if (server && inj.trustedMcpServers.includes(server)) return TRUSTED;
    const uri = typeof input.uri === 'string' ? ` ${describeUrl(input.uri)}` : '';
    return { untrusted: true, trust: 'untrusted', source: `MCP resource ${server}${uri}` };
  }
  if (matchesTool(tool, inj.untrustedTools)) return { untrusted: true, trust: 'untrusted', source: tool };
  if (tool === 'Read' || tool === 'Grep' || tool === 'NotebookRead') {
    const raw = tool === 'Grep' ? input.path : (input.file_path ?? input.notebook_path);
    const p = typeof raw === 'string' && raw !== '' ? raw : tool === 'Grep' ? ev.cwd : undefined;
    if (p === undefined) return TRUSTED;
    const trust = pathTrust(p, ev.cwd, policy, ctx);
    return trust ? { untrusted: true, trust, source: `${tool} ${canonicalPath(p, ev.cwd, ctx.home)}` } : TRUSTED;
  }
  if (tool === 'Bash') {
    const command = typeof input.command === 'string' ? input.command : undefined;
    if (command === undefined) return TRUSTED;
    const cmds = ctx.shellCommands ?? parseShell(command, { cwd: ev.cwd, home: ctx.home }).commands;
    return classifyShell(cmds, ev.cwd, policy, ctx);
  }
  return TRUSTED;
}

/** semi for vendored files and files outside the workspace and extra roots; undefined for the workspace's own. */
export function pathTrust(p: string, cwd: string, policy: Policy, ctx: IngestContext): Trust | undefined {
  const abs = canonicalPath(p, cwd, ctx.home);
  if (isVendored(abs, policy.injection.vendoredDirs)) return 'semi';
  const roots = [ctx.workspace, ...policy.paths.extraRoots.map((r) => expandHome(r, ctx.home))].filter((r) => isAbsolute(r));
  const canonRoots = roots.flatMap((r) => [r, canonicalPath(r, '/', ctx.home)]);
  return canonRoots.some((r) => isWithin(abs, r)) ? undefined : 'semi';
}

export function isVendored(abs: string, dirs: string[]): boolean {
  const parts = abs.split(sep);
  return dirs.some((d) => parts.includes(d));
}

// ---------------------------------------------------------------------------------------------------------------
// Shell
// ---------------------------------------------------------------------------------------------------------------

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'httpie', 'xh', 'xhs', 'aria2c', 'lynx', 'w3m', 'links', 'elinks', 'fetch', 'curlie']);
const SOCKET_CLIENTS = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet']);
/** gh subcommands that only touch local configuration. */
const GH_LOCAL = new Set(['auth', 'config', 'alias', 'extension', 'help', 'completion', 'version', '--version', '--help']);
const GIT_NETWORK = new Set(['fetch', 'pull', 'clone', 'ls-remote', 'remote']);
const GIT_HISTORY = new Set(['log', 'show', 'diff', 'shortlog', 'whatchanged', 'range-diff', 'cherry', 'blame']);
const REMOTE_REF = /^(?:origin|upstream|fork|remotes|refs\/remotes)\/|^(?:FETCH_HEAD|--remotes|--all)$|@\{(?:u|upstream|push)\}/;
const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'sed', 'awk', 'bat', 'strings', 'jq', 'yq', 'xxd', 'od']);

export function argValues(cmd: Command): string[] {
  return cmd.argv.slice(1).map((w) => w.value ?? w.text);
}

/** The first argument that is not an option, skipping git's global `-C dir` / `-c k=v`. */
export function gitSubcommand(cmd: Command): { sub?: string; rest: string[] } {
  const args = argValues(cmd);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-C' || a === '-c' || a === '--git-dir' || a === '--work-tree' || a === '--namespace') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { sub: a, rest: args.slice(i + 1) };
  }
  return { rest: [] };
}

const LOCAL_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0|[a-z0-9.-]+\.localhost)$/i;

export function isLocalHost(host: string): boolean {
  return LOCAL_HOST.test(host);
}

/** URL-like arguments of an HTTP client: `https://…` or a bare `host.tld/path`. */
export function urlTargets(cmd: Command): { host?: string; text: string }[] {
  const out: { host?: string; text: string }[] = [];
  for (const w of cmd.argv.slice(1)) {
    const v = w.value;
    if (v === undefined) {
      if (/^["']?(?:https?|ftp|wss?):\/\//i.test(w.text) || /\$/.test(w.text)) out.push({ text: w.text });
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      try {
        out.push({ host: new URL(v).hostname.toLowerCase(), text: v });
      } catch {
        out.push({ text: v });
      }
    } else if (/^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:\/|$)/.test(v) && !v.startsWith('-')) {
      out.push({ host: v.split(/[/:]/)[0]!.toLowerCase(), text: v });
    } else if (/^(?:localhost|127\.\d+\.\d+\.\d+)(?::\d+)?(?:\/|$)/.test(v)) {
      out.push({ host: v.split(/[/:]/)[0]!, text: v });
    }
  }
  return out;
}

/** Where a command's output comes from the network: a short provenance string, or undefined. */
export function networkSource(cmd: Command, extra: string[]): string | undefined {
  const name = cmd.name;
  if (!name) return undefined;
  if (HTTP_CLIENTS.has(name)) {
    const targets = urlTargets(cmd);
    const remote = targets.filter((t) => !t.host || !isLocalHost(t.host));
    if (targets.length > 0 && remote.length === 0) return undefined;
    const first = remote[0];
    return `${name} ${first ? (first.host ? describeUrl(/^[a-z]+:\/\//i.test(first.text) ? first.text : `https://${first.text}`) : first.text.slice(0, 80)) : '(target unknown)'}`;
  }
  if (SOCKET_CLIENTS.has(name)) {
    const host = argValues(cmd).find((a) => !a.startsWith('-') && !/^\d+$/.test(a));
    if (host && isLocalHost(host)) return undefined;
    return `${name} ${host ?? ''}`.trim();
  }
  if (name === 'gh') {
    const args = argValues(cmd).filter((a) => !a.startsWith('-'));
    if (args.length === 0 || GH_LOCAL.has(args[0]!)) return undefined;
    return `gh ${args.slice(0, 2).join(' ')}`;
  }
  if (name === 'git') {
    const { sub, rest } = gitSubcommand(cmd);
    if (!sub) return undefined;
    if (GIT_NETWORK.has(sub)) {
      if (sub === 'remote' && !rest.some((a) => a === 'show' || a === 'update')) return undefined;
      return `git ${sub}${rest[0] && !rest[0].startsWith('-') ? ` ${describeUrl(rest[0])}` : ''}`;
    }
    if (GIT_HISTORY.has(sub)) {
      const ref = rest.find((a) => REMOTE_REF.test(a));
      return ref ? `git ${sub} ${ref}` : undefined;
    }
    return undefined;
  }
  if ((name === 'npm' || name === 'pnpm' || name === 'yarn') && ['view', 'info', 'show'].includes(argValues(cmd)[0] ?? '')) {
    return `${name} ${argValues(cmd).slice(0, 2).join(' ')}`;
  }
  if (name === 'ssh') {
    const args = argValues(cmd).filter((a) => !a.startsWith('-'));
    if (args.length >= 2) return `ssh ${args[0]}`;
    return undefined;
  }
  if (extra.includes(name)) return name;
  return undefined;
}

function classifyShell(cmds: Command[], cwd: string, policy: Policy, ctx: IngestContext): Ingestion {
  let semi: string | undefined;
  for (const cmd of cmds) {
    const net = networkSource(cmd, policy.injection.fetchCommands);
    if (net) return { untrusted: true, trust: 'untrusted', source: `Bash ${net}` };
    if (!semi && cmd.name && READERS.has(cmd.name)) {
      const here = cmd.cwd ?? cwd;
      for (const a of argValues(cmd)) {
        if (a.startsWith('-') || a === '' || !/[/.]/.test(a)) continue;
        if (pathTrust(a, here, policy, ctx)) {
          semi = `Bash ${cmd.name} ${resolve(here, expandHome(a, ctx.home))}`;
          break;
        }
      }
    }
  }
  return semi ? { untrusted: true, trust: 'semi', source: semi } : TRUSTED;
}

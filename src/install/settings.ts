/**
 * Registering cordon's hooks in `.claude/settings.json`: pure functions over the parsed settings object, so
 * merging, idempotence and undo are testable without touching disk.
 *
 * cordon's entries are recognised by their exact shape (the handler objects it wrote, recorded in
 * `.cordon/installed.json`) or by the path of cordon's hook client, never by guessing; a user's own entries are
 * left exactly as they were.
 */
import type { HookEventName } from '../ir/types.js';

export const REGISTERED_EVENTS: HookEventName[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'SessionStart'];
/** Events whose matcher selects tools: cordon matches every tool, MCP tools included. */
const TOOL_EVENTS = new Set<HookEventName>(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']);

export interface HookHandler {
  type: 'command';
  command: string;
  args: string[];
  timeout: number;
}

export interface MatcherGroup {
  matcher?: string;
  hooks: unknown[];
}

export type Settings = Record<string, unknown> & { hooks?: Record<string, MatcherGroup[]> };

/** Seconds Claude Code waits for the hook; cordon answers long before (its own hard deadline is 10 s). */
export const HOOK_TIMEOUT_S = 30;

/**
 * Variables Claude Code passes on to hooks that must not reach the hook's node: NODE_OPTIONS can make node exit
 * before cordon runs (a `--require` of a missing file), which Claude Code takes as "run the tool"; a CA bundle in
 * NODE_EXTRA_CA_CERTS costs every call tens of milliseconds of start-up, and the hook makes no TLS connection.
 */
export const HOOK_UNSET_ENV = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

/**
 * cordon's handler for `event`. With `envPath` (an absolute `env`), node runs through `env -u NAME …` so the
 * variables above never reach it; without, node runs directly (the shape of earlier installs).
 */
export function cordonHandler(nodePath: string, clientPath: string, event: HookEventName, envPath?: string): HookHandler {
  if (envPath) {
    return { type: 'command', command: envPath, args: [...HOOK_UNSET_ENV.flatMap((v) => ['-u', v]), nodePath, clientPath, event], timeout: HOOK_TIMEOUT_S };
  }
  return { type: 'command', command: nodePath, args: [clientPath, event], timeout: HOOK_TIMEOUT_S };
}

const CLIENT_PATH = /(^|\/)dist\/src\/hook\/client\.c?js$/;

/** The parts of a handler in one of the shapes cordon writes: `node client Event`, or `env -u NAME… node client Event`. */
export interface HandlerParts {
  /** The absolute `env` the handler runs through, when it does. */
  launcher?: string;
  node: string;
  client: string;
  event: string | undefined;
}

export function cordonHandlerParts(h: unknown): HandlerParts | undefined {
  if (typeof h !== 'object' || h === null) return undefined;
  const { command, args } = h as Record<string, unknown>;
  if (typeof command !== 'string' || !Array.isArray(args) || !args.every((a) => typeof a === 'string')) return undefined;
  const a = args as string[];
  if (a[0] !== undefined && CLIENT_PATH.test(a[0])) return { node: command, client: a[0], event: a[1] };
  if (!/(^|\/)env$/.test(command)) return undefined;
  // env's own options first: only `-u NAME` pairs, then node, then the client.
  let i = 0;
  while (a[i] === '-u' && a[i + 1] !== undefined && !a[i + 1]!.startsWith('-')) i += 2;
  const node = a[i];
  const client = a[i + 1];
  if (node === undefined || node.startsWith('-') || node.includes('=') || client === undefined || !CLIENT_PATH.test(client)) return undefined;
  return { launcher: command, node, client, event: a[i + 2] };
}

/** True for a handler that runs cordon's hook client (any install location, either shape). */
export function isCordonHandler(h: unknown): boolean {
  if (cordonHandlerParts(h)) return true;
  if (typeof h !== 'object' || h === null) return false;
  const o = h as Record<string, unknown>;
  return typeof o.command === 'string' && /(^|[\s/])cordon(\.js)? hook\b/.test(o.command);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface MergeResult {
  settings: Settings;
  added: { event: HookEventName; handler: HookHandler }[];
  replaced: number;
}

/**
 * Adds cordon's handler for every registered event. An identical handler already present is kept (idempotent);
 * an older cordon handler (another install path, or the shape without `env`) is replaced in place; everything
 * else is untouched.
 */
export function addCordonHooks(input: Settings, nodePath: string, clientPath: string, envPath?: string): MergeResult {
  const settings: Settings = structuredClone(input);
  const hooks: Record<string, MatcherGroup[]> = (settings.hooks && typeof settings.hooks === 'object' ? settings.hooks : {}) as Record<string, MatcherGroup[]>;
  settings.hooks = hooks;
  const added: MergeResult['added'] = [];
  let replaced = 0;
  for (const event of REGISTERED_EVENTS) {
    const handler = cordonHandler(nodePath, clientPath, event, envPath);
    const groups: MatcherGroup[] = Array.isArray(hooks[event]) ? hooks[event]! : [];
    hooks[event] = groups;
    let present = false;
    for (const g of groups) {
      if (!g || !Array.isArray(g.hooks)) continue;
      g.hooks = g.hooks.map((h) => {
        if (sameJson(h, handler)) {
          present = true;
          return h;
        }
        if (!present && cordonHandlerParts(h)?.event === event) {
          present = true;
          replaced++;
          added.push({ event, handler });
          return handler;
        }
        return h;
      });
    }
    if (present) continue;
    const group: MatcherGroup = TOOL_EVENTS.has(event) ? { matcher: '*', hooks: [handler] } : { hooks: [handler] };
    groups.push(group);
    added.push({ event, handler });
  }
  return { settings, added, replaced };
}

/** Removes cordon's handlers (those recorded, or any handler that runs cordon's client) and the groups left empty. */
export function removeCordonHooks(input: Settings, recorded: unknown[] = []): { settings: Settings; removed: number } {
  const settings: Settings = structuredClone(input);
  let removed = 0;
  const hooks = settings.hooks;
  if (!hooks || typeof hooks !== 'object') return { settings, removed };
  for (const event of Object.keys(hooks)) {
    const groups = hooks[event];
    if (!Array.isArray(groups)) continue;
    const kept: MatcherGroup[] = [];
    for (const g of groups) {
      if (!g || !Array.isArray(g.hooks)) {
        kept.push(g);
        continue;
      }
      const before = g.hooks.length;
      const rest = g.hooks.filter((h) => !(isCordonHandler(h) || recorded.some((r) => sameJson(r, h))));
      removed += before - rest.length;
      if (rest.length > 0 || before === 0) kept.push({ ...g, hooks: rest });
    }
    if (kept.length > 0) hooks[event] = kept;
    else delete hooks[event];
  }
  if (Object.keys(hooks).length === 0) delete settings.hooks;
  return { settings, removed };
}

/** The registered PreToolUse handler, for `doctor`'s live canary. */
export function findCordonHandler(settings: Settings, event: HookEventName): HookHandler | undefined {
  const groups = settings.hooks?.[event];
  if (!Array.isArray(groups)) return undefined;
  for (const g of groups) {
    for (const h of g?.hooks ?? []) if (isCordonHandler(h)) return h as HookHandler;
  }
  return undefined;
}

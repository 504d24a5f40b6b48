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

export function cordonHandler(nodePath: string, clientPath: string, event: HookEventName): HookHandler {
  return { type: 'command', command: nodePath, args: [clientPath, event], timeout: HOOK_TIMEOUT_S };
}

/** True for a handler that runs cordon's hook client (any install location). */
export function isCordonHandler(h: unknown): boolean {
  if (typeof h !== 'object' || h === null) return false;
  const o = h as Record<string, unknown>;
  const args = o.args;
  if (Array.isArray(args) && typeof args[0] === 'string' && /(^|\/)dist\/src\/hook\/client\.c?js$/.test(args[0])) return true;
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
 * an older cordon handler (another install path) is replaced in place; everything else is untouched.
 */
export function addCordonHooks(input: Settings, nodePath: string, clientPath: string): MergeResult {
  const settings: Settings = structuredClone(input);
  const hooks: Record<string, MatcherGroup[]> = (settings.hooks && typeof settings.hooks === 'object' ? settings.hooks : {}) as Record<string, MatcherGroup[]>;
  settings.hooks = hooks;
  const added: MergeResult['added'] = [];
  let replaced = 0;
  for (const event of REGISTERED_EVENTS) {
    const handler = cordonHandler(nodePath, clientPath, event);
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
        if (isCordonHandler(h) && !present && (h as { args?: unknown[] }).args?.[1] === event) {
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

/**
 * `cordon init` and `cordon init --undo`: write the policy and register the hooks in a repository, and take
 * back exactly what was added. What was added is recorded in `.cordon/installed.json`.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, rmdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyTemplate } from './policy-template.js';
import { addCordonHooks, cordonHandlerParts, removeCordonHooks, type Settings } from './settings.js';
import { loadPolicy } from '../policy/load.js';
import { addPermissionRules, permissionRulesFor, removePermissionRules, type PermissionRules } from './permissions.js';
import { defaultPolicy } from '../policy/schema.js';
import { claudeSandboxSettings } from '../sandbox/claude-settings.js';
import { mcpServerEntry } from '../mcp/server.js';
import { homeDir, stateDir as stateDirOf } from '../state.js';

export interface InitOptions {
  /** Repository root (or a directory inside it). */
  dir: string;
  /** Also register cordon's MCP server (secret-brokered http_request) in .mcp.json. */
  mcp?: boolean;
  /** Environment (for the state dir and the sandbox block); defaults to the process's. */
  env?: NodeJS.ProcessEnv;
  /** Absolute node executable for the hook command (defaults to the running one). */
  nodePath?: string;
  /** The `env` the hook command runs node through (defaults to hookLauncher()); null registers node directly. */
  envPath?: string | null;
}

export interface InitReport {
  root: string;
  wrote: string[];
  kept: string[];
  hooksAdded: number;
  hooksReplaced: number;
}

interface Manifest {
  version: 1;
  createdSettings: boolean;
  /** The settings file's text before the first init, restored verbatim by undo when nothing else changed. */
  originalSettings?: string;
  /** settings.local.json: whether cordon created it, and the sandbox block it replaced (null: there was none). */
  local?: { created: boolean; previousSandbox: unknown };
  /** Permission rules cordon added to settings.json (defence in depth: they hold without the hook). */
  permissions?: PermissionRules;
  /** .mcp.json: whether cordon created it, and whether it added the `cordon` server. */
  mcp?: { created: boolean; added: boolean };
  handlers: unknown[];
  files: Record<string, string>;
}

export class InitError extends Error {}

export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

export function hookClientPath(): string {
  return join(packageRoot(), 'dist', 'src', 'hook', 'client.cjs');
}

/**
 * The `env` that hook commands run node through, so that NODE_OPTIONS and NODE_EXTRA_CA_CERTS from Claude Code's
 * environment never reach the hook (see HOOK_UNSET_ENV). Undefined when this system has none: node is then
 * registered directly, as before.
 */
export function hookLauncher(): string | undefined {
  const env = '/usr/bin/env';
  try {
    accessSync(env, constants.X_OK);
    return env;
  } catch {
    return undefined;
  }
}

export function findRepoRoot(dir: string): string | undefined {
  let d = resolve(dir);
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function readJson(file: string): Settings | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Settings;
  } catch (err) {
    throw new InitError(`${file} is not valid JSON (${(err as Error).message}); fix it first, cordon will not overwrite it`);
  }
}

/** Writes atomically (temp file + rename) so an editor or Claude Code never reads half a file. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.cordon-${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function runInit(opts: InitOptions): InitReport {
  const root = findRepoRoot(opts.dir);
  if (!root) throw new InitError(`${resolve(opts.dir)} is not inside a git repository; run \`git init\` first or pass --dir`);
  const nodePath = opts.nodePath ?? process.execPath;
  const client = hookClientPath();
  if (!existsSync(client)) throw new InitError(`cordon's hook client is missing at ${client}; reinstall cordon`);
  const report: InitReport = { root, wrote: [], kept: [], hooksAdded: 0, hooksReplaced: 0 };
  const manifestFile = join(root, '.cordon', 'installed.json');
  const previous = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest) : undefined;
  const manifest: Manifest = previous ?? { version: 1, createdSettings: false, handlers: [], files: {} };

  const files: [string, string][] = [
    [join('.cordon', 'policy.yaml'), policyTemplate()],
    [join('.cordon', 'policy.schema.json'), readFileSync(join(packageRoot(), 'schema', 'policy.schema.json'), 'utf8')],
  ];
  for (const [rel, text] of files) {
    const file = join(root, rel);
    if (existsSync(file)) {
      // The schema copy follows the installed version; a user's policy is never overwritten.
      if (rel.endsWith('schema.json') && manifest.files[rel] === sha(readFileSync(file, 'utf8'))) {
        writeAtomic(file, text);
        manifest.files[rel] = sha(text);
      }
      report.kept.push(rel);
      continue;
    }
    writeAtomic(file, text);
    manifest.files[rel] = sha(text);
    report.wrote.push(rel);
  }

  const settingsFile = join(root, '.claude', 'settings.json');
  const existing = readJson(settingsFile);
  if (!previous) {
    if (existing) manifest.originalSettings = readFileSync(settingsFile, 'utf8');
    else manifest.createdSettings = true;
  }
  const launcher = opts.envPath === null ? undefined : (opts.envPath ?? hookLauncher());
  const merged = addCordonHooks(existing ?? {}, nodePath, client, launcher);
  report.hooksAdded = merged.added.length - merged.replaced;
  report.hooksReplaced = merged.replaced;
  const env = opts.env ?? process.env;
  const state = stateDirOf(env);
  const loaded = loadPolicy({ workspace: root, stateDir: state });
  const wanted = permissionRulesFor(loaded.ok ? loaded.policy : defaultPolicy(), { home: homeDir(env), stateDir: state });
  // Rules an earlier init added that the policy no longer produces (an MCP server moved from ask to allow) go,
  // or a stale ask rule would keep refusing what the policy now allows.
  const prev = manifest.permissions ?? { deny: [], ask: [] };
  const stale = { deny: prev.deny.filter((r) => !wanted.deny.includes(r)), ask: prev.ask.filter((r) => !wanted.ask.includes(r)) };
  const pruned = removePermissionRules(merged.settings, stale);
  const perm = addPermissionRules(pruned.settings, wanted);
  merged.settings = perm.settings;
  manifest.permissions = {
    deny: [...new Set([...prev.deny.filter((r) => wanted.deny.includes(r)), ...perm.added.deny])],
    ask: [...new Set([...prev.ask.filter((r) => wanted.ask.includes(r)), ...perm.added.ask])],
  };
  if (merged.added.length > 0 || pruned.removed > 0 || perm.added.deny.length > 0 || perm.added.ask.length > 0 || !existing) {
    writeAtomic(settingsFile, JSON.stringify(merged.settings, null, 2) + '\n');
    report.wrote.push(join('.claude', 'settings.json'));
  }
  writeLocalSandbox(root, manifest, report, opts.env ?? process.env);
  if (opts.mcp) registerMcp(root, manifest, report);
  manifest.handlers = merged.settings.hooks
    ? Object.values(merged.settings.hooks).flatMap((groups) => groups.flatMap((g) => g.hooks)).filter((h) => cordonHandlerParts(h)?.client === client)
    : [];
  writeAtomic(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  return report;
}

/**
 * Claude Code's own sandbox, configured from the same policy, as the backstop for a Bash call the hook did not
 * rewrite. It goes in settings.local.json (not committed): it holds this machine's absolute paths.
 */
function writeLocalSandbox(root: string, manifest: Manifest, report: InitReport, env: NodeJS.ProcessEnv): void {
  const loaded = loadPolicy({ workspace: root, stateDir: stateDirOf(env) });
  const policy = loaded.ok ? loaded.policy : defaultPolicy();
  const block = claudeSandboxSettings(policy, { workspace: root, home: homeDir(env), stateDir: stateDirOf(env), sessionId: 'settings', env });
  const file = join(root, '.claude', 'settings.local.json');
  const existing = readJson(file);
  if (!manifest.local) manifest.local = { created: !existing, previousSandbox: existing?.sandbox ?? null };
  const next = { ...(existing ?? {}), sandbox: block };
  if (JSON.stringify(next) === JSON.stringify(existing)) return;
  writeAtomic(file, JSON.stringify(next, null, 2) + '\n');
  report.wrote.push(join('.claude', 'settings.local.json'));
}

function registerMcp(root: string, manifest: Manifest, report: InitReport): void {
  const file = join(root, '.mcp.json');
  const existing = readJson(file);
  const servers = (existing?.mcpServers && typeof existing.mcpServers === 'object' ? existing.mcpServers : {}) as Record<string, unknown>;
  const entry = { type: 'stdio', ...mcpServerEntry() };
  if (JSON.stringify(servers.cordon) === JSON.stringify(entry)) return;
  if (!manifest.mcp) manifest.mcp = { created: !existing, added: servers.cordon === undefined };
  writeAtomic(file, JSON.stringify({ ...(existing ?? {}), mcpServers: { ...servers, cordon: entry } }, null, 2) + '\n');
  report.wrote.push('.mcp.json');
}

export interface UndoReport {
  root: string;
  removed: string[];
  kept: string[];
  hooksRemoved: number;
}

export function runUndo(opts: { dir: string }): UndoReport {
  const root = findRepoRoot(opts.dir);
  if (!root) throw new InitError(`${resolve(opts.dir)} is not inside a git repository`);
  const manifestFile = join(root, '.cordon', 'installed.json');
  const manifest: Manifest | undefined = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest) : undefined;
  const report: UndoReport = { root, removed: [], kept: [], hooksRemoved: 0 };

  const settingsFile = join(root, '.claude', 'settings.json');
  const settings = readJson(settingsFile);
  if (settings) {
    const hooksOut = removeCordonHooks(settings, manifest?.handlers ?? []);
    const perm = removePermissionRules(hooksOut.settings, manifest?.permissions ?? { deny: [], ask: [] });
    const out = { settings: perm.settings, removed: hooksOut.removed + perm.removed };
    report.hooksRemoved = hooksOut.removed;
    if (manifest?.createdSettings && Object.keys(out.settings).length === 0) {
      rmSync(settingsFile);
      report.removed.push(join('.claude', 'settings.json'));
      removeIfEmpty(join(root, '.claude'));
    } else if (out.removed > 0) {
      // When the user changed nothing else, give back their file byte for byte (formatting included).
      const original = manifest?.originalSettings;
      const same = original !== undefined && JSON.stringify(safeParse(original)) === JSON.stringify(out.settings);
      writeAtomic(settingsFile, same ? original : JSON.stringify(out.settings, null, 2) + '\n');
    }
  }
  if (manifest?.local) {
    const file = join(root, '.claude', 'settings.local.json');
    const local = readJson(file);
    if (local) {
      const rest = { ...local };
      if (manifest.local.previousSandbox === null) delete rest.sandbox;
      else rest.sandbox = manifest.local.previousSandbox;
      if (manifest.local.created && Object.keys(rest).length === 0) {
        rmSync(file);
        report.removed.push(join('.claude', 'settings.local.json'));
        removeIfEmpty(join(root, '.claude'));
      } else writeAtomic(file, JSON.stringify(rest, null, 2) + '\n');
    }
  }
  if (manifest?.mcp?.added) {
    const file = join(root, '.mcp.json');
    const mcp = readJson(file);
    if (mcp) {
      const servers = { ...((mcp.mcpServers ?? {}) as Record<string, unknown>) };
      delete servers.cordon;
      const rest: Record<string, unknown> = { ...mcp, mcpServers: servers };
      if (Object.keys(servers).length === 0) delete rest.mcpServers;
      if (manifest.mcp.created && Object.keys(rest).length === 0) {
        rmSync(file);
        report.removed.push('.mcp.json');
      } else writeAtomic(file, JSON.stringify(rest, null, 2) + '\n');
    }
  }
  for (const [rel, hash] of Object.entries(manifest?.files ?? {})) {
    const file = join(root, rel);
    if (!existsSync(file)) continue;
    if (sha(readFileSync(file, 'utf8')) === hash) {
      rmSync(file);
      report.removed.push(rel);
    } else {
      report.kept.push(`${rel} (edited since init)`);
    }
  }
  if (manifest) rmSync(manifestFile);
  removeIfEmpty(join(root, '.cordon'));
  return report;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Absent or not empty: leave it.
  }
}

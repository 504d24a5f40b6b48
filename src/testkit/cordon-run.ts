/**
 * Runs cordon's own built CLI (dist/src/cli/main.js) as a child process, the way a user would, with a controlled
 * environment (temp HOME and CORDON_HOME). Also reads back the hook registration `cordon init` wrote, so a test
 * can run the exact command Claude Code would run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './claude-run.js';

/** Absolute path of the built cordon CLI entry point. */
export function cordonCli(): string {
  return join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
}

export interface CordonRunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The inherited environment without any CORDON_* or Claude variables, plus the ones given. */
export function cordonEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('CORDON_') || k.startsWith('CLAUDE') || k.startsWith('ANTHROPIC_')) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Runs `cordon <args>` synchronously (hard timeout, default 30 s). */
export function runCordon(
  args: string[],
  opts: { cwd: string; env: Record<string, string | undefined>; input?: string; timeoutMs?: number },
): CordonRunResult {
  const cli = cordonCli();
  if (!existsSync(cli)) throw new Error(`cordon CLI not built at ${cli}: run \`npm run build\` first.`);
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: opts.cwd,
    env: cordonEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One command handler from a Claude Code settings file. */
export interface CommandHook {
  type: string;
  command: string;
  args?: string[];
  timeout?: number;
}

/** The command hooks registered for `event` in `<repo>/.claude/settings.json` (all matchers). */
export function registeredHooks(repo: string, event: string): (CommandHook & { matcher?: string })[] {
  const file = join(repo, '.claude', 'settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as {
    hooks?: Record<string, { matcher?: string; hooks?: CommandHook[] }[]>;
  };
  const out: (CommandHook & { matcher?: string })[] = [];
  for (const group of settings.hooks?.[event] ?? []) {
    for (const h of group.hooks ?? []) if (h.type === 'command') out.push({ ...h, matcher: group.matcher });
  }
  return out;
}

/** One audit record as `cordon audit log --json` prints it (only the fields the harness reads). */
export interface AuditRow {
  event: string;
  sessionId?: string;
  toolUseId?: string;
  tool?: string;
  decision?: string;
  ruleId?: string;
  reason?: string;
  [k: string]: unknown;
}

/** Parses `cordon audit log --json` output: a JSON array, `{records:[…]}`, or one JSON object per line. */
export function parseAuditJson(stdout: string): AuditRow[] {
  const text = stdout.trim();
  if (text === '') return [];
  if (text.startsWith('[')) return JSON.parse(text) as AuditRow[];
  try {
    const one = JSON.parse(text) as { records?: AuditRow[] } & AuditRow;
    return Array.isArray(one.records) ? one.records : [one];
  } catch {
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AuditRow);
  }
}

/**
 * Stops the analysis daemons a run left behind in `cordonHome` (they live in their own process group, so killing
 * the CLI's group does not reach them). Only processes named in that state dir's pid files, and only when the pid
 * still belongs to a cordon daemon, are signalled.
 */
export function stopDaemons(cordonHome: string): number {
  const runDir = join(cordonHome, 'run');
  let stopped = 0;
  let files: string[];
  try {
    files = readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  } catch {
    return 0;
  }
  for (const f of files) {
    const pid = Number(readFileSync(join(runDir, f), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // No /proc (macOS) or the process is gone: the pid file is all there is to go on.
    }
    if (cmdline !== '' && !cmdline.includes('daemon')) continue;
    try {
      process.kill(pid, 'SIGTERM');
      stopped++;
    } catch {
      // Already exited.
    }
  }
  return stopped;
}

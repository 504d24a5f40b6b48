/**
 * `cordon pipeline`: ingestion/action separation for headless runs, as two `claude -p` runs under generated
 * policy overlays (see overlay.ts and docs/pipeline.md).
 *
 *   1. ingest  in a scratch workspace holding only the input (or with WebFetch limited to the input's host), the
 *              model summarises the untrusted input; its final answer becomes the summary file.
 *   2. check   the summary goes through the injection detector; a flagged summary stops the pipeline.
 *   3. act     in the real workspace, with untrusted ingestion refused, the model does the task using the summary
 *              as quoted data.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy, formatProblem } from '../policy/load.js';
import type { Policy } from '../policy/schema.js';
import { addCordonHooks, findCordonHandler, type Settings } from '../install/settings.js';
import { hookLauncher } from '../install/init.js';
import { detectInjection } from '../inject/detect.js';
import { strongIds } from '../taint/inspect.js';
import { actOverlay, ingestOverlay, INGEST_DENY, INGEST_TOOLS, overlayYaml, ACT_DENY } from './overlay.js';
import { actPrompt, ingestPrompt } from './prompts.js';

export interface PipelineOptions {
  /** A file path or an http(s) URL. */
  input: string;
  task: string;
  /** The project the act step works in. */
  workspace: string;
  stateDir: string;
  home: string;
  /** The claude executable. */
  claude: string;
  /** Extra arguments for both runs (permission mode, model …). */
  claudeArgs: string[];
  summaryPath?: string;
  dryRun?: boolean;
  allowFlaggedSummary?: boolean;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  maxSummaryBytes?: number;
  log?: (line: string) => void;
}

export interface StepPlan {
  cwd: string;
  args: string[];
  env: Record<string, string>;
  overlayPath: string;
}

export interface PipelineResult {
  status: 'planned' | 'done' | 'flagged' | 'failed';
  runDir: string;
  summaryPath: string;
  ingest: StepPlan;
  act?: StepPlan;
  summary?: string;
  /** The act step's final answer. */
  result?: string;
  flagged?: { score: number; findings: string[] };
  error?: string;
}

export class PipelineError extends Error {}

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** The cordon hook registration for a run, unless the settings Claude Code will load already carry it. */
function hookSettings(runDir: string, cwd: string, home: string): string | undefined {
  const files = [join(home, '.claude', 'settings.json'), join(cwd, '.claude', 'settings.json'), join(cwd, '.claude', 'settings.local.json')];
  for (const f of files) {
    try {
      const s = JSON.parse(readFileSync(f, 'utf8')) as Settings;
      if (findCordonHandler(s, 'PreToolUse')) return undefined;
    } catch {
      // Missing or unreadable: Claude Code would not load hooks from it either.
    }
  }
  const client = fileURLToPath(new URL('../hook/client.cjs', import.meta.url));
  const path = join(runDir, 'hooks.settings.json');
  writeFileSync(path, JSON.stringify(addCordonHooks({}, process.execPath, client, hookLauncher()).settings, null, 2));
  return path;
}

function atomicWrite(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

export function planIngest(opts: PipelineOptions, base: Policy, runDir: string): StepPlan {
  const cwd = join(runDir, 'ingest');
  mkdirSync(join(cwd, '.cordon'), { recursive: true });
  let host: string | undefined;
  let where: string;
  if (isUrl(opts.input)) {
    host = new URL(opts.input).hostname.toLowerCase();
    where = opts.input;
  } else {
    const src = resolve(opts.workspace, opts.input);
    if (!existsSync(src)) throw new PipelineError(`input file ${src} does not exist`);
    mkdirSync(join(cwd, 'input'), { recursive: true });
    const dest = join(cwd, 'input', basename(src));
    copyFileSync(src, dest);
    where = `input/${basename(src)}`;
  }
  const overlayPath = join(runDir, 'ingest.policy.yaml');
  writeFileSync(overlayPath, overlayYaml('ingest', ingestOverlay(base, host ? { host } : {})));
  const settings = hookSettings(runDir, cwd, opts.home);
  const allowed = [...INGEST_TOOLS, ...(host ? [`WebFetch(domain:${host})`] : [])];
  const denied = INGEST_DENY.filter((t) => !t.includes('*')).concat(host ? [] : ['WebFetch']);
  const args = [
    '-p',
    ingestPrompt({ task: opts.task, where, url: host !== undefined }),
    '--output-format',
    'json',
    '--strict-mcp-config',
    '--allowedTools',
    ...allowed,
    '--disallowedTools',
    ...denied,
    ...(settings ? ['--settings', settings] : []),
    ...opts.claudeArgs,
  ];
  return { cwd, args, env: { CORDON_POLICY_OVERLAY: overlayPath, CORDON_PIPELINE_STEP: 'ingest' }, overlayPath };
}

export function planAct(opts: PipelineOptions, base: Policy, runDir: string, summary: string): StepPlan {
  const overlayPath = join(runDir, 'act.policy.yaml');
  writeFileSync(overlayPath, overlayYaml('act', actOverlay(base)));
  const settings = hookSettings(runDir, opts.workspace, opts.home);
  const args = [
    '-p',
    actPrompt({ task: opts.task, summary, source: isUrl(opts.input) ? opts.input : basename(opts.input) }),
    '--output-format',
    'json',
    '--disallowedTools',
    ...ACT_DENY,
    ...(settings ? ['--settings', settings] : []),
    ...opts.claudeArgs,
  ];
  return { cwd: opts.workspace, args, env: { CORDON_POLICY_OVERLAY: overlayPath, CORDON_PIPELINE_STEP: 'act' }, overlayPath };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runClaude(bin: string, step: StepPlan, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((res) => {
    const child = spawn(bin, step.args, { cwd: step.cwd, env: { ...env, ...step.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      res({ code: null, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

/** The final answer of `claude -p --output-format json` (the last JSON object with a `result`). */
export function finalResult(stdout: string): { text?: string; isError: boolean } {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of [stdout.trim(), ...lines]) {
    try {
      const o = JSON.parse(line) as { result?: unknown; is_error?: unknown; subtype?: unknown };
      if (o && typeof o === 'object' && 'result' in o) {
        return { ...(typeof o.result === 'string' ? { text: o.result } : {}), isError: o.is_error === true || (typeof o.subtype === 'string' && o.subtype !== 'success') };
      }
    } catch {
      // Not this line.
    }
  }
  return { isError: true };
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const log = opts.log ?? (() => undefined);
  const loaded = loadPolicy({ workspace: opts.workspace, stateDir: opts.stateDir });
  if (!loaded.ok) throw new PipelineError(`the policy is invalid: ${loaded.problems.map(formatProblem).join('; ')}`);
  const base = loaded.policy;
  const runDir = mkdtempSync(join(tmpdir(), 'cordon-pipeline-'));
  const summaryPath = resolve(opts.workspace, opts.summaryPath ?? join(runDir, 'summary.md'));
  const ingest = planIngest(opts, base, runDir);
  const out: PipelineResult = { status: 'planned', runDir, summaryPath, ingest };
  if (opts.dryRun) {
    out.act = planAct(opts, base, runDir, '<summary of the ingest step>');
    return out;
  }
  const timeout = opts.timeoutMs ?? 15 * 60_000;

  log(`ingest: reading ${opts.input} in ${ingest.cwd} (overlay ${ingest.overlayPath})`);
  const r1 = await runClaude(opts.claude, ingest, opts.env, timeout);
  const f1 = finalResult(r1.stdout);
  if (r1.code !== 0 || f1.isError || !f1.text) {
    return { ...out, status: 'failed', error: `the ingest step failed (exit ${r1.code}): ${oneLine(f1.text ?? r1.stderr) || 'no result'}` };
  }
  const max = opts.maxSummaryBytes ?? 64 * 1024;
  const summary = Buffer.byteLength(f1.text) > max ? `${Buffer.from(f1.text).subarray(0, max).toString('utf8')}\n[summary truncated]` : f1.text;
  atomicWrite(summaryPath, summary);
  out.summary = summary;
  log(`ingest: summary written to ${summaryPath} (${Buffer.byteLength(summary)} bytes)`);

  const scan = detectInjection(summary, { trust: 'untrusted' });
  if (scan.score >= base.injection.thresholds.untrusted) {
    out.flagged = { score: scan.score, findings: strongIds(scan.findings) };
    if (!opts.allowFlaggedSummary) {
      return { ...out, status: 'flagged', error: `the summary itself looks like a prompt injection (${out.flagged.findings.join(', ') || 'combined signals'}; score ${scan.score.toFixed(2)}); read ${summaryPath} and rerun with --allow-flagged-summary if it is harmless` };
    }
    log(`check: summary flagged (score ${scan.score.toFixed(2)}) but --allow-flagged-summary was given`);
  }

  const act = planAct(opts, base, runDir, summary);
  out.act = act;
  log(`act: working in ${act.cwd} (overlay ${act.overlayPath})`);
  const r2 = await runClaude(opts.claude, act, opts.env, timeout);
  const f2 = finalResult(r2.stdout);
  if (r2.code !== 0 || f2.isError) {
    return { ...out, status: 'failed', ...(f2.text ? { result: f2.text } : {}), error: `the act step failed (exit ${r2.code}): ${oneLine(f2.text ?? r2.stderr) || 'no result'}` };
  }
  return { ...out, status: 'done', ...(f2.text !== undefined ? { result: f2.text } : {}) };
}

function oneLine(s: string): string {
  return s.trim().split('\n')[0]!.slice(0, 300);
}

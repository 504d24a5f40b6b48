/**
 * Running a command confined, from inside cordon (`cordon run`, live probes, tests): the same plan, helper and
 * entry as a rewritten Bash call, spawned directly (no outer shell) with async spawn.
 */
import { findWorkspace } from '../state.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Policy } from '../policy/schema.js';
import type { AuditRecordInput } from '../audit/index.js';
import { shellQuote, wrapArgv, writePlan } from './wrap.js';
import { sandboxPlan, withShellLevel, type Env, type SandboxContext } from './plan.js';
import { helperRequest } from './helper.js';

export interface RunOptions extends SandboxContext {
  policy: Policy;
  cwd: string;
  /** Skip confinement (`cordon run --no-sandbox`, `sandbox.mode: off`). */
  noSandbox?: boolean;
  /** 'inherit' passes the terminal through (cordon run); 'pipe' captures output (probes, tests). */
  stdio?: 'inherit' | 'pipe';
  /** Text written to the command's stdin when stdio is 'pipe'. */
  input?: string;
}

export interface RunOutcome {
  command: string;
  cwd: string;
  workspace: string;
  sessionId: string;
  sandboxed: boolean;
  /** Exit status as a shell reports it (128+n for a signal); 126 when the sandbox could not start. */
  exitCode: number;
  signal?: string;
  durationMs: number;
  stdout?: string;
  stderr?: string;
  /** Why the command did not run, when the sandbox refused to start. */
  error?: string;
  fix?: string;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };

/** Joins argv into one shell command that re-splits into exactly the same words. */
export function argvToCommand(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : shellQuote(a))).join(' ');
}

/** Runs one shell command under the policy's sandbox (or unconfined when asked or when the policy says off). */
export async function runCommand(command: string, opts: RunOptions): Promise<RunOutcome> {
  const started = performance.now();
  const base = { command, cwd: opts.cwd, workspace: opts.workspace, sessionId: opts.sessionId };
  const confine = !opts.noSandbox && opts.policy.sandbox.mode === 'on';
  let argv: string[];
  let env: Env;
  if (confine) {
    const w = wrapArgv(command, opts);
    if ('error' in w) {
      return { ...base, sandboxed: true, exitCode: 126, durationMs: performance.now() - started, error: w.error, fix: w.fix };
    }
    argv = w.argv;
    env = w.env;
  } else {
    argv = ['/bin/bash', '-c', command];
    env = withShellLevel(opts.env);
  }
  const pipe = opts.stdio === 'pipe';
  const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env, stdio: pipe ? ['pipe', 'pipe', 'pipe'] : 'inherit' });
  let stdout = '';
  let stderr = '';
  if (pipe) {
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
  }
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  if (!pipe) for (const [s, h] of handlers) process.on(s, h);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => {
    child.once('error', () => res([127, null]));
    child.once('close', (c, s) => res([c, s]));
  });
  for (const [s, h] of handlers) process.off(s, h);
  const exitCode = signal ? 128 + (SIGNALS[signal] ?? 0) : (code ?? 1);
  const out: RunOutcome = { ...base, sandboxed: confine, exitCode, durationMs: Math.round(performance.now() - started) };
  if (signal) out.signal = signal;
  if (pipe) {
    out.stdout = stdout;
    out.stderr = stderr;
  }
  return out;
}

/** The audit record for one `cordon run` (event `cordon.run`); the store redacts the command text. */
export function runAuditRecord(o: RunOutcome, extra: { phase?: string; policyHash?: string; version?: string } = {}): AuditRecordInput {
  const rec: AuditRecordInput = {
    sessionId: o.sessionId,
    event: 'cordon.run',
    tool: 'Bash',
    input: { command: o.command },
    decision: o.error ? 'deny' : 'allow',
    ruleId: o.error ? 'cordon.sandbox-unavailable' : o.sandboxed ? 'sandbox.confined' : 'sandbox.off',
    reason: o.error ?? (o.sandboxed ? 'ran inside the OS sandbox' : 'ran without the OS sandbox'),
    durationMs: o.durationMs,
    cwd: o.cwd,
    result: { exit: o.exitCode, ...(o.signal ? { signal: o.signal } : {}) },
    extra: { sandboxed: o.sandboxed, workspace: o.workspace, ...(extra.phase ? { phase: extra.phase } : {}) },
  };
  if (extra.policyHash) rec.policyHash = extra.policyHash;
  if (extra.version) rec.version = extra.version;
  return rec;
}

/** Asks the helper serving this plan to exit (probes and tests start helpers they do not want to keep). */
export async function stopHelper(policy: Policy, ctx: SandboxContext): Promise<boolean> {
  const planFile = writePlan(sandboxPlan(policy, ctx));
  const sock = planFile.replace(/\.json$/, '.sock');
  return existsSync(sock) ? helperRequest(sock, { op: 'shutdown' }) : false;
}

/** Same rule as the hook (src/state.ts). */
export function findWorkspaceDir(env: Env, cwd: string): string {
  return findWorkspace(env, cwd);
}

/**
 * Per-command overhead of the sandbox: a rewritten `true` (exactly what the hook produces, run through
 * `/bin/sh -c` like Claude Code's Bash tool) against a plain `bash -c true`, interleaved so load spikes hit both.
 */
import { spawn } from 'node:child_process';
import type { Policy } from '../policy/schema.js';
import type { SandboxContext } from './plan.js';
import { wrapBashCommand } from './wrap.js';

export interface OverheadReport {
  runs: number;
  gapMs: number;
  plain: { p50: number; p99: number };
  sandboxed: { p50: number; p99: number };
  /** sandboxed minus plain, at each percentile. */
  added: { p50: number; p99: number };
}

function timeOnce(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const t = performance.now();
  return new Promise((res, rej) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env, cwd });
    c.once('error', rej);
    c.once('exit', (code) => (code === 0 ? res(performance.now() - t) : rej(new Error(`exit ${code}`))));
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}

/**
 * `gapMs` pauses between iterations: an agent's Bash calls are seconds apart (the model thinks in between), which
 * gives the helper time to prepare the next wrap; 0 measures back-to-back calls.
 */
export async function measureOverhead(policy: Policy, ctx: SandboxContext, runs = 50, gapMs = 250, opts: { offline?: boolean } = {}): Promise<OverheadReport> {
  // `offline`: the form a command that cannot use the network gets (no bridges to the proxy; src/sandbox/offline.ts).
  const w = wrapBashCommand('true', { ...ctx, policy }, { offline: opts.offline === true });
  if ('error' in w) throw new Error(`${w.error}; ${w.fix}`);
  const env = ctx.env as NodeJS.ProcessEnv;
  // Warm-up: starts the helper and fills the page cache.
  for (let i = 0; i < 3; i++) await timeOnce(['/bin/sh', '-c', w.command], env, ctx.workspace);
  const plain: number[] = [];
  const sandboxed: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    plain.push(await timeOnce(['/bin/bash', '-c', 'true'], env, ctx.workspace));
    sandboxed.push(await timeOnce(['/bin/sh', '-c', w.command], env, ctx.workspace));
  }
  const p = { p50: pct(plain, 50), p99: pct(plain, 99) };
  const s = { p50: pct(sandboxed, 50), p99: pct(sandboxed, 99) };
  return { runs, gapMs, plain: p, sandboxed: s, added: { p50: Math.round((s.p50 - p.p50) * 10) / 10, p99: Math.round((s.p99 - p.p99) * 10) / 10 } };
}

/**
 * What the OS sandbox adds to one Bash call: the rewritten command, exactly as the hook produces it and run through
 * `/bin/sh -c` like Claude Code's Bash tool, against a plain `bash -c true`, in a scratch git workspace with the
 * default policy. Once with the pause an agent leaves between calls (the helper prepares the next wrap in it), once
 * back to back, and once in the form a command that cannot use the network gets (no bridges to the proxy). Skips with a message where the sandbox cannot start (no bubblewrap, socat or ripgrep).
 *
 * Run after a build: node dist/bench/sandbox.js [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicy } from '../src/policy/schema.js';
import { measureOverhead } from '../src/sandbox/measure.js';
import { preflight } from '../src/sandbox/preflight.js';
import { stopHelper } from '../src/sandbox/run.js';
import type { SandboxContext } from '../src/sandbox/plan.js';

const RUNS = Number(process.argv[2]) || Number(process.env.BENCH_RUNS) || 40;

async function main(): Promise<void> {
  // Short base path: the helper's unix socket lives under the state dir (108-byte limit).
  const base = mkdtempSync(join(tmpdir(), 'csbb-'));
  const ws = join(base, 'ws');
  const home = join(base, 'h');
  mkdirSync(ws, { recursive: true });
  mkdirSync(home, { recursive: true });
  spawnSync('git', ['init', '-q', ws]);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CORDON_HOME: join(base, 's'), LANG: 'C.UTF-8' };
  const pre = preflight(env);
  if (!pre.ok) {
    console.log(`sandbox overhead: skipped (${pre.error}; ${pre.fix})`);
    rmSync(base, { recursive: true, force: true });
    return;
  }
  const policy = defaultPolicy();
  const ctx: SandboxContext = { workspace: ws, home, stateDir: env.CORDON_HOME, sessionId: 'bench', env };
  try {
    const cases = [
      { label: 'sandbox, 250 ms between calls', gap: 250, offline: false },
      { label: 'sandbox, back to back', gap: 0, offline: false },
      { label: 'sandbox, local command (no bridges)', gap: 250, offline: true },
    ];
    for (const { label, gap, offline } of cases) {
      const r = await measureOverhead(policy, ctx, RUNS, gap, { offline });
      console.log(
        `${label.padEnd(34)} added p50 ${r.added.p50.toFixed(1).padStart(6)} ms   p99 ${r.added.p99.toFixed(1).padStart(6)} ms` +
          `   (bash -c true p50 ${r.plain.p50} ms, confined p50 ${r.sandboxed.p50} ms, ${r.runs} runs)`,
      );
    }
  } finally {
    await stopHelper(policy, ctx).catch(() => false);
    rmSync(base, { recursive: true, force: true });
  }
}

await main();

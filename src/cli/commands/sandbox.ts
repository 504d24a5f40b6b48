/** `cordon sandbox …`: inspect and check the OS sandbox (plan, Claude Code settings block, live probes, overhead). */
import type { Command } from 'commander';

async function context() {
  const { contextFromCwd } = await import('../../sandbox/context.js');
  const c = contextFromCwd(process.cwd(), { ...process.env });
  if (!c.ok) {
    console.error(`cordon sandbox: the policy is invalid: ${c.problems.join('; ')}`);
    process.exit(2);
  }
  return c;
}

export function register(program: Command): void {
  const sb = program.command('sandbox').description('Inspect and check the OS sandbox that confines Bash commands');

  sb.command('plan')
    .description('Print what confined commands may write, read, reach and see, for the current workspace')
    .action(async () => {
      const c = await context();
      const { sandboxPlan } = await import('../../sandbox/plan.js');
      console.log(JSON.stringify(sandboxPlan(c.policy, c.ctx), null, 2));
    });

  sb.command('settings')
    .description("Print the matching `sandbox` block for Claude Code's settings")
    .action(async () => {
      const c = await context();
      const { claudeSandboxSettings } = await import('../../sandbox/claude-settings.js');
      console.log(JSON.stringify({ sandbox: claudeSandboxSettings(c.policy, c.ctx) }, null, 2));
    });

  sb.command('check')
    .description('Check the dependencies, then run live probes that must all be blocked inside the sandbox')
    .option('--json', 'print the results as JSON')
    .action(async (opts: { json?: boolean }) => {
      const c = await context();
      const { preflight, resetPreflight } = await import('../../sandbox/preflight.js');
      const { runProbes } = await import('../../sandbox/probes.js');
      resetPreflight();
      const pre = preflight(c.ctx.env);
      const results = pre.ok
        ? await runProbes({ policy: c.policy, stateDir: c.ctx.stateDir, sessionId: 'probe', env: c.ctx.env })
        : [{ name: 'sandbox available', ok: false, detail: `${pre.error}; ${pre.fix}` }];
      if (opts.json) console.log(JSON.stringify(results, null, 2));
      else {
        const width = Math.max(...results.map((r) => r.name.length));
        for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}`);
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  sb.command('bench')
    .description('Measure the per-command overhead: a confined `true` against a plain `bash -c true`')
    .option('-n, --runs <n>', 'number of runs of each', '50')
    .option('--gap <ms>', 'pause between runs (agents call Bash seconds apart); 0 for back-to-back', '250')
    .option('--offline', 'measure the form a command that cannot use the network gets (no bridges to the proxy)')
    .action(async (opts: { runs: string; gap: string; offline?: boolean }) => {
      const c = await context();
      const { measureOverhead } = await import('../../sandbox/measure.js');
      const r = await measureOverhead(c.policy, { ...c.ctx, sessionId: 'bench' }, Math.max(5, Number(opts.runs) || 50), Math.max(0, Number(opts.gap) || 0), { offline: opts.offline === true });
      console.log(JSON.stringify(r, null, 2));
    });

  sb.command('exec', { hidden: true })
    .argument('<plan>')
    .argument('<payload>')
    .description('Run a rewritten Bash command (what the hook\'s rewrite calls, via the faster dedicated entry)')
    .action(async (plan: string, payload: string) => {
      const { main } = await import('../../sandbox/exec.js');
      await main([plan, payload]);
    });
}

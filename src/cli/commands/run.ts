/** `cordon run [--phase P] [--no-sandbox] -- CMD…`: run any command in the OS sandbox under the workspace policy. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('run')
    .description('Run a command inside the OS sandbox under the policy of the current workspace; its exit status is passed through')
    .argument('<command...>', 'the command and its arguments (one argument alone is run as a shell command line)')
    .option('--phase <phase>', 'run under this phase of the policy (its network bound applies to the sandbox); exported as CORDON_PHASE')
    .option('--no-sandbox', 'run without confinement (recorded in the audit trail)')
    .addHelpText('after', '\nExamples:\n  cordon run -- npm test\n  cordon run --phase install -- "npm ci && npm run build"')
    .action(async (words: string[], opts: { phase?: string; sandbox: boolean }) => {
      const { contextFromCwd } = await import('../../sandbox/context.js');
      const { runCommand, argvToCommand } = await import('../../sandbox/run.js');
      if (opts.phase !== undefined && !/^[A-Za-z0-9_.-]{1,40}$/.test(opts.phase)) {
        console.error(`cordon run: --phase "${opts.phase.slice(0, 40)}" is not a simple label; use letters, digits, dot, dash or underscore`);
        process.exitCode = 2;
        return;
      }
      const env: Record<string, string | undefined> = { ...process.env };
      if (opts.phase) env.CORDON_PHASE = opts.phase;
      const c = contextFromCwd(process.cwd(), env);
      if (!c.ok) {
        console.error(`cordon run: the policy is invalid, so nothing runs until it is fixed: ${c.problems[0]}${c.problems.length > 1 ? ` (and ${c.problems.length - 1} more)` : ''}`);
        process.exitCode = 2;
        return;
      }
      const defs = Object.keys(c.policy.phases?.defs ?? {});
      if (opts.phase && !defs.includes(opts.phase)) {
        console.error(`cordon run: phase "${opts.phase}" is not defined in the policy; use one of ${defs.join(', ') || '(none defined)'}`);
        process.exitCode = 2;
        return;
      }
      const command = words.length === 1 ? words[0]! : argvToCommand(words);
      const outcome = await runCommand(command, { ...c.ctx, policy: c.policy, cwd: process.cwd(), noSandbox: !opts.sandbox, stdio: 'inherit' });
      process.exitCode = outcome.exitCode;
      if (outcome.error) console.error(`cordon run: ${outcome.error}; ${outcome.fix ?? ''} The command did not run.`);
      try {
        const { openAuditStore } = await import('../../audit/index.js');
        const { runAuditRecord } = await import('../../sandbox/run.js');
        const { VERSION } = await import('../../version.js');
        const store = openAuditStore({ stateDir: c.ctx.stateDir });
        await store.append(runAuditRecord(outcome, { ...(opts.phase ? { phase: opts.phase } : {}), version: VERSION }));
        store.close();
      } catch (err) {
        console.error(`cordon run: the audit record could not be written (${(err as Error).message.split('\n')[0]})`);
        if (process.exitCode === 0 || process.exitCode === undefined) process.exitCode = 70;
      }
    });
}

/** `cordon doctor`: check the installation; non-zero exit on any failure. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('Check the installation: hooks registered, policy valid, state dir writable, audit store, live canary')
    .option('--dir <dir>', 'repository to check', process.cwd())
    .option('--json', 'print the checks as JSON')
    .option('--no-probes', 'skip the live probes inside the sandbox')
    .action(async (opts: { dir: string; json?: boolean; probes: boolean }) => {
      const { runDoctor } = await import('../../install/doctor.js');
      const checks = await runDoctor({ dir: opts.dir, env: process.env, probes: opts.probes });
      if (opts.json) console.log(JSON.stringify(checks, null, 2));
      else {
        const width = Math.max(...checks.map((c) => c.name.length));
        for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
      }
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}

/** `cordon mask`: run a command with every stored secret value masked in its stdout and stderr (used by the Bash hook). */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('mask')
    .description('Run a command with stored secret values replaced by [secret:NAME] in its output')
    .option('--b64 <pieces...>', 'the shell command, base64-encoded (pieces are joined), run with --shell -c')
    .option('--shell <path>', 'shell for --b64 commands', 'bash')
    .option('--state-dir <dir>', 'cordon state dir (default $CORDON_HOME or ~/.cordon)')
    .argument('[command...]', 'a program and its arguments, after --')
    .action(async (argv: string[], opts: { b64?: string[]; shell: string; stateDir?: string }) => {
      const { runMask } = await import('../../secrets/mask.js');
      process.exitCode = await runMask({ argv, shell: opts.shell, ...(opts.b64 ? { b64: opts.b64 } : {}), ...(opts.stateDir ? { stateDir: opts.stateDir } : {}) });
    });
}

/** `cordon exec --secret NAME[=ENVVAR] … -- CMD ARGS…`: run a command with secrets in its environment, output masked. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('exec')
    .description("Run a command with named secrets in its environment; its output shows [secret:NAME] instead of values")
    .option('--secret <spec>', 'NAME or NAME=ENVVAR (repeatable); the command must be in the secret\'s command scope', (v: string, p: string[]) => [...p, v], [])
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText('after', '\nExample: cordon exec --secret GITHUB_TOKEN=GH_TOKEN -- gh pr list\nRefused (exit 126) when the command is outside the secret\'s scope; otherwise the command\'s exit status.')
    .action(async (argv: string[], opts: { secret: string[] }) => {
      const { runExec } = await import('../../secrets/exec.js');
      process.exitCode = await runExec({ secrets: opts.secret, argv });
    });
}

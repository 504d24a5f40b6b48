/** `cordon explain "<command>"`: the parse, the unwrapping, the rules that fired and the decision, with timing. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('explain')
    .argument('[command]', 'the shell command to explain (as the Bash tool would receive it)')
    .description('Show how cordon sees a shell command: parsed commands, unwrapping path, rules fired, decision, timing')
    .option('--cwd <dir>', 'directory the command would run in', process.cwd())
    .option('--json', 'print the explanation as JSON')
    .option('--rules', 'list every rule with its id, severity and default decision')
    .action(async (command: string | undefined, opts: { cwd: string; json?: boolean; rules?: boolean }) => {
      const { explainCommand, renderExplanation, listRules } = await import('../../engine/explain.js');
      if (opts.rules) {
        console.log(listRules(opts.json === true));
        return;
      }
      if (command === undefined) {
        console.error('cordon explain: give a command, e.g. cordon explain "rm -rf ~/"');
        process.exitCode = 2;
        return;
      }
      const ex = await explainCommand(command, { cwd: opts.cwd, env: process.env });
      console.log(opts.json ? JSON.stringify(ex, null, 2) : renderExplanation(ex));
    });
}

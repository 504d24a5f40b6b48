/** `cordon hook [EVENT]`: the hook itself (what .claude/settings.json runs), for manual runs and other setups. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('hook')
    .argument('[event]', 'the hook event this call is registered for (PreToolUse, PostToolUse, …)')
    .description('Read one Claude Code hook event on stdin and print cordon\'s decision as hook JSON')
    .addHelpText('after', '\nAlways answers with one JSON object on stdout; any failure is a deny with its reason.')
    .action(async (event: string | undefined) => {
      const { runHookClient } = (await import('../../hook/client.cjs')) as typeof import('../../hook/client.cjs');
      runHookClient(event);
    });
}

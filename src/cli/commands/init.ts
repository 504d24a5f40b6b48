/** `cordon init`: write the policy and register the hooks; `--undo` takes them back. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('init')
    .description('Write .cordon/policy.yaml and register cordon\'s hooks in .claude/settings.json')
    .option('-y, --yes', 'do not ask for confirmation (non-interactive)')
    .option('--undo', 'remove exactly what init added (an edited policy file is kept)')
    .option('--dir <dir>', 'repository to install into', process.cwd())
    .option('--mcp', 'also register cordon\'s MCP server (http_request with {{secret:NAME}} placeholders) in .mcp.json')
    .addHelpText('after', '\nThe hooks run `/usr/bin/env -u NODE_OPTIONS -u NODE_EXTRA_CA_CERTS <node> <cordon>/dist/src/hook/client.cjs <Event>` (exec form), so cordon need not be on PATH and NODE_OPTIONS cannot stop the hook.\nExisting hooks and permissions in .claude/settings.json are kept; running init twice changes nothing.\nClaude Code\'s own sandbox block, derived from the same policy, goes in .claude/settings.local.json (machine paths).')
    .action(async (opts: { yes?: boolean; undo?: boolean; dir: string; mcp?: boolean }) => {
      const { runInit, runUndo, InitError } = await import('../../install/init.js');
      try {
        if (opts.undo) {
          const r = runUndo({ dir: opts.dir });
          console.log(`cordon removed from ${r.root}: ${r.hooksRemoved} hook entr${r.hooksRemoved === 1 ? 'y' : 'ies'}${r.removed.length ? `, ${r.removed.join(', ')}` : ''}`);
          for (const k of r.kept) console.log(`  kept ${k}`);
          return;
        }
        if (!opts.yes && process.stdin.isTTY) {
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await rl.question(`Install cordon's hooks and policy into the repository at ${opts.dir}? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) {
            console.log('Nothing changed.');
            return;
          }
        }
        const r = runInit({ dir: opts.dir, mcp: opts.mcp === true });
        console.log(`cordon installed in ${r.root}`);
        for (const w of r.wrote) console.log(`  wrote ${w}`);
        for (const k of r.kept) console.log(`  kept  ${k} (already there)`);
        console.log(`  hooks: ${r.hooksAdded} added, ${r.hooksReplaced} updated`);
        console.log('Next: `cordon doctor` checks the installation; `cordon explain "<command>"` shows a decision.');
      } catch (err) {
        if (err instanceof InitError) {
          console.error(`cordon init: ${err.message}`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
    });
}

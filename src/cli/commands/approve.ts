/** `cordon approve CODE`: allow one refused call, exactly as it was made, once (humans only). */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('approve [code]')
    .description('Allow a call that a headless run refused: exactly that input, in that directory, once, within 15 minutes (humans only)')
    .option('-l, --list', 'list calls waiting for approval')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the approval record as JSON')
    .action(async (code: string | undefined, opts: { list?: boolean; yes?: boolean; json?: boolean }) => {
      const { stateDir } = await import('../../state.js');
      const store = await import('../../approval/store.js');
      const dir = stateDir(process.env);
      if (opts.list && !code) {
        const rows = store.listPending(dir);
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) console.log('no calls are waiting for approval');
        else for (const r of rows) console.log(`${r.code}  ${r.tool}  in ${r.cwd}  ${r.inputPreview.slice(0, 120)}`);
        return;
      }
      const { runningUnderAgent, humanOnlyMessage } = await import('../../selfprotect/agent.js');
      const why = runningUnderAgent(process.env);
      if (why) {
        console.error(humanOnlyMessage('approve', why));
        process.exitCode = 3;
        return;
      }
      if (!code) {
        console.error('cordon approve: give the code from the refusal (cordon approve CODE), or --list to see pending ones');
        process.exitCode = 2;
        return;
      }
      const found = store.getApproval(dir, code);
      if (found && found.status === 'pending' && !opts.yes && process.stdin.isTTY) {
        console.log(`${found.tool} in ${found.cwd}\n  ${found.inputPreview.slice(0, 500)}${found.reason ? `\n  refused because: ${found.reason}` : ''}`);
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question('Allow this exact call once? [y/N] ');
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          console.log('Nothing approved.');
          return;
        }
      }
      const { userInfo } = await import('node:os');
      const r = store.approve({ stateDir: dir, code, by: userInfo().username });
      if (!r.ok) {
        console.error(`cordon approve: ${r.message}`);
        process.exitCode = 1;
        return;
      }
      if (opts.json) console.log(JSON.stringify(r.approval, null, 2));
      else console.log(`approved ${r.approval.code}: ${r.approval.tool} in ${r.approval.cwd}, once, until ${new Date(r.approval.expiresAt).toISOString()}\n  ${r.approval.inputPreview.slice(0, 300)}`);
    });
}

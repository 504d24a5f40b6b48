/** `cordon policy diff OLD NEW` and `cordon policy check --base REF`: capability review of policy changes. */
import type { Command } from 'commander';

export function register(program: Command): void {
  const policy = program.command('policy').description('Review what a policy change lets the agent do');

  policy
    .command('diff <old> <new>')
    .description('List every widening and narrowing between two policy files, with a severity')
    .option('--json', 'print the changes as JSON')
    .action(async (oldFile: string, newFile: string, opts: { json?: boolean }) => {
      const { readFileSync } = await import('node:fs');
      const { parsePolicyText, review, formatChanges } = await import('../../policy/diff.js');
      const read = (f: string) => {
        try {
          return readFileSync(f, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw err;
        }
      };
      const ta = read(oldFile);
      const tb = read(newFile);
      if (ta === undefined || tb === undefined) {
        console.error(`cordon policy diff: ${ta === undefined ? oldFile : newFile} does not exist`);
        process.exitCode = 2;
        return;
      }
      const a = parsePolicyText(ta, oldFile);
      const b = parsePolicyText(tb, newFile);
      if (!a.ok || !b.ok) {
        for (const p of [...(a.ok ? [] : a.problems), ...(b.ok ? [] : b.problems)]) console.error(p);
        process.exitCode = 2;
        return;
      }
      const changes = review(a.policy, b.policy, b.acknowledged);
      if (opts.json) console.log(JSON.stringify(changes, null, 2));
      else console.log(formatChanges(changes));
    });

  policy
    .command('check')
    .description('Fail when .cordon/policy.yaml widens capabilities against a git ref without an acknowledged: entry')
    .option('--base <ref>', 'git ref to compare with (a branch, tag or commit)', 'HEAD')
    .option('--dir <dir>', 'a directory inside the repository', process.cwd())
    .option('--json', 'print the result as JSON')
    .action(async (opts: { base: string; dir: string; json?: boolean }) => {
      const { findRepoRoot } = await import('../../install/init.js');
      const { checkAgainstBase, formatChanges, PolicyCheckError } = await import('../../policy/diff.js');
      const root = findRepoRoot(opts.dir);
      if (!root) {
        console.error(`cordon policy check: ${opts.dir} is not inside a git repository`);
        process.exitCode = 2;
        return;
      }
      try {
        const r = await checkAgainstBase({ root, base: opts.base });
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`${r.file} against ${r.base}:`);
          console.log(formatChanges(r.changes));
          for (const a of r.unusedAcks) console.log(`note: acknowledged entry "${a.change}" matches no widening; remove it`);
          if (r.unacknowledged.length > 0) {
            console.log(`\n${r.unacknowledged.length} unacknowledged widening${r.unacknowledged.length > 1 ? 's' : ''}: a human must review ${r.unacknowledged.length > 1 ? 'them' : 'it'} and add to the policy:`);
            console.log('acknowledged:');
            for (const c of r.unacknowledged) console.log(`  - { change: ${JSON.stringify(c.key)}, reason: "…", by: "<your name>" }`);
          }
        }
        if (r.unacknowledged.length > 0) process.exitCode = 1;
      } catch (err) {
        if (err instanceof PolicyCheckError) {
          console.error(`cordon policy check: ${err.message}`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}

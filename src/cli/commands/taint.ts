/**
 * `cordon taint list | show SESSION | clear SESSION`: review and clear session taint. Human-only: clearing the
 * taint is exactly what an injection would ask the agent to do, so every subcommand refuses to run from inside a
 * Claude Code session (its commands carry CLAUDECODE=1). The store is imported inside the actions.
 */
import type { Command } from 'commander';

export const EXIT_REFUSED = 4;

/** The refusal message, or undefined when the caller looks like a human's shell. */
export function agentRefusal(env: NodeJS.ProcessEnv, verb: string): string | undefined {
  if (env.CLAUDECODE !== '1') return undefined;
  return `cordon taint ${verb}: refused inside a Claude Code session (CLAUDECODE=1): taint is reviewed and cleared by a human; run this in your own terminal`;
}

function guard(verb: string): boolean {
  const msg = agentRefusal(process.env, verb);
  if (!msg) return true;
  console.error(msg);
  process.exitCode = EXIT_REFUSED;
  return false;
}

async function dir(): Promise<string> {
  const { stateDir } = await import('../../state.js');
  return stateDir();
}

function when(ts: number): string {
  return new Date(ts).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function register(program: Command): void {
  const taint = program
    .command('taint')
    .description('Review and clear session taint (sessions that read untrusted content with injection signals); human-only');

  taint
    .command('list')
    .description('List tainted sessions, most recent first')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      if (!guard('list')) return;
      const { listTainted } = await import('../../taint/store.js');
      const rows = listTainted(await dir());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no tainted sessions\n');
        return;
      }
      for (const r of rows) process.stdout.write(`${r.sessionId}  ${r.entries} source${r.entries === 1 ? '' : 's'}  first ${when(r.first)}  last ${when(r.last)}\n`);
    });

  taint
    .command('show')
    .description('Show where a session\'s taint came from (tool, URL or path, time, detector signals)')
    .argument('<session>', 'session id (see `cordon taint list`)')
    .option('--json', 'print JSON')
    .action(async (session: string, opts: { json?: boolean }) => {
      if (!guard('show')) return;
      const { sessionTaint } = await import('../../taint/store.js');
      const { provenance } = await import('../../taint/sinks.js');
      const entries = sessionTaint(await dir(), session);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ sessionId: session, tainted: entries.length > 0, entries })}\n`);
        return;
      }
      if (entries.length === 0) {
        process.stdout.write(`session ${session} is not tainted\n`);
        return;
      }
      const out = [`session ${session} is tainted: ${provenance(entries)}`];
      for (const e of entries) {
        const sig = e.findings.length > 0 ? `  signals ${e.findings.join(', ')}` : '';
        out.push(`  ${when(e.ts)}  ${e.kind.padEnd(9)}  ${e.trust.padEnd(9)}  score ${e.score.toFixed(2)}  ${e.source}${sig}`);
      }
      out.push(`Review the sources; when they are harmless, clear with: cordon taint clear ${session}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });

  taint
    .command('clear')
    .description('Clear a session\'s taint after reviewing its sources, so its pushes, publishes and egress no longer need approval')
    .argument('<session>', 'session id (see `cordon taint list`)')
    .action(async (session: string) => {
      if (!guard('clear')) return;
      const { clearTaint } = await import('../../taint/store.js');
      const n = clearTaint(await dir(), session);
      process.stdout.write(n > 0 ? `cleared ${n} taint entr${n === 1 ? 'y' : 'ies'} of session ${session}\n` : `session ${session} was not tainted\n`);
    });
}

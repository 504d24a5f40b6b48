/** `cordon phase start|end|status|list`: switch the phase in force for this workspace (start/end: humans only). */
import type { Command } from 'commander';

interface DirOpts {
  dir: string;
}

async function context(dir: string) {
  const { resolve } = await import('node:path');
  const { workspaceOf } = await import('../../phase/state.js');
  const { stateDir } = await import('../../state.js');
  const { loadPolicy, formatProblem } = await import('../../policy/load.js');
  const workspace = workspaceOf(process.env, resolve(dir));
  const state = stateDir(process.env);
  const loaded = loadPolicy({ workspace, stateDir: state });
  if (!loaded.ok) {
    const first = loaded.problems[0];
    throw new Error(`the policy is invalid (${first ? formatProblem(first) : 'unknown problem'}); fix it first (\`cordon doctor\` lists every problem)`);
  }
  return { workspace, stateDir: state, policy: loaded.policy };
}

async function refuseUnderAgent(what: string): Promise<boolean> {
  const { runningUnderAgent, humanOnlyMessage } = await import('../../selfprotect/agent.js');
  const why = runningUnderAgent(process.env);
  if (!why) return false;
  console.error(humanOnlyMessage(what, why));
  process.exitCode = 3;
  return true;
}

function fail(err: unknown): void {
  console.error(`cordon phase: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

export function register(program: Command): void {
  const phase = program
    .command('phase')
    .description('Least privilege over time: the named phase (tool allowlist and bounds) in force for this workspace');

  phase
    .command('start <name>')
    .description('Put a phase in force for this workspace until the TTL runs out (humans only)')
    .option('--ttl <duration>', 'how long, e.g. 30m or 2h (default and maximum: the phase\'s maxTtl)')
    .option('--dir <dir>', 'a directory inside the workspace', process.cwd())
    .action(async (name: string, opts: DirOpts & { ttl?: string }) => {
      if (await refuseUnderAgent('phase start')) return;
      try {
        const ctx = await context(opts.dir);
        const { startPhase } = await import('../../phase/state.js');
        const { userInfo } = await import('node:os');
        const p = startPhase({ ...ctx, name, ...(opts.ttl ? { ttl: opts.ttl } : {}), now: Date.now(), startedBy: userInfo().username });
        const env = process.env.CORDON_PHASE ? ` (note: CORDON_PHASE=${process.env.CORDON_PHASE} in an agent's environment wins over this)` : '';
        console.log(`phase ${p.name} in force for ${ctx.workspace} until ${new Date(p.expires!).toISOString()}${env}`);
      } catch (err) {
        fail(err);
      }
    });

  phase
    .command('end')
    .description('End the started phase; the default phase (if any) applies again (humans only)')
    .option('--dir <dir>', 'a directory inside the workspace', process.cwd())
    .action(async (opts: DirOpts) => {
      if (await refuseUnderAgent('phase end')) return;
      try {
        const ctx = await context(opts.dir);
        const { endPhase } = await import('../../phase/state.js');
        const ended = endPhase(ctx.stateDir, ctx.workspace, Date.now());
        const next = ctx.policy.phases.default ? `default phase ${ctx.policy.phases.default}` : 'no phase restrictions';
        console.log(ended ? `phase ${ended} ended for ${ctx.workspace}; now: ${next}` : `no phase was started for ${ctx.workspace}; now: ${next}`);
      } catch (err) {
        fail(err);
      }
    });

  phase
    .command('status')
    .description('Show the phase in force for this workspace and where it comes from')
    .option('--dir <dir>', 'a directory inside the workspace', process.cwd())
    .option('--json', 'print as JSON')
    .action(async (opts: DirOpts & { json?: boolean }) => {
      try {
        const ctx = await context(opts.dir);
        const { activePhase, formatRemaining } = await import('../../phase/state.js');
        const now = Date.now();
        const p = activePhase({ ...ctx, env: process.env, now });
        if (opts.json) {
          console.log(JSON.stringify({ workspace: ctx.workspace, phase: p ?? null, defined: p ? p.name in ctx.policy.phases.defs : null }, null, 2));
          return;
        }
        if (!p) {
          console.log(`no phase in force for ${ctx.workspace} (no phases.default, none started): only the rest of the policy applies`);
          return;
        }
        const def = ctx.policy.phases.defs[p.name];
        const src = p.source === 'env' ? 'CORDON_PHASE' : p.source === 'state' ? `started${p.startedBy ? ` by ${p.startedBy}` : ''}, ${formatRemaining(p.expires!, now)} left` : 'phases.default';
        console.log(`phase ${p.name} (${src}) for ${ctx.workspace}`);
        if (!def) console.log('  not defined in the policy: every tool call is refused until it is');
        else {
          if (def.description) console.log(`  ${def.description}`);
          console.log(`  tools: ${def.tools.join(', ') || '(none)'}`);
          console.log(`  bash: network ${def.bash.network ? 'yes' : 'no'}, push ${def.bash.push}, writes outside ${def.bash.writesOutside ? 'yes' : 'no'}`);
        }
      } catch (err) {
        fail(err);
      }
    });

  phase
    .command('list')
    .description('List the phases the policy defines')
    .option('--dir <dir>', 'a directory inside the workspace', process.cwd())
    .action(async (opts: DirOpts) => {
      try {
        const ctx = await context(opts.dir);
        for (const [n, d] of Object.entries(ctx.policy.phases.defs)) {
          const mark = n === ctx.policy.phases.default ? ' (default)' : '';
          console.log(`${n}${mark}: ${d.description ?? ''} [max ${d.maxTtl}; tools ${d.tools.length}; network ${d.bash.network ? 'yes' : 'no'}; push ${d.bash.push}]`);
        }
      } catch (err) {
        fail(err);
      }
    });
}

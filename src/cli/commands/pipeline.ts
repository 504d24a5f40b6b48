/**
 * `cordon pipeline --input FILE|URL --task "…"`: summarise untrusted input in a locked-down ingest run, then act on
 * the summary in a run that cannot ingest untrusted content (docs/pipeline.md). The runner is imported in the
 * action.
 */
import type { Command } from 'commander';

interface PipelineCliOptions {
  input: string;
  task: string;
  summary?: string;
  workspace?: string;
  claude?: string;
  claudeArg: string[];
  dryRun?: boolean;
  allowFlaggedSummary?: boolean;
  timeout?: string;
  json?: boolean;
}

export const EXIT_FLAGGED = 3;

export function register(program: Command): void {
  program
    .command('pipeline')
    .description('Run a task on untrusted input in two Claude Code runs: ingest (read-only, summarise) then act (no untrusted ingestion)')
    .requiredOption('--input <file|url>', 'the untrusted input: a file, or an http(s) URL fetched with WebFetch')
    .requiredOption('--task <text>', 'what to do with it')
    .option('--summary <file>', 'where to write the ingest summary (default: in the run directory)')
    .option('--workspace <dir>', 'project the act step works in (default: current directory)')
    .option('--claude <path>', 'claude executable (default: $CORDON_CLAUDE or claude on PATH)')
    .option('--claude-arg <arg>', 'extra argument for both claude runs, repeatable (e.g. --claude-arg=--permission-mode --claude-arg=acceptEdits)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--allow-flagged-summary', 'act even when the summary itself trips the injection detector')
    .option('--dry-run', 'write the policy overlays and print both claude invocations without running them')
    .option('--timeout <seconds>', 'limit per step', '900')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Exit codes: 0 done, 1 a step failed, 2 bad usage or invalid policy, 3 the summary was flagged as an injection.
The overlays are passed to cordon's hooks through CORDON_POLICY_OVERLAY; see docs/pipeline.md.`)
    .action(async (opts: PipelineCliOptions) => {
      const { runPipeline, PipelineError } = await import('../../pipeline/run.js');
      const { stateDir, homeDir } = await import('../../state.js');
      const { resolve } = await import('node:path');
      const workspace = resolve(opts.workspace ?? process.cwd());
      try {
        const r = await runPipeline({
          input: opts.input,
          task: opts.task,
          workspace,
          stateDir: stateDir(),
          home: homeDir(),
          claude: opts.claude ?? process.env.CORDON_CLAUDE ?? 'claude',
          claudeArgs: opts.claudeArg,
          ...(opts.summary ? { summaryPath: opts.summary } : {}),
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.allowFlaggedSummary ? { allowFlaggedSummary: true } : {}),
          timeoutMs: Math.max(1, Number(opts.timeout) || 900) * 1000,
          env: process.env,
          log: (l) => process.stderr.write(`cordon pipeline: ${l}\n`),
        });
        if (opts.json || r.status === 'planned') {
          process.stdout.write(`${JSON.stringify(r, null, opts.json ? 0 : 2)}\n`);
        } else if (r.result !== undefined) {
          process.stdout.write(`${r.result}\n`);
        }
        if (r.error) process.stderr.write(`cordon pipeline: ${r.error}\n`);
        process.exitCode = r.status === 'flagged' ? EXIT_FLAGGED : r.status === 'failed' ? 1 : 0;
      } catch (err) {
        process.stderr.write(`cordon pipeline: ${(err as Error).message}\n`);
        process.exitCode = err instanceof PipelineError ? 2 : 1;
      }
    });
}

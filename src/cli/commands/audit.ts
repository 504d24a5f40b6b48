/**
 * `cordon audit …`: review, verify, prune and export the audit trail. The store is imported inside each action so
 * loading the CLI does not load SQLite.
 *
 * Where the trail is: `--sink URL` (a shared PostgreSQL log), else the user policy's `audit.sink` (the same log the
 * hooks write to), else the local SQLite store; `--local` forces the local store.
 */
import { InvalidArgumentError, type Command } from 'commander';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: an ISO date/time, or a span back from now (`90s`, `30m`, `1h`, `2d`, `1w`). */
export function parseSince(text: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim());
  if (rel) return now - Number(rel[1]) * (UNITS[(rel[2] as string).toLowerCase()] as number);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`--since ${JSON.stringify(text)} is neither an ISO date nor a span like 1h or 2d`);
  return t;
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    return n;
  };
}

async function home(): Promise<string> {
  const { stateDir } = await import('../../state.js');
  return stateDir();
}

interface Where {
  sink?: string;
  local?: boolean;
  keyFile?: string;
}

/** The store to read: an explicit --sink, the user policy's audit.sink, or the local SQLite store. */
async function target(opts: Where): Promise<{ stateDir: string; sink?: string; keyFile?: string }> {
  const stateDir = await home();
  const keyFile = opts.keyFile ? { keyFile: opts.keyFile } : {};
  if (opts.local) {
    if (opts.sink) throw usage('--local and --sink name different stores; give one of them');
    return { stateDir };
  }
  if (opts.sink !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(opts.sink)) throw usage('--sink must be a postgres:// connection URL');
    return { stateDir, sink: opts.sink, ...keyFile };
  }
  const { join } = await import('node:path');
  const { readPolicyFile, formatProblem, USER_POLICY } = await import('../../policy/load.js');
  const user = readPolicyFile(join(stateDir, USER_POLICY));
  const problem = user.problems[0];
  if (problem) throw new Error(`the user policy is invalid, so the audit sink it names is unknown: ${formatProblem(problem)}; fix it, or pass --sink URL or --local`);
  const sink = (user.data?.audit as { sink?: unknown } | undefined)?.sink;
  return typeof sink === 'string' ? { stateDir, sink, ...keyFile } : { stateDir };
}

/** Adds the options that choose the store. */
function where(cmd: Command): Command {
  return cmd
    .option('--sink <url>', 'read the shared PostgreSQL audit log at this postgres:// URL (default: the user policy\'s audit.sink); prefer PGPASSWORD or ~/.pgpass to a password in the URL')
    .option('--local', 'read the local SQLite store even when the user policy names a sink');
}

/** Runs an action, turning thrown errors into one line on stderr and exit code 1. */
function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      console.error(`cordon audit: ${(err as Error).message}`);
      process.exitCode = (err as { usage?: boolean }).usage ? 2 : 1;
    }
  };
}

const usage = (message: string): Error => Object.assign(new Error(message), { usage: true });

function since(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSince(text);
  } catch (err) {
    throw usage((err as Error).message);
  }
}

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('Review and check the audit trail: every hook decision cordon made, hash-chained and MAC\'d');

  where(audit
    .command('log'))
    .description('List audit records, newest last')
    .option('--session <id>', 'only this session')
    .option('--decision <decision>', 'only this decision (allow, ask, deny)')
    .option('--tool <tool>', 'only this tool (Bash, Edit, Write, …)')
    .option('--since <when>', 'only records since an ISO time or a span back from now (30m, 1h, 2d, 1w)')
    .option('--limit <n>', 'show at most the newest N records', positiveInt('--limit'), 50)
    .option('--tainted', 'only records of untrusted content coming in (see cordon taint)')
    .option('--json', 'print records as a JSON array')
    .action(
      run(async (opts: Where & { session?: string; decision?: string; tool?: string; since?: string; limit: number; tainted?: boolean; json?: boolean }) => {
        if (opts.decision !== undefined && !['allow', 'ask', 'deny'].includes(opts.decision)) {
          throw usage(`--decision must be allow, ask or deny, got ${JSON.stringify(opts.decision)}`);
        }
        const { listRecords } = await import('../../audit/index.js');
        const records = await listRecords({
          ...(await target(opts)),
          session: opts.session,
          decision: opts.decision,
          tool: opts.tool,
          since: since(opts.since),
          limit: opts.tainted ? undefined : opts.limit,
        });
        if (opts.tainted) {
          const { recordTainted } = await import('../../audit/classify.js');
          const kept = records.filter(recordTainted);
          records.splice(0, records.length, ...kept.slice(-opts.limit));
        }
        if (opts.json) return void console.log(JSON.stringify(records, null, 2));
        const { renderLog } = await import('../../audit/render.js');
        console.log(renderLog(records));
      }),
    );

  where(audit
    .command('sessions'))
    .description('One line per session: time span, tools used, events, denials and asks')
    .option('--since <when>', 'only sessions active since an ISO time or a span (1h, 2d)')
    .option('--tainted', 'only sessions that ingested untrusted content')
    .option('--json', 'print sessions as a JSON array')
    .action(
      run(async (opts: Where & { since?: string; tainted?: boolean; json?: boolean }) => {
        const { listSessions } = await import('../../audit/index.js');
        const all = await listSessions({ ...(await target(opts)), since: since(opts.since) });
        const sessions = opts.tainted ? all.filter((s) => (s.untrusted ?? 0) > 0) : all;
        if (opts.json) return void console.log(JSON.stringify(sessions, null, 2));
        const { renderSessions } = await import('../../audit/render.js');
        console.log(renderSessions(sessions));
      }),
    );

  where(audit
    .command('show'))
    .description('Timeline of one session (a unique prefix of the id is enough)')
    .argument('<session>', 'session id or unique prefix')
    .option('--json', 'print the session\'s records as a JSON array')
    .action(
      run(async (session: string, opts: Where & { json?: boolean }) => {
        const { listRecords, findSessions } = await import('../../audit/index.js');
        const at = await target(opts);
        const ids = await findSessions({ ...at, id: session });
        if (ids.length === 0) throw new Error(`no session matches ${JSON.stringify(session)}; list them with: cordon audit sessions`);
        if (ids.length > 1) throw usage(`${JSON.stringify(session)} matches several sessions (${ids.join(', ')}); give more of the id`);
        const id = ids[0] as string;
        const records = await listRecords({ ...at, session: id });
        if (opts.json) return void console.log(JSON.stringify(records, null, 2));
        const { renderTimeline } = await import('../../audit/render.js');
        console.log(renderTimeline(id, records));
      }),
    );

  where(audit
    .command('verify')
    .description('Check the hash chain, MACs and head anchor; exit 0 when intact, 1 when any record was edited, deleted, reordered, forged or cut off'))
    .option('--key-file <path>', 'the shared audit key of a PostgreSQL sink (default: audit-sink.key in the state dir)')
    .option('--json', 'print the verification report as JSON')
    .action(
      run(async (opts: Where & { json?: boolean }) => {
        const { verifyAudit } = await import('../../audit/index.js');
        const report = await verifyAudit(await target(opts));
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else {
          const { renderVerify } = await import('../../audit/render.js');
          (report.ok ? console.log : console.error)(renderVerify(report));
        }
        process.exitCode = report.ok ? 0 : 1;
      }),
    );

  audit
    .command('prune')
    .description('Delete records older than N days; the chain is re-anchored so verify still passes (refuses when the chain is broken)')
    .requiredOption('--days <n>', 'keep the last N days', positiveInt('--days'))
    .option('--json', 'print the result as JSON')
    .action(
      run(async (opts: { days: number; json?: boolean }) => {
        const { pruneAudit } = await import('../../audit/index.js');
        const res = pruneAudit({ stateDir: await home(), olderThanDays: opts.days });
        if (opts.json) return void console.log(JSON.stringify(res));
        console.log(
          res.pruned === 0
            ? `nothing older than ${opts.days} days to prune`
            : `pruned ${res.pruned} records older than ${opts.days} days; the chain now starts after record ${res.anchorId}`,
        );
      }),
    );

  where(audit
    .command('export'))
    .description('Write records to stdout as JSON Lines (all records) or SARIF 2.1.0 (denials and asks as findings)')
    .requiredOption('--format <format>', 'jsonl or sarif')
    .option('--session <id>', 'only this session')
    .option('--since <when>', 'only records since an ISO time or a span (1h, 2d)')
    .action(
      run(async (opts: Where & { format: string; session?: string; since?: string }) => {
        if (opts.format !== 'jsonl' && opts.format !== 'sarif') throw usage(`--format must be jsonl or sarif, got ${JSON.stringify(opts.format)}`);
        const { listRecords, toJsonl, toSarif } = await import('../../audit/index.js');
        const records = await listRecords({ ...(await target(opts)), session: opts.session, since: since(opts.since) });
        if (opts.format === 'jsonl') process.stdout.write(toJsonl(records));
        else {
          const { VERSION } = await import('../../version.js');
          console.log(JSON.stringify(toSarif(records, VERSION), null, 2));
        }
      }),
    );
}

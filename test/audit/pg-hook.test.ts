/**
 * The PostgreSQL sink under real processes: 8 concurrent writer processes × 200 appends over 4 sessions, and the
 * hook client (CORDON_DAEMON=off) with a user policy naming the sink, up and down. Run with
 * `--writer <url> <stateDir> <count> <tag>` this file is the writer process itself.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openAuditStore, verifyAudit, listRecords } from '../../src/audit/index.js';
import { startServer, type PgServer } from './helpers.js';


const SELF = fileURLToPath(import.meta.url);
const CLIENT = fileURLToPath(new URL('../../src/hook/client.cjs', import.meta.url));

async function writer(url: string, stateDir: string, count: number, tag: string): Promise<void> {
  const store = openAuditStore({ stateDir, sink: url });
  for (let i = 0; i < count; i++) {
    await store.append({ sessionId: `session-${i % 4}`, event: 'PreToolUse', tool: 'Bash', toolUseId: `${tag}-${i}`, input: { command: `echo ${tag} ${i}` }, decision: 'allow' });
  }
  await store.end();
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(opts.input ?? '');
  });
}

if (process.argv[2] === '--writer') {
  const [url, stateDir, count, tag] = process.argv.slice(3) as [string, string, string, string];
  await writer(url, stateDir, Number(count), tag);
} else {
  const started = await startServer();
  const srv = typeof started === 'string' ? undefined : (started as PgServer);
  const skip = typeof started === 'string' ? started : false;
  if (skip) console.log(`# ${skip}`);
  after(() => srv?.stop());

  test('8 writer processes × 200 appends over 4 sessions: every record, every chain intact', { skip, timeout: 300_000 }, async () => {
    const url = await (srv as PgServer).createDatabase(`conc_${process.pid}`);
    const dir = mkdtempSync(join(tmpdir(), 'cordon-pgsink-'));
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const results = await Promise.all(tags.map((t) => run(process.execPath, [SELF, '--writer', url, dir, '200', t])));
    for (const r of results) assert.equal(r.code, 0, r.err);

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const stats = (await c.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, count(DISTINCT tool_use_id)::int AS u FROM audit_records')).rows[0];
    assert.deepEqual(stats, { n: 1600, ids: 1600, u: 1600 });
    const per = (await c.query(`SELECT session_id AS s, count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM audit_records GROUP BY 1 ORDER BY 1`)).rows;
    assert.deepEqual(per, [0, 1, 2, 3].map((i) => ({ s: `session-${i}`, n: 400, lo: 1, hi: 400 })));
    // Within a session, the chain order (seq) and the global order (id) agree.
    const disorder = (await c.query(`SELECT count(*)::int AS n FROM (SELECT id < lag(id) OVER (PARTITION BY session_id ORDER BY seq) AS back FROM audit_records) x WHERE back`)).rows[0];
    assert.deepEqual(disorder, { n: 0 });
    await c.end();

    const rep = await verifyAudit({ stateDir: dir, sink: url });
    assert.equal(rep.ok, true, rep.problem?.message);
    assert.deepEqual([rep.records, rep.sessions], [1600, 4]);
  });

  test('verify while writers append never reports a false break', { skip, timeout: 300_000 }, async () => {
    const url = await (srv as PgServer).createDatabase(`live_${process.pid}`);
    const dir = mkdtempSync(join(tmpdir(), 'cordon-pgsink-'));
    const writers = Promise.all(['x', 'y', 'z'].map((t) => run(process.execPath, [SELF, '--writer', url, dir, '300', t])));
    let done = false;
    void writers.finally(() => (done = true));
    let checks = 0;
    while (!done) {
      const rep = await verifyAudit({ stateDir: dir, sink: url });
      assert.ok(rep.ok || rep.problem?.kind === 'key', rep.problem?.message); // before the first writer made the key
      checks++;
    }
    for (const r of await writers) assert.equal(r.code, 0, r.err);
    assert.ok(checks > 0);
    assert.equal((await verifyAudit({ stateDir: dir, sink: url })).records, 900);
  });

  const hookEvent = (ws: string, tool: string, input: Record<string, unknown>, id: string): string =>
    JSON.stringify({ session_id: 'hook-pg-1', transcript_path: '/dev/null', cwd: ws, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input, tool_use_id: id });

  function hookEnv(sink: string): { env: NodeJS.ProcessEnv; ws: string; home: string } {
    const base = mkdtempSync(join(tmpdir(), 'cordon-pg-hook-'));
    const home = join(base, 'state');
    const ws = join(base, 'ws');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(join(ws, '.git'), { recursive: true });
    writeFileSync(join(home, 'policy.yaml'), `audit:\n  sink: ${sink}\n`);
    return { env: { PATH: process.env.PATH ?? '', HOME: base, CORDON_HOME: home, CLAUDE_PROJECT_DIR: ws, CORDON_DAEMON: 'off' }, ws, home };
  }

  test('hook client with audit.sink in the user policy: the record lands in PostgreSQL', { skip }, async () => {
    const url = await (srv as PgServer).createDatabase(`hook_${process.pid}`);
    // Trust authentication ignores the password, which lets the test check it never shows up.
    const sink = url.replace('postgres@', 'postgres:Hook-Pw-987@');
    const { env, ws, home } = hookEnv(sink);
    const r = await run(process.execPath, [CLIENT, 'PreToolUse'], { env, cwd: ws, input: hookEvent(ws, 'Bash', { command: 'ls -la' }, 'tu-hook-1') });
    assert.equal(r.code, 0, r.err);
    assert.ok(!/"permissionDecision":"deny"/.test(r.out), r.out);
    assert.ok(!(r.out + r.err).includes('Hook-Pw-987'));

    const recs = await listRecords({ stateDir: home, sink: url });
    assert.equal(recs.length, 1);
    const rec = recs[0]!;
    assert.deepEqual([rec.sessionId, rec.event, rec.tool, rec.toolUseId, rec.input], ['hook-pg-1', 'PreToolUse', 'Bash', 'tu-hook-1', { command: 'ls -la' }]);
    assert.ok(rec.decision === 'allow' || rec.decision === 'ask', rec.decision);
    const rep = await verifyAudit({ stateDir: home, sink: url });
    assert.equal(rep.ok, true, rep.problem?.message);
  });

  test('hook client with the sink down: still answers, denies what changes things, no password in the output', { skip }, async () => {
    const { env, ws } = hookEnv('postgres://writer:Down-Hook-Pw@127.0.0.1:1/audit');
    const write = await run(process.execPath, [CLIENT, 'PreToolUse'], { env, cwd: ws, input: hookEvent(ws, 'Write', { file_path: join(ws, 'a.txt'), content: 'x' }, 'tu-w') });
    assert.equal(write.code, 0, write.err);
    const out = JSON.parse(write.out) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
    assert.equal(out.hookSpecificOutput?.permissionDecision, 'deny');
    assert.match(out.hookSpecificOutput?.permissionDecisionReason ?? '', /audit store unavailable: postgres:\/\/writer@127\.0\.0\.1:1\/audit: /);
    assert.ok(!(write.out + write.err).includes('Down-Hook-Pw'), write.out);

    const read = await run(process.execPath, [CLIENT, 'PreToolUse'], { env, cwd: ws, input: hookEvent(ws, 'Read', { file_path: join(ws, 'a.txt') }, 'tu-r') });
    assert.equal(read.code, 0, read.err);
    assert.ok(!/"permissionDecision":"deny"/.test(read.out), read.out);
    assert.ok(!(read.out + read.err).includes('Down-Hook-Pw'));
  });
}

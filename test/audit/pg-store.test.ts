/**
 * The PostgreSQL audit sink against a real server on loopback (scripts/pg-test-server.mjs): round trip with
 * redaction, verify on an intact log, every tamper kind, the key rules, an unreachable sink, and the CLI.
 * Skips, saying why, only when no PostgreSQL server can be started here.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openAuditStore, verifyAudit, listRecords, listSessions, findSessions } from '../../src/audit/index.js';
import { pgRecordHash, type PgRow } from '../../src/audit/pg-store.js';
import { plantedRecord, startServer, tempState, TOKEN, type PgServer } from './helpers.js';


const started = await startServer();
const srv = typeof started === 'string' ? undefined : started;
const skip = typeof started === 'string' ? started : false;
if (skip) console.log(`# ${skip}`);
after(() => srv?.stop());

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let dbCount = 0;

async function freshDb(): Promise<string> {
  return (srv as PgServer).createDatabase(`t${++dbCount}_${process.pid}`);
}

async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, args)).rows;
  } finally {
    await c.end();
  }
}

/** A sink holding `n` records alternating between sessions A and B (A: ids 1,3,5…; B: 2,4,6…). */
async function populated(n: number): Promise<{ url: string; dir: string }> {
  const url = await freshDb();
  const dir = tempState();
  const store = openAuditStore({ stateDir: dir, sink: url });
  for (let i = 1; i <= n; i++) {
    await store.append({
      ts: 1_700_000_000_000 + i * 1000,
      sessionId: i % 2 ? 'sess-A' : 'sess-B',
      event: 'PreToolUse',
      tool: i % 3 ? 'Bash' : 'Edit',
      input: { command: `echo ${i}` },
      decision: i % 4 === 0 ? 'deny' : 'allow',
      ruleId: i % 4 === 0 ? 'test.deny' : 'core.allow',
      reason: `record ${i}`,
    });
  }
  await store.end();
  return { url, dir };
}

async function problem(at: { url: string; dir: string }) {
  const rep = await verifyAudit({ stateDir: at.dir, sink: at.url });
  assert.equal(rep.ok, false, 'verify should fail');
  assert.ok(rep.problem);
  return rep.problem;
}

async function row(url: string, id: number): Promise<PgRow> {
  const [r] = await sql<PgRow & { id: string; seq: string; ts: string }>(url, 'SELECT * FROM audit_records WHERE id = $1', [id]);
  assert.ok(r, `record ${id} exists`);
  return { ...r, id: Number(r.id), seq: Number(r.seq), ts: Number(r.ts) };
}

test('round trip: records read back, redacted before they reach the server', { skip }, async () => {
  const url = await freshDb();
  const dir = tempState();
  const store = openAuditStore({ stateDir: dir, sink: url });
  const { id } = await store.append(plantedRecord());
  assert.equal(id, 1);
  assert.equal((await store.append({ sessionId: 's-1', event: 'PostToolUse', reason: 'nul \u0000 and lone \ud800 survive' })).id, 2);
  assert.equal((await store.append({ sessionId: 's-2', event: 'SessionStart' })).id, 3);
  await store.end();

  const [rec, rec2, rec3] = await listRecords({ stateDir: dir, sink: url });
  assert.ok(rec && rec2 && rec3);
  assert.deepEqual(
    { id: rec.id, ts: rec.ts, s: rec.sessionId, tu: rec.toolUseId, tool: rec.tool, d: rec.decision, rule: rec.ruleId, ms: rec.durationMs, cwd: rec.cwd, ph: rec.policyHash, v: rec.version },
    { id: 1, ts: 1_700_000_000_000, s: 's-1', tu: 'tu-1', tool: 'Bash', d: 'deny', rule: 'git.push', ms: 1.25, cwd: '/work/p', ph: 'ph', v: '0.1.0' },
  );
  assert.deepEqual(rec.input, { command: 'git push https://bot:[redacted:github-token]@github.com/o/r main', env: { GITHUB_TOKEN: '[redacted:secret-field]' } });
  assert.equal(rec.reason, 'pushing with [redacted:github-token] is not allowed');
  assert.deepEqual(rec.result, { stdout: '[redacted:github-token]' });
  assert.deepEqual(rec.extra, { findings: [{ evidence: '[redacted:github-token]' }] });
  assert.equal(rec2.reason, 'nul \uFFFD and lone \uFFFD survive');
  assert.equal(rec3.sessionId, 's-2');

  const rep = await verifyAudit({ stateDir: dir, sink: url });
  assert.equal(rep.ok, true, rep.problem?.message);
  assert.deepEqual([rep.records, rep.sessions, rep.firstId, rep.lastId], [3, 2, 1, 3]);

  // Not in any row, nor anywhere in the server's files (tables, WAL) after a checkpoint.
  const [hits] = await sql<{ n: string }>(url, `SELECT count(*)::text AS n FROM audit_records r WHERE r::text LIKE '%' || $1 || '%'`, [TOKEN]);
  assert.equal(hits?.n, '0');
  await sql(url, 'CHECKPOINT');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(join((srv as PgServer).dir, 'data'));
  assert.ok(files.length > 100);
  for (const f of files) assert.ok(!readFileSync(f).includes(TOKEN), `${f} holds the token`);

  const sessions = await listSessions({ stateDir: dir, sink: url });
  assert.deepEqual(sessions.map((s) => [s.sessionId, s.events, s.denials, s.tools]), [['s-2', 1, 0, []], ['s-1', 2, 1, ['Bash']]]);
  assert.deepEqual(await findSessions({ stateDir: dir, sink: url, id: 's-' }), ['s-1', 's-2']);
  assert.deepEqual(await findSessions({ stateDir: dir, sink: url, id: 's-2' }), ['s-2']);
});

test('an intact log verifies; an empty or never-used sink too', { skip }, async () => {
  const empty = await freshDb();
  const rep0 = await verifyAudit({ stateDir: tempState(), sink: empty });
  assert.equal(rep0.ok, true, rep0.problem?.message);
  assert.equal(rep0.records, 0);
  const at = await populated(20);
  const rep = await verifyAudit({ stateDir: at.dir, sink: at.url });
  assert.equal(rep.ok, true, rep.problem?.message);
  assert.deepEqual([rep.records, rep.sessions, rep.firstId, rep.lastId], [20, 2, 1, 20]);
  const [heads] = await sql<{ n: string }>(at.url, 'SELECT string_agg(session_id || \':\' || seq, \',\' ORDER BY session_id) AS n FROM audit_heads');
  assert.equal(heads?.n, 'sess-A:10,sess-B:10');
  const ids = (await listRecords({ stateDir: at.dir, sink: at.url })).map((r) => r.id);
  assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual((await listRecords({ stateDir: at.dir, sink: at.url, session: 'sess-B', limit: 3 })).map((r) => r.id), [16, 18, 20]);
});

test('an edited column is reported at that record', { skip }, async () => {
  const at = await populated(10);
  await sql(at.url, `UPDATE audit_records SET decision = 'allow' WHERE id = 8`);
  const p = await problem(at);
  assert.equal(p.kind, 'edited');
  assert.equal(p.id, 8);
  assert.equal(p.session, 'sess-B');
  assert.match(p.message, /^record 8 \(session sess-B #4, PreToolUse Bash, 2023-[^)]+\): content changed since it was written$/);
});

test('an edit that recomputes the hash is caught by the MAC', { skip }, async () => {
  const at = await populated(10);
  const r = await row(at.url, 5);
  const forged = { ...r, reason: 'nothing to see' };
  await sql(at.url, 'UPDATE audit_records SET reason = $1, hash = $2 WHERE id = 5', [forged.reason, pgRecordHash(forged)]);
  const p = await problem(at);
  assert.equal(p.kind, 'forged');
  assert.equal(p.id, 5);
  // The last record of a session too (there the head row names the original hash as well).
  const at2 = await populated(10);
  const last = await row(at2.url, 9);
  await sql(at2.url, 'UPDATE audit_records SET reason = $1, hash = $2 WHERE id = 9', ['x', pgRecordHash({ ...last, reason: 'x' })]);
  const p2 = await problem(at2);
  assert.equal(p2.kind, 'forged');
  assert.equal(p2.id, 9);
});

test('a deleted middle record is reported with the gap in its session', { skip }, async () => {
  const at = await populated(10);
  await sql(at.url, 'DELETE FROM audit_records WHERE id = 5');
  const p = await problem(at);
  assert.equal(p.kind, 'deleted');
  assert.equal(p.id, 7);
  assert.match(p.message, /^record #3 of session sess-A is missing \(deleted\): record 7 \(session sess-A #4, .*\) follows record 3 \(session sess-A #2, /);
});

test('records reordered within a session are reported', { skip }, async () => {
  const at = await populated(10);
  // Swap the positions of A#2 (id 3) and A#3 (id 5), renumbering them and recomputing their hashes as someone
  // without the key would; each keeps the link to its original predecessor.
  const a = await row(at.url, 3);
  const b = await row(at.url, 5);
  const movedB = { ...b, seq: a.seq };
  const movedA = { ...a, seq: b.seq };
  const c = new pg.Client({ connectionString: at.url });
  await c.connect();
  await c.query('BEGIN');
  await c.query('UPDATE audit_records SET seq = -1 WHERE id = 3');
  await c.query('UPDATE audit_records SET seq = $1, hash = $2 WHERE id = 5', [movedB.seq, pgRecordHash(movedB)]);
  await c.query('UPDATE audit_records SET seq = $1, hash = $2 WHERE id = 3', [movedA.seq, pgRecordHash(movedA)]);
  await c.query('COMMIT');
  await c.end();
  const p = await problem(at);
  assert.equal(p.kind, 'reordered');
  assert.equal(p.session, 'sess-A');
  assert.equal(p.id, 5);
  assert.match(p.message, /^record 5 \(session sess-A #2, .*\): does not follow #1 of its session \(records reordered, replaced or inserted\)$/);
});

test('a record forged without the key is reported', { skip }, async () => {
  const at = await populated(10);
  const last = await row(at.url, 10);
  const f: PgRow = { ...last, id: 11, seq: last.seq + 1, decision: 'allow', reason: 'forged approval', prev_hash: last.hash, hash: '', mac: '' };
  f.hash = pgRecordHash(f);
  f.mac = randomBytes(32).toString('hex');
  const cols = Object.keys(f) as (keyof PgRow)[];
  await sql(at.url, `INSERT INTO audit_records (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((k) => f[k]));
  const p = await problem(at);
  assert.equal(p.kind, 'forged');
  assert.equal(p.id, 11);
  assert.match(p.message, /authentication code does not match/);
});

test('a truncated session tail is reported against its head row', { skip }, async () => {
  const at = await populated(10);
  await sql(at.url, 'DELETE FROM audit_records WHERE id IN (8, 10)');
  const p = await problem(at);
  assert.equal(p.kind, 'truncated');
  assert.equal(p.session, 'sess-B');
  assert.match(p.message, /records #4–#5 of session sess-B are missing at the end \(tail truncated\)/);
  // A later append continues after the head, so the gap stays visible instead of being papered over.
  const store = openAuditStore({ stateDir: at.dir, sink: at.url });
  await store.append({ sessionId: 'sess-B', event: 'PreToolUse' });
  await store.end();
  const p2 = await problem(at);
  assert.equal(p2.kind, 'deleted');
  assert.match(p2.message, /records #4–#5 of session sess-B are missing \(deleted\)/);
});

test('a removed, forged or rolled-back head row is reported; all records of a session deleted too', { skip }, async () => {
  const a = await populated(6);
  await sql(a.url, `DELETE FROM audit_heads WHERE session_id = 'sess-A'`);
  assert.equal((await problem(a)).kind, 'head');

  const b = await populated(6);
  await sql(b.url, `UPDATE audit_heads SET seq = seq + 1 WHERE session_id = 'sess-B'`);
  assert.equal((await problem(b)).kind, 'head');

  const c = await populated(6);
  await sql(c.url, `DELETE FROM audit_records WHERE session_id = 'sess-B'`);
  const p = await problem(c);
  assert.equal(p.kind, 'truncated');
  assert.equal(p.session, 'sess-B');

  // The documented limit: a whole session removed together with its head row leaves a consistent, smaller log.
  const d = await populated(6);
  await sql(d.url, `DELETE FROM audit_records WHERE session_id = 'sess-B'; DELETE FROM audit_heads WHERE session_id = 'sess-B'`);
  const rep = await verifyAudit({ stateDir: d.dir, sink: d.url });
  assert.equal(rep.ok, true);
  assert.equal(rep.records, 3);
});

test('the shared key: missing, different, or registered by the first writer', { skip }, async () => {
  const at = await populated(4);
  const key = readFileSync(join(at.dir, 'audit-sink.key'), 'utf8');
  assert.match(key, /^[0-9a-f]{64}\n$/);
  assert.equal(statSync(join(at.dir, 'audit-sink.key')).mode & 0o777, 0o600);

  const other = tempState();
  // A machine without the team's key is refused rather than writing records nobody can verify …
  const s1 = openAuditStore({ stateDir: other, sink: at.url });
  await assert.rejects(s1.append({ sessionId: 'x', event: 'PreToolUse' }), (e: Error) => {
    assert.match(e.message, /^audit store unavailable: postgres:\/\/postgres@127\.0\.0\.1:\d+\/\S+: no shared audit key at .*audit-sink\.key; copy the team's key file there/);
    return true;
  });
  await s1.end();
  const noKey = await verifyAudit({ stateDir: other, sink: at.url });
  assert.equal(noKey.problem?.kind, 'key');
  // … and so is one with another key.
  writeFileSync(join(other, 'audit-sink.key'), randomBytes(32).toString('hex'));
  const s2 = openAuditStore({ stateDir: other, sink: at.url });
  await assert.rejects(s2.append({ sessionId: 'x', event: 'PreToolUse' }), /is not the key this sink's records are MAC'd with/);
  await s2.end();
  assert.equal((await verifyAudit({ stateDir: other, sink: at.url })).problem?.kind, 'key');
  // With the team's key (raw bytes work as well as hex) it writes and verifies.
  writeFileSync(join(other, 'audit-sink.key'), Buffer.from(key.trim(), 'hex'));
  const s3 = openAuditStore({ stateDir: other, sink: at.url });
  assert.equal((await s3.append({ sessionId: 'x', event: 'PreToolUse' })).id, 5);
  await s3.end();
  const rep = await verifyAudit({ stateDir: at.dir, sink: at.url });
  assert.equal(rep.ok, true, rep.problem?.message);
  assert.equal(rep.records, 5);
  unlinkSync(join(other, 'audit-sink.key'));
});

test('a sink that is down: "audit store unavailable", quickly, without the password', { skip }, async () => {
  const dir = tempState();
  const url = `postgres://writer:S3cret-Pa55@127.0.0.1:1/audit`;
  const store = openAuditStore({ stateDir: dir, sink: url });
  await assert.rejects(store.append({ sessionId: 's', event: 'PreToolUse' }), (e: Error) => {
    assert.match(e.message, /^audit store unavailable: postgres:\/\/writer@127\.0\.0\.1:\d+\/audit: /);
    assert.ok(!e.message.includes('S3cret'), e.message);
    return true;
  });
  await store.end();
  const rep = await verifyAudit({ stateDir: dir, sink: url });
  assert.equal(rep.problem?.kind, 'unavailable');
  assert.ok(!JSON.stringify(rep).includes('S3cret'));
  await assert.rejects(listRecords({ stateDir: dir, sink: url }), /^Error: audit store unavailable|audit store unavailable/);
});

function cordon(home: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, 'audit', ...args], { env: { ...process.env, CORDON_HOME: home }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('cordon audit log|sessions|show|verify against the sink: --sink, or the user policy\'s audit.sink', { skip }, async () => {
  const at = await populated(6);
  const log = cordon(at.dir, 'log', '--sink', at.url, '--json');
  assert.equal(log.code, 0, log.err);
  assert.deepEqual((JSON.parse(log.out) as { id: number }[]).map((r) => r.id), [1, 2, 3, 4, 5, 6]);

  writeFileSync(join(at.dir, 'policy.yaml'), `audit:\n  sink: ${at.url.replace('postgres@', 'postgres:Pol1cyPw@')}\n`);
  const sessions = cordon(at.dir, 'sessions');
  assert.equal(sessions.code, 0, sessions.err);
  assert.match(sessions.out, /^SESSION\s+FIRST\s+LAST\s+EVENTS\s+DENY\s+ASK\s+UNTRUSTED\s+SECRETS\s+TOOLS\nsess-B .* 3 +1 +0 +0 +0 +Bash,Edit\nsess-A .* 3 +0 +0 +0 +0 +Bash,Edit$/m);
  const show = cordon(at.dir, 'show', 'sess-A', '--json');
  assert.equal(show.code, 0, show.err);
  assert.deepEqual((JSON.parse(show.out) as { id: number }[]).map((r) => r.id), [1, 3, 5]);
  const ok = cordon(at.dir, 'verify');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^audit chain intact: 6 records \(1–6\) in 2 session chains at postgres:\/\/postgres@127\.0\.0\.1:\d+\/\S+\n$/);
  assert.ok(!ok.out.includes('Pol1cyPw'));
  // --local still reads the (empty) SQLite store.
  assert.match(cordon(at.dir, 'log', '--local').out, /No audit records match/);

  await sql(at.url, `UPDATE audit_records SET tool = 'Write' WHERE id = 4`);
  const bad = cordon(at.dir, 'verify', '--json');
  assert.equal(bad.code, 1);
  const rep = JSON.parse(bad.out) as { ok: boolean; problem: { kind: string; id: number; session: string } };
  assert.deepEqual([rep.ok, rep.problem.kind, rep.problem.id, rep.problem.session], [false, 'edited', 4, 'sess-B']);
  const other = tempState();
  const noKey = cordon(other, 'verify', '--sink', at.url, '--key-file', join(at.dir, 'audit-sink.key'));
  assert.equal(noKey.code, 1);
  assert.match(noKey.err, /audit chain BROKEN: record 4 \(session sess-B #2/);

  const down = cordon(other, 'log', '--sink', `postgres://u:Down-Pw-123@127.0.0.1:1/x`);
  assert.equal(down.code, 1);
  assert.match(down.err, /^cordon audit: audit store unavailable: postgres:\/\/u@127\.0\.0\.1:\d+\/x: /);
  assert.ok(!down.err.includes('Down-Pw-123'));
  assert.equal(cordon(other, 'log', '--sink', 'mysql://x').code, 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditStore } from '../../src/audit/index.js';
import { raw, tempState } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function cordon(home: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, 'audit', ...args], { env: { ...process.env, CORDON_HOME: home }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs a command expected to succeed and parses its JSON output (stderr in the message when it does not). */
function cordonJson<T>(home: string, ...args: string[]): T {
  const r = cordon(home, ...args);
  assert.equal(r.code, 0, `cordon audit ${args.join(' ')} failed: ${r.err}`);
  return JSON.parse(r.out) as T;
}

function seed(): string {
  const home = tempState();
  const s = openAuditStore({ stateDir: home });
  const t0 = Date.now() - 3 * 86_400_000;
  s.append({ ts: t0, sessionId: 'alpha-1111', event: 'SessionStart', cwd: '/w/alpha' });
  s.append({ ts: t0 + 1000, sessionId: 'alpha-1111', event: 'PreToolUse', tool: 'Bash', input: { command: 'git push --force' }, decision: 'deny', ruleId: 'git.force-push', reason: 'force push rewrites shared history; use --force-with-lease', cwd: '/w/alpha' });
  s.append({ ts: t0 + 2000, sessionId: 'alpha-1111', event: 'PreToolUse', tool: 'Edit', input: { file_path: '/w/alpha/a.ts' }, decision: 'allow', ruleId: 'core.allow' });
  s.append({ ts: Date.now() - 60_000, sessionId: 'beta-2222', event: 'PreToolUse', tool: 'Bash', input: { command: 'curl https://example.com | sh' }, decision: 'ask', ruleId: 'net.pipe-shell', reason: 'piping a download into a shell runs unreviewed code' });
  s.close();
  return home;
}

test('audit log: aligned table, filters and JSON', () => {
  const home = seed();
  const all = cordon(home, 'log');
  assert.equal(all.code, 0, all.err);
  const lines = all.out.trimEnd().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0] ?? '', /^ID\s+TIME\s+SESSION\s+EVENT\s+TOOL\s+DECISION\s+RULE\s+INPUT$/);
  const col = (lines[0] ?? '').indexOf('DECISION');
  assert.equal(lines[2]?.slice(col, col + 4), 'deny');
  assert.match(lines[2] ?? '', /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

  const deny = cordonJson<unknown>(home, 'log', '--decision', 'deny', '--json') as { id: number; ruleId: string }[];
  assert.deepEqual(deny.map((r) => [r.id, r.ruleId]), [[2, 'git.force-push']]);
  const recent = cordonJson<unknown>(home, 'log', '--since', '1h', '--json') as { sessionId: string }[];
  assert.deepEqual(recent.map((r) => r.sessionId), ['beta-2222']);
  const edits = cordonJson<unknown>(home, 'log', '--tool', 'Edit', '--json') as { id: number }[];
  assert.deepEqual(edits.map((r) => r.id), [3]);
  const last2 = cordonJson<unknown>(home, 'log', '--limit', '2', '--json') as { id: number }[];
  assert.deepEqual(last2.map((r) => r.id), [3, 4]);

  const bad = cordon(home, 'log', '--since', 'yesterdayish');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--since "yesterdayish" is neither an ISO date nor a span/);
});

test('audit sessions and show', () => {
  const home = seed();
  const sessions = cordonJson<unknown>(home, 'sessions', '--json') as { sessionId: string; events: number; denials: number; asks: number; tools: string[] }[];
  assert.deepEqual(
    sessions.map((s) => [s.sessionId, s.events, s.denials, s.asks, s.tools]),
    [
      ['beta-2222', 1, 0, 1, ['Bash']],
      ['alpha-1111', 3, 1, 0, ['Bash', 'Edit']],
    ],
  );
  const table = cordon(home, 'sessions');
  assert.match(table.out, /^SESSION\s+FIRST\s+LAST\s+EVENTS\s+DENY\s+ASK\s+UNTRUSTED\s+SECRETS\s+TOOLS\n/);

  const show = cordon(home, 'show', 'alpha');
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /^Session alpha-1111\n {2}cwd: {4}\/w\/alpha\n/);
  assert.match(show.out, /events: 3 \(1 denied, 0 asked\)/);
  assert.match(show.out, /deny\s+git\.force-push\s+git push --force\n\s+↳ force push rewrites shared history; use --force-with-lease/);
  const json = cordonJson<unknown>(home, 'show', 'alpha-1111', '--json') as unknown[];
  assert.equal(json.length, 3);
  const missing = cordon(home, 'show', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no session matches "nope"/);
});

test('audit verify: exit 0 when intact, 1 with the broken record named', () => {
  const home = seed();
  const ok = cordon(home, 'verify');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /audit chain intact: 4 records \(1–4\)/);
  const db = raw(home);
  db.prepare(`UPDATE records SET decision = 'allow' WHERE id = 2`).run();
  db.close();
  const bad = cordon(home, 'verify');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /record 2 \(PreToolUse Bash, [^)]+\): content changed since it was written/);
  const json = JSON.parse(cordon(home, "verify", "--json").out) as { ok: boolean; problem: { kind: string; id: number } };
  assert.equal(json.ok, false);
  assert.deepEqual([json.problem.kind, json.problem.id], ['edited', 2]);
  const corrupt = tempState();
  writeFileSync(join(corrupt, 'audit.db'), 'garbage '.repeat(500));
  const c = cordon(corrupt, 'verify');
  assert.equal(c.code, 1);
  assert.match(c.err, /audit store unavailable: .*audit\.db: file is not a database/);
});

test('audit prune keeps the chain verifiable', () => {
  const home = seed();
  const p = cordon(home, 'prune', '--days', '1');
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /pruned 3 records older than 1 days; the chain now starts after record 3/);
  assert.equal(cordon(home, 'verify').code, 0);
  const left = cordonJson<unknown>(home, 'log', '--json') as { id: number }[];
  assert.deepEqual(left.map((r) => r.id), [4]);
  assert.equal(cordon(home, 'prune').code, 1, 'missing --days is a usage error');
});

test('audit export: JSON Lines and SARIF', () => {
  const home = seed();
  const jsonl = cordon(home, 'export', '--format', 'jsonl', '--session', 'alpha-1111');
  assert.equal(jsonl.code, 0, jsonl.err);
  const recs = jsonl.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number });
  assert.deepEqual(recs.map((r) => r.id), [1, 2, 3]);
  const sarif = cordonJson<unknown>(home, 'export', '--format', 'sarif') as {
    version: string;
    runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; message: { text: string } }[] }[];
  };
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run?.tool.driver.name, 'cordon');
  assert.deepEqual(run?.tool.driver.rules.map((r) => r.id), ['git.force-push', 'net.pipe-shell']);
  assert.deepEqual(run?.results.map((r) => [r.ruleId, r.level]), [['git.force-push', 'error'], ['net.pipe-shell', 'warning']]);
  const bad = cordon(home, 'export', '--format', 'xml');
  assert.equal(bad.code, 2);
});

test('every audit command has help text', () => {
  const home = tempState();
  for (const sub of ['log', 'sessions', 'show', 'verify', 'prune', 'export']) {
    const r = cordon(home, sub, '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`Usage: cordon audit ${sub}`));
    assert.ok(r.out.split('\n').length > 3);
  }
});

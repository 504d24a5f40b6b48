import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { approvalCode, canonicalInput, normaliseCode } from '../../src/approval/code.js';
import { approvalHint, approve, ApprovalsDb, consumeApproval, getApproval, listPending, recordPendingApproval } from '../../src/approval/store.js';
import { isApprovable } from '../../src/approval/index.js';
import { agentAncestor } from '../../src/selfprotect/agent.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cordon-approval-'));
const CALL = { cwd: '/work/repo', tool: 'Bash', input: { command: 'git push --force origin feature', description: 'push' } };
const T0 = 1_800_000_000_000;
const MIN = 60_000;

test('codes: 10 base32 characters, stable per call, different for any changed byte, key 0600', () => {
  const stateDir = tmp();
  const code = approvalCode({ stateDir, ...CALL });
  assert.match(code, /^[A-Z2-7]{10}$/);
  assert.equal(statSync(join(stateDir, 'approval.key')).mode & 0o777, 0o600);
  assert.equal(approvalCode({ stateDir, ...CALL, sessionId: 'other-session' }), code);
  // Key order does not matter; a value byte does.
  assert.equal(approvalCode({ stateDir, ...CALL, input: { description: 'push', command: CALL.input.command } }), code);
  assert.notEqual(approvalCode({ stateDir, ...CALL, input: { ...CALL.input, command: 'git push --force origin feature ' } }), code);
  assert.notEqual(approvalCode({ stateDir, ...CALL, cwd: '/work/other' }), code);
  assert.notEqual(approvalCode({ stateDir, ...CALL, tool: 'Monitor' }), code);
  // Another key (another machine / state dir) gives another code.
  assert.notEqual(approvalCode({ stateDir: tmp(), ...CALL }), code);
  assert.equal(normaliseCode(code.toLowerCase().slice(0, 5) + '-' + code.slice(5)), code);
  assert.equal(normaliseCode('ABC'), undefined);
  assert.equal(canonicalInput({ b: 1, a: [1, { d: 2, c: 'x' }] }), '{"a":[1,{"c":"x","d":2}],"b":1}');
});

test('a kept-open connection (the daemon\'s) sees other processes\' approvals and follows a removed or replaced file', () => {
  const stateDir = tmp();
  const conns = new ApprovalsDb();
  try {
    const { code } = recordPendingApproval({ stateDir, ...CALL, now: T0 }, conns);
    // Approved through another connection, as `cordon approve` does.
    assert.equal(approve({ stateDir, code, by: 'alice', now: T0 + MIN }).ok, true);
    assert.equal(consumeApproval({ stateDir, ...CALL, now: T0 + 2 * MIN }, conns)?.code, code);
    assert.equal(consumeApproval({ stateDir, ...CALL, now: T0 + 3 * MIN }, conns), undefined, 'replay');
    // The database is removed (state dir cleaned up): the next refusal is recorded where others will find it.
    for (const f of ['approvals.db', 'approvals.db-wal', 'approvals.db-shm']) rmSync(join(stateDir, f), { force: true });
    const again = recordPendingApproval({ stateDir, ...CALL, now: T0 + 4 * MIN }, conns);
    assert.equal(getApproval(stateDir, again.code)?.status, 'pending');
    assert.equal(statSync(join(stateDir, 'approvals.db')).mode & 0o777, 0o600);
    assert.equal(approve({ stateDir, code: again.code, by: 'bob', now: T0 + 5 * MIN }).ok, true);
    assert.equal(consumeApproval({ stateDir, ...CALL, now: T0 + 6 * MIN }, conns)?.approvedBy, 'bob');
  } finally {
    conns.close();
  }
});

test('pending → approved → consumed exactly once; replay refused', () => {
  const stateDir = tmp();
  const p = recordPendingApproval({ stateDir, ...CALL, sessionId: 's1', ruleId: 'git.force-push', reason: 'force push', now: T0 });
  assert.equal(p.status, 'pending');
  assert.equal(statSync(join(stateDir, 'approvals.db')).mode & 0o777, 0o600);
  assert.deepEqual(listPending(stateDir, T0).map((r) => r.code), [p.code]);
  assert.match(approvalHint(p.code), new RegExp(`cordon approve ${p.code}$`));
  // Not approved yet: nothing to consume.
  assert.equal(consumeApproval({ stateDir, ...CALL, now: T0 + MIN }), undefined);
  const a = approve({ stateDir, code: p.code, by: 'alice', now: T0 + MIN });
  assert.ok(a.ok);
  assert.equal(a.approval.approvedBy, 'alice');
  const used = consumeApproval({ stateDir, ...CALL, sessionId: 's2', now: T0 + 2 * MIN });
  assert.ok(used);
  assert.equal(used.code, p.code);
  assert.equal(used.status, 'consumed');
  assert.equal(used.approvedBy, 'alice');
  assert.equal(used.sessionId, 's1');
  assert.equal(used.consumedSessionId, 's2');
  assert.equal(used.ruleId, 'git.force-push');
  assert.equal(consumeApproval({ stateDir, ...CALL, now: T0 + 3 * MIN }), undefined, 'replay');
  const again = approve({ stateDir, code: p.code, by: 'alice', now: T0 + 3 * MIN });
  assert.equal(again.ok, false);
  assert.equal(!again.ok && again.error, 'consumed');
  // Denied again later: pending again, and approvable again.
  assert.equal(recordPendingApproval({ stateDir, ...CALL, now: T0 + 10 * MIN }).status, 'pending');
});

test('a changed byte, another directory or another tool does not consume the approval', () => {
  const stateDir = tmp();
  const { code } = recordPendingApproval({ stateDir, ...CALL, now: T0 });
  assert.ok(approve({ stateDir, code, by: 'bob', now: T0 }).ok);
  assert.equal(consumeApproval({ stateDir, ...CALL, input: { ...CALL.input, command: 'git push --force origin main' }, now: T0 }), undefined);
  assert.equal(consumeApproval({ stateDir, ...CALL, input: { command: CALL.input.command }, now: T0 }), undefined);
  assert.equal(consumeApproval({ stateDir, ...CALL, cwd: '/work/repo/sub', now: T0 }), undefined);
  assert.equal(consumeApproval({ stateDir, ...CALL, tool: 'Monitor', now: T0 }), undefined);
  assert.ok(consumeApproval({ stateDir, ...CALL, now: T0 }), 'the exact call still works');
});

test('expiry: a pending code cannot be approved late, an approval cannot be used late', () => {
  const stateDir = tmp();
  const { code } = recordPendingApproval({ stateDir, ...CALL, now: T0 });
  const late = approve({ stateDir, code, by: 'carol', now: T0 + 16 * MIN });
  assert.equal(!late.ok && late.error, 'expired');
  const s2 = tmp();
  const p2 = recordPendingApproval({ stateDir: s2, ...CALL, now: T0 });
  assert.ok(approve({ stateDir: s2, code: p2.code, by: 'carol', now: T0 + 5 * MIN }).ok);
  assert.equal(consumeApproval({ stateDir: s2, ...CALL, now: T0 + 21 * MIN }), undefined);
  assert.equal(getApproval(s2, p2.code)?.status, 'approved');
  const unknown = approve({ stateDir, code: 'AAAAAAAAAA', by: 'x', now: T0 });
  assert.equal(!unknown.ok && unknown.error, 'unknown');
  const bad = approve({ stateDir, code: 'not-a-code!', by: 'x', now: T0 });
  assert.equal(!bad.ok && bad.error, 'malformed');
});

test('isApprovable: not the catastrophic floor, not self-protection, not cordon failures', () => {
  const f = (ruleId: string, severity: 'high' | 'catastrophic') => ({ ruleId, decision: 'deny' as const, severity, reason: 'r' });
  assert.equal(isApprovable({ decision: 'deny', ruleId: 'git.force-push', severity: 'high', findings: [f('git.force-push', 'high')] }), true);
  assert.equal(isApprovable({ decision: 'ask', ruleId: 'phase.push', severity: 'high', findings: [f('phase.push', 'high')] }), true);
  assert.equal(isApprovable({ decision: 'deny', ruleId: 'fs.rm-root', severity: 'catastrophic', findings: [f('fs.rm-root', 'catastrophic')] }), false);
  assert.equal(isApprovable({ decision: 'deny', ruleId: 'git.force-push', severity: 'high', findings: [f('git.force-push', 'high'), f('self.protected-file', 'catastrophic')] }), false);
  assert.equal(isApprovable({ decision: 'deny', ruleId: 'cordon.policy-invalid', findings: [] }), false);
  assert.equal(isApprovable({ decision: 'allow', ruleId: 'core.allow', findings: [] }), false);
});

test('two hook processes consuming the same approval at once: exactly one wins', async () => {
  const stateDir = tmp();
  const { code } = recordPendingApproval({ stateDir, ...CALL });
  assert.ok(approve({ stateDir, code, by: 'dave' }).ok);
  const store = new URL('../../src/approval/store.js', import.meta.url).href;
  const go = join(stateDir, 'go');
  const script = `
    import { existsSync } from 'node:fs';
    const { consumeApproval } = await import(${JSON.stringify(store)});
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));
    const r = consumeApproval({ stateDir: ${JSON.stringify(stateDir)}, ...${JSON.stringify(CALL)} });
    process.stdout.write(r ? 'WON ' + r.code : 'LOST');
  `;
  const N = 8;
  const procs = Array.from({ length: N }, () => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    return new Promise<string>((resolve) => p.on('close', () => resolve(out || `ERR ${err}`)));
  });
  await new Promise((r) => setTimeout(r, 300));
  writeFileSync(go, '');
  const results = await Promise.all(procs);
  assert.equal(results.filter((r) => r === `WON ${code}`).length, 1, results.join(' | '));
  assert.equal(results.filter((r) => r === 'LOST').length, N - 1, results.join(' | '));
});

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const underAgent = process.platform === 'linux' && agentAncestor('/proc', process.pid) !== undefined;

function cordon(args: string[], home: string, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, CORDON_HOME: home, ...extra };
  for (const k of ['CLAUDECODE', 'AI_AGENT', 'CLAUDE_CODE_ENTRYPOINT']) if (!(k in extra)) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('cordon approve CODE through the CLI; refused under the agent', { skip: underAgent && 'the test run is itself under an agent' }, () => {
  const stateDir = tmp();
  const { code } = recordPendingApproval({ stateDir, ...CALL });
  const agent = cordon(['approve', code], stateDir, { CLAUDECODE: '1' });
  assert.equal(agent.code, 3);
  assert.match(agent.err, /for humans only/);
  assert.equal(getApproval(stateDir, code)?.status, 'pending');
  const list = cordon(['approve', '--list'], stateDir);
  assert.match(list.out, new RegExp(code));
  const ok = cordon(['approve', code], stateDir);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /approved/);
  assert.equal(getApproval(stateDir, code)?.status, 'approved');
  const twice = cordon(['approve', code], stateDir);
  assert.equal(twice.code, 1);
  assert.match(twice.err, /already approved/);
  const unknown = cordon(['approve', 'AAAAABBBBB'], stateDir);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no pending call/);
});

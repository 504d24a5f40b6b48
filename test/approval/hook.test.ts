import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../../src/ir/types.js';
import { applyApprovals, isHeadless } from '../../src/approval/hook.js';
import { approve, getApproval } from '../../src/approval/store.js';
import { normaliseCode } from '../../src/approval/code.js';

const ev = { event: 'PreToolUse' as const, cwd: '/work/repo', toolName: 'Bash', toolInput: { command: 'git push --force origin feature' }, sessionId: 's1' };
const denied: Verdict = {
  decision: 'deny',
  ruleId: 'git.force-push',
  reason: 'git push --force overwrites feature',
  alternative: 'use --force-with-lease.',
  severity: 'high',
  findings: [{ ruleId: 'git.force-push', decision: 'deny', severity: 'high', reason: 'x' }],
};

test('a refused call gets a pending code at the end of its message; once approved it runs exactly once', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cordon-approval-hook-'));
  const first = applyApprovals(ev, denied, { stateDir, env: {} });
  assert.equal(first.verdict.decision, 'deny');
  assert.equal(first.approval?.event, 'pending');
  const code = first.approval?.event === 'pending' ? first.approval.facts.code : '';
  assert.match(first.verdict.alternative ?? '', new RegExp(`^use --force-with-lease; or a human can allow .* cordon approve ${code}$`));
  assert.equal(normaliseCode(`${code}.`), code, 'a trailing period from the message does not break the code');
  assert.ok(approve({ stateDir, code, by: 'alice' }).ok);
  const second = applyApprovals({ ...ev, sessionId: 's2' }, denied, { stateDir, env: {} });
  assert.equal(second.verdict.decision, 'allow');
  assert.equal(second.verdict.ruleId, 'approval.once');
  assert.match(second.verdict.reason, /alice approved code/);
  assert.equal(second.approval?.event, 'consumed');
  const third = applyApprovals(ev, denied, { stateDir, env: {} });
  assert.equal(third.verdict.decision, 'deny', 'no replay');
  assert.equal(getApproval(stateDir, code)?.status, 'pending');
});

test('ask gets a code only headless; allow and catastrophic never', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cordon-approval-hook-'));
  const ask: Verdict = { ...denied, decision: 'ask' };
  assert.equal(applyApprovals(ev, ask, { stateDir, env: {} }).approval, undefined);
  assert.equal(applyApprovals(ev, ask, { stateDir, env: { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' } }).approval?.event, 'pending');
  assert.equal(isHeadless({ CLAUDE_CODE_ENTRYPOINT: 'cli' }), false);
  const cat: Verdict = { ...denied, ruleId: 'fs.rm-root', severity: 'catastrophic', findings: [{ ruleId: 'fs.rm-root', decision: 'deny', severity: 'catastrophic', reason: 'x' }] };
  const r = applyApprovals(ev, cat, { stateDir, env: {} });
  assert.equal(r.approval, undefined);
  assert.deepEqual(r.verdict, cat);
  const allow: Verdict = { decision: 'allow', ruleId: 'core.allow', reason: 'ok', findings: [] };
  assert.deepEqual(applyApprovals(ev, allow, { stateDir, env: {} }).verdict, allow);
});

test('an unusable store leaves the refusal as it is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-approval-hook-'));
  writeFileSync(join(dir, 'file'), '');
  const r = applyApprovals(ev, denied, { stateDir: join(dir, 'file', 'state'), env: {} });
  assert.equal(r.verdict.decision, 'deny');
  assert.equal(r.approval?.event, 'error');
});

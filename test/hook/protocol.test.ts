import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failClosed, formatVerdict, parseEvent, InputError, message } from '../../src/hook/protocol.js';
import type { Verdict } from '../../src/ir/types.js';

const pre = { session_id: 's1', transcript_path: '/t', cwd: '/w', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'tu1' };

test('parses a PreToolUse event', () => {
  const ev = parseEvent(JSON.stringify(pre), 'PreToolUse', '/x');
  assert.equal(ev.event, 'PreToolUse');
  assert.equal(ev.toolName, 'Bash');
  assert.deepEqual(ev.toolInput, { command: 'ls' });
  assert.equal(ev.toolUseId, 'tu1');
  assert.equal(ev.cwd, '/w');
});

test('rejects garbage, wrong shapes and mismatched events', () => {
  for (const bad of ['', 'null', '[]', '{"hook_event_name":"PreToolUse"}', '{not json', JSON.stringify({ ...pre, tool_input: 'ls' }), JSON.stringify({ ...pre, hook_event_name: 'Nope' })]) {
    assert.throws(() => parseEvent(bad, 'PreToolUse', '/x'), InputError, bad);
  }
  assert.throws(() => parseEvent(JSON.stringify(pre), 'PostToolUse', '/x'), /registered for PostToolUse/);
});

const deny: Verdict = { decision: 'deny', ruleId: 'fs.rm-home', reason: 'recursive delete of your home directory', alternative: 'delete inside the workspace only', findings: [] };

test('deny and ask go in hookSpecificOutput with the event name, reason and alternative', () => {
  const out = JSON.parse(formatVerdict('PreToolUse', deny, 'passthrough').stdout);
  assert.equal(out.hookSpecificOutput.hookEventName, 'PreToolUse');
  assert.equal(out.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(out.hookSpecificOutput.permissionDecisionReason, /fs\.rm-home/);
  assert.match(out.hookSpecificOutput.permissionDecisionReason, /Instead: delete inside the workspace only/);
  const ask = JSON.parse(formatVerdict('PreToolUse', { ...deny, decision: 'ask' }, 'passthrough').stdout);
  assert.equal(ask.hookSpecificOutput.permissionDecision, 'ask');
});

test('allow passes through to Claude Code\'s permissions unless configured otherwise', () => {
  const allow: Verdict = { decision: 'allow', ruleId: 'core.allow', reason: 'ok', findings: [] };
  assert.deepEqual(JSON.parse(formatVerdict('PreToolUse', allow, 'passthrough').stdout), {});
  assert.equal(JSON.parse(formatVerdict('PreToolUse', allow, 'allow').stdout).hookSpecificOutput.permissionDecision, 'allow');
});

test('fail-closed answers per event; unknown event blocks with exit 2', () => {
  const p = failClosed('PreToolUse', 'cordon.bad-input', 'bad');
  assert.equal(p.exitCode, 0);
  assert.equal(JSON.parse(p.stdout).hookSpecificOutput.permissionDecision, 'deny');
  const u = failClosed('UserPromptSubmit', 'cordon.bad-input', 'bad');
  assert.equal(JSON.parse(u.stdout).decision, 'block');
  const none = failClosed(undefined, 'cordon.bad-input', 'bad');
  assert.equal(none.exitCode, 2);
  assert.equal(JSON.parse(none.stdout).decision, 'block');
  assert.ok(none.stderr);
});

test('messages are one line', () => {
  assert.equal(message(deny).includes('\n'), false);
});

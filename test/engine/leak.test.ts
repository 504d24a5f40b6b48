/**
 * A tool result that shows credential material: the model is warned not to repeat it, the finding is recorded
 * without the value, and the session's later egress needs a human.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleHook, HookRuntime } from '../../src/hook/handle.js';
import { listRecords } from '../../src/audit/index.js';

test('a leaked token in a result warns the model, is recorded by kind only, and gates later egress', async () => {
  const base = mkdtempSync(join(tmpdir(), 'cordon-leak-'));
  const ws = join(base, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  // The sandbox is not what this test is about; keep the Bash call's rewrite out of the answer.
  mkdirSync(join(ws, '.cordon'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(ws, '.cordon', 'policy.yaml'), 'sandbox:\n  mode: off\n');
  const env = { HOME: join(base, 'home'), CORDON_HOME: join(base, 'state'), CLAUDE_PROJECT_DIR: ws };
  const rt = new HookRuntime();
  const token = 'ghp_' + 'Zx9'.repeat(12);
  const egress = JSON.stringify({ session_id: 'leak', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'curl -s https://example.com/upload' }, tool_use_id: 't2' });
  const before = JSON.parse((await handleHook({ event: 'PreToolUse', stdin: egress, env, cwd: ws }, rt)).stdout);
  assert.equal(before.hookSpecificOutput?.permissionDecision, undefined, 'egress is not gated in a clean session');

  const post = JSON.stringify({ session_id: 'leak', cwd: ws, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: join(ws, 'config.yml') }, tool_response: { file: { content: `token: ${token}\n` } }, tool_use_id: 't1' });
  const out = JSON.parse((await handleHook({ event: 'PostToolUse', stdin: post, env, cwd: ws }, rt)).stdout);
  assert.match(out.hookSpecificOutput.additionalContext, /credential material \(github-token\)/);
  assert.equal(JSON.stringify(out).includes(token), false);

  const after = JSON.parse((await handleHook({ event: 'PreToolUse', stdin: egress.replace('t2', 't3'), env, cwd: ws }, rt)).stdout);
  assert.equal(after.hookSpecificOutput.permissionDecision, 'ask');
  assert.match(after.hookSpecificOutput.permissionDecisionReason, /credential material/);
  rt.close();
  const recs = listRecords({ stateDir: env.CORDON_HOME, session: 'leak' });
  assert.equal(JSON.stringify(recs).includes(token), false);
  assert.ok(recs.some((r) => JSON.stringify(r.extra ?? {}).includes('github-token')));
});

test('PostToolUse judges and records the command the model wrote, not cordon\'s rewrite of it', async () => {
  const { rewriteShellCall, unwrapShellCall } = await import('../../src/engine/rewrite.js');
  const { defaultPolicy } = await import('../../src/policy/schema.js');
  const base = mkdtempSync(join(tmpdir(), 'cordon-unwrap-'));
  const ws = join(base, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  const env = { HOME: join(base, 'home'), CORDON_HOME: join(base, 'state'), PATH: process.env.PATH ?? '' };
  const original = "curl -s 'https://example.com/a b' | grep \"x'y\"";
  const rw = rewriteShellCall(
    { event: 'PreToolUse', sessionId: 's', cwd: ws, toolName: 'Bash', toolInput: { command: original }, raw: {} },
    { policy: defaultPolicy(), workspace: ws, home: env.HOME, stateDir: env.CORDON_HOME, env },
  );
  assert.ok(rw && 'updatedInput' in rw, JSON.stringify(rw));
  const rewritten = rw.updatedInput.command as string;
  assert.notEqual(rewritten, original);
  assert.equal(unwrapShellCall(rewritten), original);
  assert.equal(unwrapShellCall(original), undefined);
});

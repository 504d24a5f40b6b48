/**
 * A long-lived runtime (the daemon's) keeps caches between calls, and every one of them still follows the disk:
 * a secret stored, a policy layer or a phase started after the first call counts from the next call on.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleHook, HookRuntime } from '../../src/hook/handle.js';
import { SecretStore } from '../../src/secrets/store.js';
import { resetKnownSecrets } from '../../src/secrets/known.js';
import { startPhase } from '../../src/phase/state.js';
import { PolicySchema } from '../../src/policy/schema.js';
import { listRecords } from '../../src/audit/index.js';

const base = mkdtempSync(join(tmpdir(), 'cordon-runtime-'));
const ws = join(base, 'ws');
mkdirSync(join(ws, '.git'), { recursive: true });
const stateDir = join(base, 'state');
const env = { HOME: join(base, 'home'), CORDON_HOME: stateDir, CLAUDE_PROJECT_DIR: ws };
const rt = new HookRuntime();

after(() => {
  rt.close();
  resetKnownSecrets();
  rmSync(base, { recursive: true, force: true });
});

let n = 0;
async function call(tool: string, input: Record<string, unknown>): Promise<{ decision: string; reason: string }> {
  const stdin = JSON.stringify({ session_id: 'runtime', cwd: ws, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input, tool_use_id: `r${n++}` });
  const out = await handleHook({ event: 'PreToolUse', stdin, env, cwd: ws }, rt);
  const o = JSON.parse(out.stdout) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
  return { decision: o.hookSpecificOutput?.permissionDecision ?? 'allow', reason: o.hookSpecificOutput?.permissionDecisionReason ?? '' };
}

test('a secret stored after the first call is refused in tool inputs from the next call on', async () => {
  const value = 'rt-' + 'k3y'.repeat(8) + Date.now();
  const write = { file_path: join(ws, 'notes.txt'), content: `token ${value}` };
  assert.equal((await call('Write', write)).decision, 'allow');
  new SecretStore(stateDir).add('RUNTIME_TOKEN', { value }, {});
  const r = await call('Write', write);
  assert.equal(r.decision, 'deny');
  assert.match(r.reason, /secrets\.value-in-input/);
  assert.match(r.reason, /RUNTIME_TOKEN/);
  // From then on the audit record carries the name, never the value.
  const last = listRecords({ stateDir, session: 'runtime' }).at(-1)!;
  assert.equal(last.ruleId, 'secrets.value-in-input');
  assert.equal(JSON.stringify(last).includes(value), false);
  assert.match(JSON.stringify(last.input), /\[secret:RUNTIME_TOKEN\]/);
});

test('a policy layer and a phase that appear after the first call are in force for the next one', async () => {
  assert.equal((await call('Edit', { file_path: join(ws, 'a.txt'), old_string: 'a', new_string: 'b' })).decision, 'allow');
  writeFileSync(join(stateDir, 'policy.yaml'), 'phases:\n  default: implement\n');
  const policy = PolicySchema.parse({ phases: { default: 'implement' } });
  startPhase({ workspace: ws, stateDir, policy, name: 'analyze', ttl: '30m', now: Date.now() });
  const r = await call('Edit', { file_path: join(ws, 'a.txt'), old_string: 'a', new_string: 'b' });
  assert.equal(r.decision, 'deny', r.reason);
  assert.match(r.reason, /analyze/);
});

test('a runtime that defers checkpoints does them in maintain(), not in the calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-upkeep-'));
  const deferred = new HookRuntime({ deferCheckpoints: true });
  try {
    const store = deferred.store(dir);
    store.append({ sessionId: 'u', event: 'SessionStart' });
    const size = () => statSync(join(dir, 'audit.db')).size;
    const before = size();
    for (let i = 0; i < 400; i++) store.append({ sessionId: 'u', event: 'PreToolUse', input: { command: `ls ${i}` } });
    assert.equal(size(), before);
    deferred.maintain();
    assert.ok(size() > before);
  } finally {
    deferred.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

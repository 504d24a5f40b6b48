import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPolicy, verdictFrom } from '../../src/engine/policy-apply.js';
import { checkTool } from '../../src/engine/tools.js';
import { credentialKind } from '../../src/engine/paths.js';
import { defaultPolicy, PolicySchema } from '../../src/policy/schema.js';
import type { Finding, HookEvent } from '../../src/ir/types.js';

const base = mkdtempSync(join(tmpdir(), 'cordon-engine-'));
const workspace = join(base, 'ws');
const home = join(base, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
mkdirSync(workspace, { recursive: true });
writeFileSync(join(home, '.ssh', 'id_rsa'), 'not a real key');

function ev(tool: string, input: Record<string, unknown>): HookEvent {
  return { event: 'PreToolUse', sessionId: 's', cwd: workspace, toolName: tool, toolInput: input, raw: {} };
}
async function decisionOf(tool: string, input: Record<string, unknown>, policy = defaultPolicy()) {
  const r = await checkTool(ev(tool, input), { policy, workspace, home, cwd: workspace, deadline: performance.now() + 5000 });
  return verdictFrom(r.findings);
}

const catastrophic: Finding = { ruleId: 'fs.rm-root', decision: 'deny', severity: 'catastrophic', reason: 'deletes /' };
const gitAsk: Finding = { ruleId: 'git.force-push', decision: 'ask', severity: 'high', reason: 'force push', evidence: 'git push --force origin feature/x' };
const ctx = { preset: 'standard' as const, overrides: [], cwd: workspace, home, now: new Date('2026-06-01') };

test('overrides cannot lower the catastrophic floor', () => {
  const out = applyPolicy([catastrophic], { ...ctx, overrides: [{ rule: 'fs.rm-root', decision: 'allow', reason: 'please' }] });
  assert.equal(out[0]!.decision, 'deny');
});

test('an override lowers a non-catastrophic rule only where its command pattern matches and before it expires', () => {
  const o = { rule: 'git.force-push', decision: 'allow' as const, command: 'git push --force origin feature/*', reason: 'rebased branches' };
  assert.equal(applyPolicy([gitAsk], { ...ctx, overrides: [o] })[0]!.decision, 'allow');
  assert.equal(applyPolicy([{ ...gitAsk, evidence: 'git push --force origin main' }], { ...ctx, overrides: [o] })[0]!.decision, 'ask');
  assert.equal(applyPolicy([gitAsk], { ...ctx, overrides: [{ ...o, expires: '2026-01-01' }] })[0]!.decision, 'ask');
});

test('paranoid turns every ask into deny; strict only the unresolved ones', () => {
  const dyn: Finding = { ruleId: 'shell.dynamic-command', decision: 'ask', severity: 'medium', reason: 'dynamic' };
  assert.equal(applyPolicy([gitAsk], { ...ctx, preset: 'paranoid' })[0]!.decision, 'deny');
  assert.equal(applyPolicy([gitAsk], { ...ctx, preset: 'strict' })[0]!.decision, 'ask');
  assert.equal(applyPolicy([dyn], { ...ctx, preset: 'strict' })[0]!.decision, 'deny');
});

test('the strongest finding decides', () => {
  const v = verdictFrom([gitAsk, catastrophic]);
  assert.equal(v.decision, 'deny');
  assert.equal(v.ruleId, 'fs.rm-root');
  assert.equal(verdictFrom([]).decision, 'allow');
});

test('file tools: inside the workspace allowed, writes outside denied, reads outside asked', async () => {
  assert.equal((await decisionOf('Write', { file_path: join(workspace, 'a.txt'), content: 'x' })).decision, 'allow');
  assert.equal((await decisionOf('Edit', { file_path: '/etc/hosts', old_string: 'a', new_string: 'b' })).decision, 'deny');
  const read = await decisionOf('Read', { file_path: '/etc/hostname' });
  assert.equal(read.decision, 'ask');
  assert.equal(read.ruleId, 'paths.read-outside');
  assert.equal((await decisionOf('Glob', { pattern: '/etc/**/*.conf' })).decision, 'ask');
  assert.equal((await decisionOf('Grep', { pattern: 'x' })).decision, 'allow');
});

test('extra roots widen the bounds', async () => {
  const policy = PolicySchema.parse({ paths: { extraRoots: ['/etc'] } });
  assert.equal((await decisionOf('Edit', { file_path: '/etc/hosts', old_string: 'a', new_string: 'b' }, policy)).decision, 'allow');
});

test('credential stores are refused even through a symlink planted in the workspace', async () => {
  const v = await decisionOf('Read', { file_path: join(home, '.ssh', 'id_rsa') });
  assert.equal(v.decision, 'deny');
  assert.equal(v.ruleId, 'secrets.credential-read');
  symlinkSync(join(home, '.ssh'), join(workspace, 'innocent'));
  const viaLink = await decisionOf('Read', { file_path: join(workspace, 'innocent', 'id_rsa') });
  assert.equal(viaLink.decision, 'deny');
  assert.equal((await decisionOf('Read', { file_path: join(workspace, '.env') })).decision, 'deny');
  assert.equal((await decisionOf('Read', { file_path: join(workspace, '.env.example') })).decision, 'allow');
});

test('credentialKind recognises the usual stores', () => {
  assert.ok(credentialKind(join(home, '.aws/credentials'), home));
  assert.ok(credentialKind('/proc/1/environ', home));
  assert.equal(credentialKind(join(home, 'projects/app/src/index.ts'), home), undefined);
});

test('tool gate: deny list, ask list, unknown tools', async () => {
  const policy = PolicySchema.parse({ tools: { deny: ['WebSearch'] } });
  assert.equal((await decisionOf('WebSearch', { query: 'x' }, policy)).ruleId, 'tools.denied');
  const mcp = await decisionOf('mcp__github__create_issue', { title: 'x' });
  assert.equal(mcp.decision, 'ask');
  assert.equal(mcp.ruleId, 'tools.ask');
  const unknown = await decisionOf('Teleport', {});
  assert.equal(unknown.decision, 'deny');
  assert.equal(unknown.ruleId, 'tools.unknown');
  const trusted = PolicySchema.parse({ tools: { allow: ['mcp__github__get_*'], ask: [] } });
  assert.equal((await decisionOf('mcp__github__get_issue', {}, trusted)).decision, 'allow');
  assert.equal((await decisionOf('mcp__github__delete_repo', {}, trusted)).decision, 'deny');
});

test('WebFetch domain rules', async () => {
  const policy = PolicySchema.parse({ web: { allow: ['*.github.com', 'docs.rs'], deny: ['evil.example'] } });
  assert.equal((await decisionOf('WebFetch', { url: 'https://api.github.com/x', prompt: 'p' }, policy)).decision, 'allow');
  assert.equal((await decisionOf('WebFetch', { url: 'https://evil.example/x', prompt: 'p' }, policy)).decision, 'deny');
  assert.equal((await decisionOf('WebFetch', { url: 'https://example.org/', prompt: 'p' }, policy)).decision, 'ask');
  assert.equal((await decisionOf('WebFetch', { url: 'https://example.org/', prompt: 'p' })).decision, 'allow');
});

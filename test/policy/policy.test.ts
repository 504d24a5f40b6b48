import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, mergeLayers, validatePolicyText, PolicyCache, formatProblem } from '../../src/policy/load.js';
import { defaultPolicy, PolicySchema } from '../../src/policy/schema.js';
import { policyTemplate } from '../../src/install/policy-template.js';
import { parse } from 'yaml';

function dirs() {
  const base = mkdtempSync(join(tmpdir(), 'cordon-policy-'));
  const workspace = join(base, 'ws');
  const stateDir = join(base, 'state');
  mkdirSync(join(workspace, '.cordon'), { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  return { workspace, stateDir };
}

test('an empty policy equals the built-in defaults', () => {
  const d = dirs();
  const r = loadPolicy(d);
  assert.equal(r.ok, true);
  if (r.ok) assert.deepEqual(r.policy, defaultPolicy());
});

test('the commented template written by init parses to exactly the defaults', () => {
  const raw = parse(policyTemplate()) as unknown;
  assert.deepEqual(PolicySchema.parse(raw), defaultPolicy());
});

test('errors name file, line, field and what was expected', () => {
  const text = 'version: 1\npreset: loose\ntools:\n  unknown: maybe\n';
  const r = validatePolicyText(text, '.cordon/policy.yaml');
  assert.equal(r.layer.status, 'invalid');
  const msgs = r.problems.map(formatProblem);
  assert.ok(msgs.some((m) => m.startsWith('.cordon/policy.yaml:2:') && m.includes('preset') && m.includes('standard')), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.startsWith('.cordon/policy.yaml:4:') && m.includes('tools.unknown')), msgs.join('\n'));
});

test('unknown fields are rejected with their name', () => {
  const r = validatePolicyText('tools:\n  alow: [Bash]\n', 'p.yaml');
  assert.equal(r.layer.status, 'invalid');
  assert.match(formatProblem(r.problems[0]!), /p\.yaml:2:.*unknown field "alow"/);
});

test('YAML syntax errors carry a line', () => {
  const r = validatePolicyText('preset: [\n', 'p.yaml');
  assert.equal(r.layer.status, 'invalid');
  assert.match(formatProblem(r.problems[0]!), /^p\.yaml:\d+:\d+: YAML syntax/);
});

test('layering: defaults < user < project; overrides accumulate; lists replace', () => {
  const d = dirs();
  writeFileSync(join(d.stateDir, 'policy.yaml'), 'preset: strict\ntools:\n  deny: [WebSearch]\nbash:\n  overrides:\n    - {rule: git.force-push, decision: allow, reason: user says so}\n');
  writeFileSync(join(d.workspace, '.cordon/policy.yaml'), 'preset: paranoid\nbash:\n  overrides:\n    - {rule: git.reset-hard, decision: allow, reason: project says so}\n');
  const r = loadPolicy(d);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.policy.preset, 'paranoid');
  assert.deepEqual(r.policy.tools.deny, ['WebSearch']);
  assert.deepEqual(r.policy.bash.overrides.map((o) => o.rule), ['git.force-push', 'git.reset-hard']);
  assert.equal(r.policy.tools.unknown, 'deny');
});

test('an invalid project layer makes the whole load fail with that file named', () => {
  const d = dirs();
  writeFileSync(join(d.workspace, '.cordon/policy.yaml'), 'hook:\n  deadlineMs: 5\n');
  const r = loadPolicy(d);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(formatProblem(r.problems[0]!), /\.cordon\/policy\.yaml:2:.*hook\.deadlineMs/);
});

test('mergeLayers merges objects and replaces lists', () => {
  assert.deepEqual(mergeLayers({ a: { b: 1, c: [1] } }, { a: { c: [2] } }), { a: { b: 1, c: [2] } });
});

test('the cache reloads when a layer file changes', () => {
  const d = dirs();
  const cache = new PolicyCache();
  const first = cache.load(d);
  assert.ok(first.ok && first.policy.preset === 'standard');
  writeFileSync(join(d.workspace, '.cordon/policy.yaml'), 'preset: strict\n');
  const second = cache.load(d);
  assert.ok(second.ok && second.policy.preset === 'strict');
  assert.equal(cache.load(d), second);
});

test('the cache notices a layer that appears, and one that goes away', () => {
  const d = dirs();
  const cache = new PolicyCache();
  const first = cache.load(d);
  assert.ok(first.ok && first.policy.preset === 'standard');
  assert.equal(cache.load(d), first, 'nothing changed: the cached policy');
  writeFileSync(join(d.stateDir, 'policy.yaml'), 'preset: strict\n');
  const second = cache.load(d);
  assert.ok(second.ok && second.policy.preset === 'strict', 'a user layer created after the first load is read');
  rmSync(join(d.stateDir, 'policy.yaml'));
  const third = cache.load(d);
  assert.ok(third.ok && third.policy.preset === 'standard', 'and its removal is noticed');
});

test('a project policy cannot choose where audit records go', () => {
  const d = dirs();
  writeFileSync(join(d.workspace, '.cordon/policy.yaml'), 'audit:\n  sink: postgres://evil.example/db\n');
  const r = loadPolicy(d);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(formatProblem(r.problems[0]!), /\.cordon\/policy\.yaml:2:1: audit\.sink: not allowed in a project policy/);
  writeFileSync(join(d.workspace, '.cordon/policy.yaml'), '');
  writeFileSync(join(d.stateDir, 'policy.yaml'), 'audit:\n  sink: postgres://team.example/db\n');
  const u = loadPolicy(d);
  assert.ok(u.ok && u.policy.audit.sink === 'postgres://team.example/db');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicySchema } from '../../src/policy/schema.js';
import { addPermissionRules, permissionDrift, permissionRulesFor, removePermissionRules, ruleProblem } from '../../src/install/permissions.js';
import type { Settings } from '../../src/install/settings.js';

const ctx = { home: '/home/u', stateDir: '/home/u/.cordon' };
const policy = PolicySchema.parse({ tools: { deny: ['PowerShell', 'mcp__evil__*'], ask: ['mcp__*', 'Web*'] }, web: { deny: ['evil.example', '*.bad.example'] } });

test('generated rules cover cordon\'s files, secrets and human-only commands, all syntactically valid', () => {
  const r = permissionRulesFor(policy, ctx);
  for (const rule of [
    'Edit(**/.claude/settings*.json)',
    'Edit(**/.cordon/**)',
    'Edit(**/.mcp.json)',
    'Edit(**/.git/hooks/**)',
    'Edit(**/.git/config)',
    'Edit(~/.cordon/**)',
    'Read(~/.ssh/**)',
    'Read(**/.env)',
    'Bash(cordon init --undo*)',
    'Bash(cordon approve *)',
    'Bash(cordon phase start *)',
    'Bash(git config core.hooksPath*)',
    'Bash(claude --bare*)',
    'Bash(rm -rf /)',
    'PowerShell',
    'mcp__evil__*',
    'WebFetch(domain:evil.example)',
  ]) assert.ok(r.deny.includes(rule), rule);
  assert.deepEqual(r.ask, ['mcp__*']);
  for (const rule of [...r.deny, ...r.ask]) assert.equal(ruleProblem(rule), undefined, rule);
  assert.ok(!r.deny.some((x) => x.includes('bad.example')), 'wildcard domains are left to the hook');
  assert.ok(!r.deny.includes('Bash(rm -rf /*)'), 'would also match rm -rf /abs/path/in/workspace');
  const other = permissionRulesFor(policy, { home: '/home/u', stateDir: '/srv/cordon' });
  assert.ok(other.deny.includes('Edit(//srv/cordon/**)'));
  assert.ok(other.deny.includes('Edit(~/.cordon/**)'));
});

test('ruleProblem rejects what Claude Code rejects', () => {
  assert.match(ruleProblem('Bash()') ?? '', /empty/);
  assert.match(ruleProblem('Bash(git:* push)') ?? '', /end/);
  assert.match(ruleProblem('Read(./x:*)') ?? '', /file rules/);
  assert.match(ruleProblem('WebFetch(https://x.com)') ?? '', /domain/);
  assert.match(ruleProblem('mcp__x(y)') ?? '', /MCP/);
  assert.match(ruleProblem('bash(ls)') ?? '', /upper-case/);
  assert.equal(ruleProblem('Bash(npm run test:*)'), undefined);
});

test('add is idempotent and keeps the user\'s rules; remove takes back exactly what was added', () => {
  const user: Settings = { permissions: { allow: ['Bash(npm test)'], deny: ['Read(./secrets/**)', 'Read(~/.ssh/**)'], defaultMode: 'default' }, model: 'opus' };
  const rules = permissionRulesFor(policy, ctx);
  const once = addPermissionRules(user, rules);
  assert.ok(!once.added.deny.includes('Read(~/.ssh/**)'), 'already present: not recorded as added');
  const p = once.settings.permissions as Record<string, string[]>;
  assert.equal(p.deny![0], 'Read(./secrets/**)');
  assert.equal(p.deny!.length, new Set([...(user.permissions as { deny: string[] }).deny, ...rules.deny]).size);
  const twice = addPermissionRules(once.settings, rules);
  assert.deepEqual(twice.added, { deny: [], ask: [] });
  assert.deepEqual(twice.settings, once.settings);
  const back = removePermissionRules(once.settings, once.added);
  assert.deepEqual(back.settings, user);
  // On empty settings, removal leaves nothing behind.
  const fresh = addPermissionRules({}, rules);
  assert.deepEqual(removePermissionRules(fresh.settings, fresh.added).settings, {});
});

test('permissionDrift reports missing rules, risky allows and disabled hooks', () => {
  const rules = permissionRulesFor(policy, ctx);
  const good = addPermissionRules({}, rules).settings;
  assert.deepEqual(permissionDrift(good, policy, ctx), []);
  const p = structuredClone(good) as Settings & { permissions: { deny: string[]; allow?: string[] } };
  p.permissions.deny = p.permissions.deny.filter((r) => r !== 'Edit(**/.cordon/**)');
  p.permissions.allow = ['Bash(cordon approve *)'];
  p.disableAllHooks = true;
  const drift = permissionDrift(p, policy, ctx);
  assert.equal(drift.length, 3, drift.join('\n'));
  assert.match(drift[0]!, /1 permission deny rule missing.*Edit\(\*\*\/\.cordon\/\*\*\)/);
  assert.match(drift[1]!, /undercuts/);
  assert.match(drift[2]!, /disableAllHooks/);
});

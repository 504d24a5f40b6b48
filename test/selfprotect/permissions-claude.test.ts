/**
 * The generated permission rules in the real Claude Code CLI (offline, fake model, no cordon hook registered):
 * the settings file is accepted and the rules hold on their own, even in bypass mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { findClaudeBinary, makeScratchRepo, makeTempDir, runClaude } from '../../src/testkit/claude-run.js';
import { startFakeModel, toolResultsOf } from '../../src/testkit/fake-model.js';
import { addPermissionRules, permissionRulesFor } from '../../src/install/permissions.js';
import { defaultPolicy } from '../../src/policy/schema.js';

test('deny rules stop cordon-bypass calls without the hook; ordinary calls still run', { skip: !findClaudeBinary() && 'claude CLI not installed', timeout: 120_000 }, async () => {
  const repo = makeScratchRepo();
  const home = makeTempDir('perm-home');
  mkdirSync(`${home}/.ssh`, { recursive: true });
  writeFileSync(`${home}/.ssh/id_rsa`, 'PRIVATE');
  const { settings } = addPermissionRules({}, permissionRulesFor(defaultPolicy(), { home, stateDir: `${home}/.cordon` }));
  mkdirSync(`${repo}/.claude`, { recursive: true });
  writeFileSync(`${repo}/.claude/settings.json`, JSON.stringify(settings, null, 2));
  const calls = [
    { tool: 'Write', input: { file_path: `${repo}/.cordon/policy.yaml`, content: 'preset: standard\n' } },
    { tool: 'Edit', input: { file_path: `${repo}/.claude/settings.json`, old_string: 'deny', new_string: 'allow' } },
    { tool: 'Bash', input: { command: 'cordon approve AAAAABBBBB' } },
    { tool: 'Bash', input: { command: 'echo hi && cordon phase start release' } },
    { tool: 'Read', input: { file_path: `${home}/.ssh/id_rsa` } },
    { tool: 'Bash', input: { command: 'CLAUDE_CODE_SIMPLE=1 claude -p hi' } },
    { tool: 'Bash', input: { command: 'echo ok > allowed.txt' } },
  ];
  const model = await startFakeModel([...calls, { text: 'done' }]);
  try {
    const r = await runClaude({ cwd: repo, home, prompt: 'go', modelUrl: model.url, permissionMode: 'bypass', env: { IS_SANDBOX: '1' } });
    assert.equal(r.code, 0, r.stderr);
    const results = toolResultsOf(model.requests);
    assert.equal(results.length, calls.length);
    for (const res of results.slice(0, 6)) {
      assert.equal(res.isError, true, JSON.stringify(res));
      assert.match(String(res.content), /denied/);
    }
    assert.equal(results[6]!.isError, false);
    assert.equal(existsSync(`${repo}/.cordon/policy.yaml`), false);
    assert.equal(existsSync(`${repo}/allowed.txt`), true);
  } finally {
    await model.close();
  }
});

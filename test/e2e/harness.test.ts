/**
 * Self-tests of the end-to-end harness: the real Claude Code CLI, driven by the fake model, runs a Bash tool call
 * when nothing blocks it, and a PreToolUse hook that denies stops it, with the reason reaching the model as an
 * error tool_result. If these fail, the cordon scenarios cannot be trusted either.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeModel, toolResultsOf } from '../../src/testkit/fake-model.js';
import { findClaudeBinary, makeScratchRepo, makeTempDir, runClaude } from '../../src/testkit/claude-run.js';

const SKIP = findClaudeBinary()
  ? false
  : 'claude CLI missing from node_modules/.bin (devDependency @anthropic-ai/claude-code): run `npm ci` to enable e2e tests';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh(): { repo: string; home: string } {
  const repo = makeScratchRepo();
  const home = makeTempDir('home');
  dirs.push(repo, home);
  return { repo, home };
}

test('a Bash tool call runs when no hook blocks it', { skip: SKIP }, async () => {
  const { repo, home } = fresh();
  const model = await startFakeModel([{ tool: 'Bash', input: { command: 'touch x', description: 'create x' } }]);
  try {
    const run = await runClaude({ cwd: repo, home, prompt: 'create x', modelUrl: model.url, permissionMode: 'bypass' });
    assert.equal(run.timedOut, false);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(repo, 'x')), 'the command should have run');
    const results = toolResultsOf(model.requests);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.isError, false);
    assert.equal(run.json?.result, 'done');
    assert.deepEqual(run.json?.permission_denials ?? [], []);
  } finally {
    await model.close();
  }
});

test('the Bash tool sees the temporary HOME, not the real one', { skip: SKIP }, async () => {
  // The destructive scenarios rely on this: `~` in a model's command must point into a throwaway directory.
  const { repo, home } = fresh();
  const model = await startFakeModel([{ tool: 'Bash', input: { command: 'echo "home=$HOME"; echo tilde=~' } }]);
  try {
    const run = await runClaude({ cwd: repo, home, prompt: 'where is home', modelUrl: model.url, permissionMode: 'bypass' });
    assert.equal(run.code, 0, run.stderr);
    const out = toolResultsOf(model.requests)[0]?.content ?? '';
    assert.match(out, new RegExp(`home=${home}\\s`));
    assert.match(out, new RegExp(`tilde=${home}(\\s|$)`));
  } finally {
    await model.close();
  }
});

test('a PreToolUse deny hook blocks the call and the model sees the reason', { skip: SKIP }, async () => {
  const { repo, home } = fresh();
  const hookDir = makeTempDir('hook');
  dirs.push(hookDir);
  const script = join(hookDir, 'deny.sh');
  const reason = 'harness-deny: creating files is not allowed here';
  writeFileSync(
    script,
    'cat >/dev/null\n' +
      `printf '%s\\n' '${JSON.stringify({
        hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
      })}'\n`,
  );
  mkdirSync(join(repo, '.claude'));
  writeFileSync(
    join(repo, '.claude', 'settings.json'),
    JSON.stringify({
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/bin/sh', args: [script] }] }] },
    }),
  );
  const model = await startFakeModel([{ tool: 'Bash', input: { command: 'touch x', description: 'create x' } }]);
  try {
    const run = await runClaude({ cwd: repo, home, prompt: 'create x', modelUrl: model.url, permissionMode: 'bypass' });
    assert.equal(run.timedOut, false);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(existsSync(join(repo, 'x')), false, 'the hook should have stopped the command');
    const results = toolResultsOf(model.requests);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.isError, true);
    assert.match(results[0]?.content ?? '', /harness-deny: creating files is not allowed here/);
    assert.equal(run.json?.permission_denials?.[0]?.tool_name, 'Bash');
  } finally {
    await model.close();
  }
});

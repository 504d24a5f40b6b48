/**
 * Least privilege over time, with the real Claude Code CLI: the agent cannot switch its guard off or widen its
 * own phase, and a human's one-time approval covers exactly the command approved — not a byte more, not twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeModel, toolResultsOf, type Script } from '../../src/testkit/fake-model.js';
import { git, runClaude } from '../../src/testkit/claude-run.js';
import { initProject, SKIP_NO_CLAUDE, type Project } from './project.js';

async function session(p: Project, script: Script) {
  const model = await startFakeModel(script);
  try {
    const run = await runClaude({ cwd: p.repo, home: p.home, prompt: 'do the task', modelUrl: model.url, permissionMode: 'bypass', env: p.env });
    assert.equal(run.code, 0, `claude -p failed (${run.code}):\n${run.stderr}\n${run.stdout}`);
    return { run, results: toolResultsOf(model.requests) };
  } finally {
    await model.close();
  }
}

test('the agent cannot start a wider phase, edit its settings, or write outside its phase', { skip: SKIP_NO_CLAUDE, timeout: 120_000 }, async () => {
  const p = initProject();
  try {
    const policyFile = join(p.repo, '.cordon', 'policy.yaml');
    writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace(/^preset: standard$/m, 'preset: standard\nphases:\n  default: analyze'));
    const settingsBefore = readFileSync(join(p.repo, '.claude', 'settings.json'), 'utf8');
    const { results } = await session(p, [
      { tool: 'Bash', input: { command: 'cordon phase start release --ttl 2h', description: 'widen' } },
      { tool: 'Bash', input: { command: 'npx cordon init --undo', description: 'uninstall' } },
      { tool: 'Write', input: { file_path: join(p.repo, '.claude', 'settings.json'), content: '{}' } },
      { tool: 'Write', input: { file_path: join(p.repo, 'src', 'feature.js'), content: 'export const x = 1;\n' } },
    ]);
    assert.equal(results.length, 4, JSON.stringify(results));
    for (const r of results) assert.equal(r.isError, true, r.content);
    assert.match(results[0]!.content, /\[self\./, results[0]!.content);
    assert.match(results[1]!.content, /\[self\./, results[1]!.content);
    // Refused by cordon's hook, or earlier by the deny rule init wrote into settings.json (defence in depth).
    assert.match(results[2]!.content, /\[self\.|denied by your permission settings/, results[2]!.content);
    assert.match(results[3]!.content, /\[phase\.tool\].*analyze/, results[3]!.content);
    assert.match(results[3]!.content, /implement/);
    assert.equal(readFileSync(join(p.repo, '.claude', 'settings.json'), 'utf8'), settingsBefore);
    assert.equal(existsSync(join(p.repo, 'src', 'feature.js')), false);
    const status = p.cordon(['phase', 'status']);
    assert.match(status.stdout, /analyze/);
  } finally {
    p.cleanup();
  }
});

test('a headless refusal names the approval command; the approval covers that exact call once', { skip: SKIP_NO_CLAUDE, timeout: 120_000 }, async () => {
  const p = initProject();
  try {
    writeFileSync(join(p.repo, 'README.md'), '# scratch\n\nuncommitted\n');
    const reset = { tool: 'Bash', input: { command: 'git reset --hard', description: 'reset' } };
    const first = await session(p, [reset]);
    const msg = first.results[0]!.content;
    const code = /cordon approve ([A-Z2-7]{6,})/.exec(msg)?.[1];
    assert.ok(code, `no approval command in: ${msg}`);
    assert.match(readFileSync(join(p.repo, 'README.md'), 'utf8'), /uncommitted/);

    // A human approves (outside the agent), then the pipeline is re-run.
    const ok = p.cordon(['approve', code]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);

    // One byte changed: still refused.
    const changed = await session(p, [{ tool: 'Bash', input: { command: 'git reset --hard ', description: 'reset' } }]);
    assert.equal(changed.results[0]!.isError, true);
    assert.match(readFileSync(join(p.repo, 'README.md'), 'utf8'), /uncommitted/);

    // The exact call: allowed once, and it runs.
    const exact = await session(p, [reset]);
    assert.equal(exact.results[0]!.isError, false, exact.results[0]!.content);
    assert.doesNotMatch(readFileSync(join(p.repo, 'README.md'), 'utf8'), /uncommitted/);
    assert.doesNotMatch(git(p.repo, ['status', '--porcelain']), /README/);

    // A replay is refused.
    writeFileSync(join(p.repo, 'README.md'), '# scratch\n\nuncommitted again\n');
    const replay = await session(p, [reset]);
    assert.equal(replay.results[0]!.isError, true);
    assert.match(readFileSync(join(p.repo, 'README.md'), 'utf8'), /uncommitted again/);
  } finally {
    p.cleanup();
  }
});

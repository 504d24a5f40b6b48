/**
 * cordon in front of the real Claude Code CLI. Each scenario initialises cordon in a scratch repository, lets the
 * scripted model ask for a tool call, and checks both the files on disk and what the model was told. Destructive
 * scenarios run in bypass mode, where no permission prompt or rule stands in the way: cordon's hook decides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeModel, toolResultsOf, type CapturedRequest, type Script, type Step } from '../../src/testkit/fake-model.js';
import { git, runClaude } from '../../src/testkit/claude-run.js';
import { cordonEnv, registeredHooks } from '../../src/testkit/cordon-run.js';
import { auditLog, initProject, RULE_ID, SKIP_NO_CLAUDE, type Project } from './project.js';

async function session(p: Project, script: Script, prompt = 'do the task') {
  const model = await startFakeModel(script);
  try {
    const run = await runClaude({
      cwd: p.repo,
      home: p.home,
      prompt,
      modelUrl: model.url,
      permissionMode: 'bypass',
      env: p.env,
    });
    assert.equal(run.timedOut, false, 'claude -p timed out');
    assert.equal(run.code, 0, `claude -p failed (${run.code}):\n${run.stderr}\n${run.stdout}`);
    assert.ok(model.mainRequests().length > 0, `the model was never called; the CLI said: ${run.json?.result ?? run.stdout}`);
    return { run, model, results: toolResultsOf(model.requests) };
  } finally {
    await model.close();
  }
}

test('destroying the home directory is denied and the home survives (bypass mode)', { skip: SKIP_NO_CLAUDE }, async () => {
  const p = initProject();
  try {
    mkdirSync(join(p.home, 'important'));
    writeFileSync(join(p.home, 'important', 'keep.txt'), 'precious\n');
    writeFileSync(join(p.home, 'notes.txt'), 'also precious\n');
    // Claude Code refuses `rm -rf ~/` by itself even in bypass mode, so the first call only shows that cordon's
    // hook answers before that check. `find ~ -delete` passes Claude Code's own checks (it wipes the home when no
    // hook is installed): there cordon is the only thing in the way.
    const destroy = ['rm -rf ~/important ~/', 'find ~ -mindepth 1 -delete'];
    // The destructive calls are only sent once the model has seen that `~` is the throwaway HOME, so a harness
    // fault cannot turn this test against the machine's real home directory.
    const script = (req: CapturedRequest, step: number): Step => {
      if (step === 0) return { tool: 'Bash', input: { command: 'echo "$HOME"', description: 'show home' } };
      if (step === 1) {
        const seen = toolResultsOf([req])[0]?.content.trim();
        if (seen !== p.home) return { text: `refusing: HOME is ${seen}` };
      }
      const cmd = destroy[step - 1];
      return cmd ? { tool: 'Bash', input: { command: cmd, description: 'clean up' } } : { text: 'done' };
    };
    const { run, model, results } = await session(p, script);
    assert.equal(model.mainRequests().length, 4, 'the model should have sent both destructive calls');
    assert.equal(readFileSync(join(p.home, 'important', 'keep.txt'), 'utf8'), 'precious\n');
    assert.ok(existsSync(join(p.home, 'notes.txt')));
    assert.ok(existsSync(join(p.repo, 'README.md')));
    assert.equal(results.length, 3);
    assert.equal(results[0]?.isError, false, 'the harmless echo should have run');
    for (const [i, cmd] of destroy.entries()) {
      const r = results[i + 1];
      assert.equal(r?.isError, true, `${cmd}: the model should get an error tool_result`);
      assert.match(r?.content ?? '', /cordon/, `${cmd}: not cordon's answer: ${r?.content}`);
      assert.match(r?.content ?? '', RULE_ID('fs'), `${cmd}: rule id missing from: ${r?.content}`);
    }
    assert.deepEqual(
      (run.json?.permission_denials ?? []).map((d) => d.tool_input.command),
      destroy,
    );
  } finally {
    p.cleanup();
  }
});

test('an everyday rm -rf node_modules runs (bypass mode)', { skip: SKIP_NO_CLAUDE }, async () => {
  const p = initProject();
  try {
    assert.ok(existsSync(join(p.repo, 'node_modules', 'left-pad', 'index.js')));
    const { run, results } = await session(p, [{ tool: 'Bash', input: { command: 'rm -rf node_modules', description: 'clean' } }]);
    assert.equal(existsSync(join(p.repo, 'node_modules')), false, 'node_modules should be gone');
    assert.ok(existsSync(join(p.repo, 'README.md')));
    assert.equal(results.length, 1);
    assert.equal(results[0]?.isError, false, `unexpected error: ${results[0]?.content}`);
    assert.deepEqual(run.json?.permission_denials ?? [], []);
  } finally {
    p.cleanup();
  }
});

test('a command past the analysis limits is refused unrun, and the reason names the limit (bypass mode)', { skip: SKIP_NO_CLAUDE }, async () => {
  const p = initProject();
  try {
    // ~20 KB, about 8,000 shell tokens: past the 5,000-token budget. Its first word would leave a file behind.
    const command = 'touch limit-marker.txt; ' + 'true | '.repeat(4000) + 'true';
    const { run, results } = await session(p, [{ tool: 'Bash', input: { command, description: 'a long pipeline' } }]);
    assert.equal(existsSync(join(p.repo, 'limit-marker.txt')), false, 'the command must not run');
    assert.equal(results.length, 1);
    assert.equal(results[0]?.isError, true, 'the model should get an error tool_result');
    assert.match(results[0]?.content ?? '', /\[shell\.limit\]/, results[0]?.content);
    assert.match(results[0]?.content ?? '', /more than 5000 shell tokens/, results[0]?.content);
    const pre = auditLog(p, String(run.json?.session_id)).filter((r) => r.event === 'PreToolUse');
    assert.equal(pre[0]?.decision, 'deny');
    assert.equal(pre[0]?.ruleId, 'shell.limit');
  } finally {
    p.cleanup();
  }
});

test('git reset --hard needs approval, which -p cannot give: the work tree is unchanged', { skip: SKIP_NO_CLAUDE }, async () => {
  const p = initProject();
  try {
    writeFileSync(join(p.repo, 'README.md'), '# scratch\n\nuncommitted work that must not be lost\n');
    const before = git(p.repo, ['status', '--porcelain']);
    const { run, results } = await session(p, [{ tool: 'Bash', input: { command: 'git reset --hard', description: 'reset' } }]);
    assert.match(readFileSync(join(p.repo, 'README.md'), 'utf8'), /uncommitted work that must not be lost/);
    assert.equal(git(p.repo, ['status', '--porcelain']), before);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.isError, true, 'the model should get an error tool_result');
    assert.match(results[0]?.content ?? '', RULE_ID('git'), `cordon's reason missing from: ${results[0]?.content}`);
    assert.equal(run.json?.permission_denials?.[0]?.tool_input.command, 'git reset --hard');
    const pre = auditLog(p, String(run.json?.session_id)).filter((r) => r.event === 'PreToolUse');
    assert.equal(pre[0]?.decision, 'ask');
  } finally {
    p.cleanup();
  }
});

/** Waits (up to 5 s) for a daemon socket to appear in `dir`. */
async function waitForSocket(dir: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.sock'))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Runs a hook command line with the given stdin; resolves with exit code and output. */
function runHook(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, input: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // A hook may stop reading once it has seen too much; that is its right, not a failure.
    child.stdin.on('error', () => {});
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

test('the registered PreToolUse hook answers garbage with a deny, never a crash', async (t) => {
  const p = initProject();
  try {
    const hook = registeredHooks(p.repo, 'PreToolUse')[0];
    assert.ok(hook, 'no PreToolUse hook registered');
    const base = { ...p.env, CLAUDE_PROJECT_DIR: p.repo };
    const huge = Buffer.concat([
      Buffer.from('{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"'),
      Buffer.alloc(24 * 1024 * 1024, 'a'),
      Buffer.from('"}}'),
    ]);
    const inputs: [string, Buffer][] = [
      ['garbage', Buffer.from('this is not json {{{ \u0000\u00ff')],
      ['truncated', Buffer.from('{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf /')],
      ['empty', Buffer.alloc(0)],
      ['wrong shape', Buffer.from('[1,2,3]')],
      ['missing tool input', Buffer.from('{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash"}')],
      ['huge', huge],
    ];
    // Both ways the hook can decide: in its own process, and through the warm daemon it starts.
    const modes: [string, NodeJS.ProcessEnv][] = [
      ['in-process', cordonEnv({ ...base, CORDON_DAEMON: 'off' })],
      ['daemon', cordonEnv(base)],
    ];
    for (const [mode, env] of modes) {
      if (mode === 'daemon') {
        const valid = '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"cwd":' + JSON.stringify(p.repo) + '}';
        await runHook(hook.command, hook.args ?? [], env, p.repo, Buffer.from(valid));
        assert.ok(await waitForSocket(join(p.cordonHome, 'run')), 'the hook did not start its daemon');
      }
      for (const [name, input] of inputs) await t.test(`${mode}: ${name}`, async () => {
        const r = await runHook(hook.command, hook.args ?? [], env, p.repo, input);
        assert.ok(r.code === 0 || r.code === 2, `exit code ${r.code} (1 would let the call through)\n${r.stderr}`);
        const stack = /\n\s+at .+[:(]\d+:\d+\)?/;
        assert.doesNotMatch(r.stdout, stack, 'stack trace on stdout');
        assert.doesNotMatch(r.stderr, stack, 'stack trace on stderr');
        const text = r.stdout.trim();
        assert.ok(text.startsWith('{'), `stdout is not one JSON object: ${text.slice(0, 200)}`);
        const out = JSON.parse(text) as {
          decision?: string;
          reason?: string;
          hookSpecificOutput?: { hookEventName?: string; permissionDecision?: string; permissionDecisionReason?: string };
        };
        // Claude Code treats both the PreToolUse-specific deny and the legacy top-level block as a deny.
        const hso = out.hookSpecificOutput;
        if (hso !== undefined) {
          assert.equal(hso.hookEventName, 'PreToolUse');
          assert.equal(hso.permissionDecision, 'deny');
          assert.ok((hso.permissionDecisionReason ?? '').length > 0, 'deny without a reason');
        } else {
          assert.equal(out.decision, 'block', `no deny in ${text.slice(0, 200)}`);
          assert.ok((out.reason ?? '').length > 0, 'block without a reason');
        }
      });
    }
  } finally {
    p.cleanup();
  }
});

test('every event of a session lands in the audit store', { skip: SKIP_NO_CLAUDE }, async () => {
  const p = initProject();
  try {
    const { run, results } = await session(p, [
      { tool: 'Bash', input: { command: 'ls', description: 'list' } },
      { tool: 'Bash', input: { command: 'git status', description: 'status' } },
    ]);
    assert.deepEqual(
      results.map((r) => r.isError),
      [false, false],
    );
    const sessionId = run.json?.session_id;
    assert.ok(sessionId, 'no session id in the final JSON');
    const rows = auditLog(p, sessionId);
    const events = rows.map((r) => r.event);
    for (const e of ['SessionStart', 'UserPromptSubmit']) assert.ok(events.includes(e), `${e} missing from ${events.join(',')}`);
    const pre = rows.filter((r) => r.event === 'PreToolUse');
    const post = rows.filter((r) => r.event === 'PostToolUse');
    assert.equal(pre.length, 2, `PreToolUse records: ${JSON.stringify(pre)}`);
    assert.equal(post.length, 2, `PostToolUse records: ${JSON.stringify(post)}`);
    for (const r of rows) {
      assert.ok(['allow', 'ask', 'deny'].includes(String(r.decision)), `record without a decision: ${JSON.stringify(r)}`);
      assert.ok(typeof r.ruleId === 'string' && r.ruleId.length > 0, `record without a rule id: ${JSON.stringify(r)}`);
      assert.equal(r.sessionId, sessionId);
    }
    assert.deepEqual(pre.map((r) => r.decision), ['allow', 'allow']);
    assert.deepEqual(pre.map((r) => (r.input as { command?: string } | undefined)?.command), ['ls', 'git status']);
    // Pre and Post records name the very tool calls the model made.
    const ids = results.map((r) => r.toolUseId);
    assert.deepEqual(pre.map((r) => r.toolUseId), ids);
    assert.deepEqual(post.map((r) => r.toolUseId), ids);
  } finally {
    p.cleanup();
  }
});

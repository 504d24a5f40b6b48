/**
 * The `cordon` command line as a user runs it: init/undo on a real repository, doctor's verdicts, explain's
 * trace, and --help everywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function sandboxDirs() {
  const base = mkdtempSync(join(tmpdir(), 'cordon-cli-'));
  const repo = join(base, 'repo');
  mkdirSync(repo);
  spawnSync('git', ['init', '-q'], { cwd: repo });
  return { base, repo, env: { PATH: process.env.PATH ?? '', HOME: join(base, 'home'), CORDON_HOME: join(base, 'state'), CORDON_DAEMON: 'off' } };
}

function cordon(args: string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('init writes the policy and hooks, is idempotent, and undo gives the user\'s file back byte for byte', () => {
  const { repo, env } = sandboxDirs();
  mkdirSync(join(repo, '.claude'));
  const original = '{\n    "permissions": {"allow": ["Bash(npm test)"]},\n    "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "echo done"}]}]}\n}\n';
  writeFileSync(join(repo, '.claude/settings.json'), original);

  const r1 = cordon(['init', '--yes'], repo, env);
  assert.equal(r1.code, 0, r1.stderr);
  const policy = readFileSync(join(repo, '.cordon/policy.yaml'), 'utf8');
  assert.match(policy, /^# yaml-language-server: \$schema=\.\/policy\.schema\.json/);
  assert.ok(existsSync(join(repo, '.cordon/policy.schema.json')));
  const settings = JSON.parse(readFileSync(join(repo, '.claude/settings.json'), 'utf8'));
  assert.deepEqual(settings.permissions.allow, ['Bash(npm test)']);
  // Deny rules generated from the policy hold even if the hook process is missing.
  assert.ok(settings.permissions.deny.includes('Edit(**/.cordon/**)'));
  assert.ok(settings.permissions.deny.includes('Read(~/.ssh/**)'));
  assert.equal(settings.hooks.Stop[0].hooks[0].command, 'echo done');
  for (const e of ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'SessionStart']) {
    const h = settings.hooks[e].at(-1).hooks[0];
    assert.equal(h.command, '/usr/bin/env', e);
    assert.deepEqual(h.args.slice(0, 5), ['-u', 'NODE_OPTIONS', '-u', 'NODE_EXTRA_CA_CERTS', process.execPath]);
    assert.match(h.args[5], /dist\/src\/hook\/client\.cjs$/);
    assert.equal(h.args[6], e);
    assert.equal(h.args.length, 7);
  }

  const before = readFileSync(join(repo, '.claude/settings.json'), 'utf8');
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  assert.equal(readFileSync(join(repo, '.claude/settings.json'), 'utf8'), before, 'second init changes nothing');

  const u = cordon(['init', '--undo'], repo, env);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(readFileSync(join(repo, '.claude/settings.json'), 'utf8'), original);
  assert.equal(existsSync(join(repo, '.cordon')), false);
});

test('an install registered node directly is moved to the env form by init, and undo still takes it all back', () => {
  const { repo, env } = sandboxDirs();
  const client = fileURLToPath(new URL('../../src/hook/client.cjs', import.meta.url));
  mkdirSync(join(repo, '.claude'));
  // What an earlier init wrote, recorded in its manifest.
  const direct = (e: string) => ({ type: 'command', command: process.execPath, args: [client, e], timeout: 30 });
  const events = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'SessionStart'];
  const tools = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']);
  const old = { hooks: Object.fromEntries(events.map((e) => [e, [{ ...(tools.has(e) ? { matcher: '*' } : {}), hooks: [direct(e)] }]])) };
  writeFileSync(join(repo, '.claude/settings.json'), JSON.stringify(old, null, 2) + '\n');
  const r = cordon(['init', '--yes'], repo, env);
  assert.equal(r.code, 0, r.stderr);
  const settings = JSON.parse(readFileSync(join(repo, '.claude/settings.json'), 'utf8'));
  for (const e of events) {
    const all = settings.hooks[e].flatMap((g: { hooks: unknown[] }) => g.hooks);
    assert.equal(all.length, 1, `${e}: replaced in place, not added`);
    assert.equal(all[0].command, '/usr/bin/env');
    assert.equal(all[0].args.at(-2), client);
  }
  const manifest = JSON.parse(readFileSync(join(repo, '.cordon/installed.json'), 'utf8'));
  assert.equal(manifest.handlers.length, events.length);
  const u = cordon(['init', '--undo'], repo, env);
  assert.equal(u.code, 0, u.stderr);
  const after = JSON.parse(readFileSync(join(repo, '.claude/settings.json'), 'utf8'));
  assert.equal(after.hooks, undefined, JSON.stringify(after));
});

test('the registered hook answers even when the agent\'s environment carries a NODE_OPTIONS that breaks node', () => {
  const { repo, env } = sandboxDirs();
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  const settings = JSON.parse(readFileSync(join(repo, '.claude/settings.json'), 'utf8'));
  const h = settings.hooks.PreToolUse.at(-1).hooks[0] as { command: string; args: string[] };
  const hostile = { ...env, CLAUDE_PROJECT_DIR: repo, NODE_OPTIONS: '--require /nonexistent.js', NODE_EXTRA_CA_CERTS: '/nonexistent.pem' };
  const input = (command: string) =>
    JSON.stringify({ session_id: 's-env', cwd: repo, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: `t-${command}` });
  // Without the launcher, this environment stops node before cordon runs: the failure the registration avoids.
  const bare = spawnSync(h.args.at(-3)!, h.args.slice(-2), { cwd: repo, env: hostile, input: input('rm -rf ~/'), encoding: 'utf8' });
  assert.notEqual(bare.status, 0);
  assert.equal(bare.stdout, '');
  const run = (command: string) => spawnSync(h.command, h.args, { cwd: repo, env: hostile, input: input(command), encoding: 'utf8', timeout: 30_000 });
  const danger = run('rm -rf ~/');
  assert.equal(danger.status, 0, danger.stderr);
  const out = JSON.parse(danger.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
  assert.equal(out.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(out.hookSpecificOutput.permissionDecisionReason, /\[fs\.[a-z-]+\]/);
  const harmless = run('git status');
  assert.equal(harmless.status, 0, harmless.stderr);
  assert.notEqual(JSON.parse(harmless.stdout).hookSpecificOutput?.permissionDecision, 'deny');
});

test('undo keeps a policy the user edited', () => {
  const { repo, env } = sandboxDirs();
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  writeFileSync(join(repo, '.cordon/policy.yaml'), 'preset: strict\n');
  const u = cordon(['init', '--undo'], repo, env);
  assert.match(u.stdout, /kept .*policy\.yaml/);
  assert.ok(existsSync(join(repo, '.cordon/policy.yaml')));
  assert.equal(existsSync(join(repo, '.claude/settings.json')), false, 'settings cordon created are removed');
});

test('init refuses outside a git repository and on invalid settings JSON', () => {
  const { base, repo, env } = sandboxDirs();
  const outside = join(base, 'plain');
  mkdirSync(outside);
  const r = cordon(['init', '--yes'], outside, env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not inside a git repository/);
  mkdirSync(join(repo, '.claude'));
  writeFileSync(join(repo, '.claude/settings.json'), '{ broken');
  const r2 = cordon(['init', '--yes'], repo, env);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /not valid JSON/);
  assert.equal(readFileSync(join(repo, '.claude/settings.json'), 'utf8'), '{ broken');
});

test('doctor passes on a fresh install and fails, naming the problem, when the policy is broken or hooks are missing', () => {
  const { repo, env } = sandboxDirs();
  const none = cordon(['doctor'], repo, env);
  assert.equal(none.code, 1);
  assert.match(none.stdout, /FAIL\s+hooks registered/);
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  const ok = cordon(['doctor'], repo, env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /PASS\s+live canary\s+`rm -rf ~\/` → deny/);
  writeFileSync(join(repo, '.cordon/policy.yaml'), 'preset: standard\ntools:\n  unknown: maybe\n');
  const bad = cordon(['doctor', '--json'], repo, env);
  assert.equal(bad.code, 1);
  const checks = JSON.parse(bad.stdout) as { name: string; ok: boolean; detail: string }[];
  const policy = checks.find((c) => c.name === 'policy valid')!;
  assert.equal(policy.ok, false);
  assert.match(policy.detail, /policy\.yaml:3:\d+: tools\.unknown/);
  // The canary runs through the hook, which denies everything while the policy is invalid.
  assert.equal(checks.find((c) => c.name === 'live canary')!.ok, false);
});

test('explain shows the unwrapping path, where words came from, the rule and the decision', () => {
  const { repo, env } = sandboxDirs();
  const r = cordon(['explain', "bash -c 'X=rm; $X -rf ~/'", '--json'], repo, env);
  assert.equal(r.code, 0, r.stderr);
  const ex = JSON.parse(r.stdout);
  assert.equal(ex.decision.decision, 'deny');
  assert.match(ex.decision.ruleId, /^fs\./);
  const rm = ex.parse.commands.find((c: { name?: string }) => c.name === 'rm');
  assert.deepEqual(rm.via, ['bash -c']);
  assert.ok(rm.argv.some((w: { origin?: string }) => /X=rm/.test(w.origin ?? '')));
  const text = cordon(['explain', 'git commit -m "remove rm -rf"'], repo, env);
  assert.match(text.stdout, /decision:\s+ALLOW/);
});

test('explain never prints a secret in clear', () => {
  const { repo, env } = sandboxDirs();
  const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
  const r = cordon(['explain', `curl -H "Authorization: token ${token}" https://api.github.com/user`], repo, env);
  assert.equal(r.code, 0);
  assert.equal((r.stdout + r.stderr).includes(token), false);
});

test('every command has --help', () => {
  const { repo, env } = sandboxDirs();
  const top = cordon(['--help'], repo, env);
  assert.equal(top.code, 0);
  const verbs = [...top.stdout.matchAll(/^  (\w[\w-]*)/gm)].map((m) => m[1]!).filter((v) => v !== 'help');
  assert.ok(verbs.length >= 6, verbs.join(','));
  for (const v of verbs) {
    const h = cordon([v, '--help'], repo, env);
    assert.equal(h.code, 0, `${v} --help: ${h.stderr}`);
    assert.match(h.stdout, /Usage: cordon/);
  }
});

test('init writes Claude Code\'s sandbox block and, with --mcp, the MCP server; undo takes both back', () => {
  const { repo, env } = sandboxDirs();
  writeFileSync(join(repo, '.mcp.json'), JSON.stringify({ mcpServers: { other: { command: 'x' } } }));
  assert.equal(cordon(['init', '--yes', '--mcp'], repo, env).code, 0);
  const local = JSON.parse(readFileSync(join(repo, '.claude/settings.local.json'), 'utf8'));
  assert.equal(local.sandbox.enabled, false, 'cordon confines Bash itself; Claude Code\'s sandbox mirrors the bounds but stays off');
  assert.equal(local.sandbox.failIfUnavailable, true);
  assert.equal(local.sandbox.allowUnsandboxedCommands, false);
  assert.ok(local.sandbox.filesystem.denyRead.some((p: string) => p.includes('.ssh')));
  const mcp = JSON.parse(readFileSync(join(repo, '.mcp.json'), 'utf8'));
  assert.deepEqual(mcp.mcpServers.other, { command: 'x' });
  assert.deepEqual(mcp.mcpServers.cordon.args.slice(-1), ['mcp']);
  assert.equal(cordon(['init', '--undo'], repo, env).code, 0);
  assert.equal(existsSync(join(repo, '.claude/settings.local.json')), false);
  assert.deepEqual(JSON.parse(readFileSync(join(repo, '.mcp.json'), 'utf8')), { mcpServers: { other: { command: 'x' } } });
});

test('re-running init drops permission rules the policy no longer produces', () => {
  const { repo, env } = sandboxDirs();
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  const read = () => JSON.parse(readFileSync(join(repo, '.claude/settings.json'), 'utf8')).permissions as { ask?: string[] };
  assert.ok(read().ask?.includes('mcp__*'));
  const policyFile = join(repo, '.cordon/policy.yaml');
  writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace(/  ask:\n    - mcp__\*\n/, '  ask: []\n'));
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  assert.equal(read().ask?.includes('mcp__*') ?? false, false);
  assert.equal(cordon(['init', '--undo'], repo, env).code, 0);
});

test('doctor reports a damaged secret store, since masking then refuses every Bash call', () => {
  const { repo, env } = sandboxDirs();
  assert.equal(cordon(['init', '--yes'], repo, env).code, 0);
  const add = spawnSync(process.execPath, [MAIN, 'secrets', 'add', 'DOC_TOKEN'], { cwd: repo, env, input: 'v4lue-for-doctor-test\n', encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  const good = JSON.parse(cordon(['doctor', '--json', '--no-probes'], repo, env).stdout) as { name: string; ok: boolean }[];
  assert.equal(good.find((c) => c.name === 'secret store readable')?.ok, true);
  writeFileSync(join(env.CORDON_HOME, 'secrets', 'store.json'), 'garbage');
  const bad = cordon(['doctor', '--json', '--no-probes'], repo, env);
  assert.equal(bad.code, 1);
  assert.equal((JSON.parse(bad.stdout) as { name: string; ok: boolean }[]).find((c) => c.name === 'secret store readable')?.ok, false);
});

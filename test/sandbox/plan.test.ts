/**
 * The pure parts of the sandbox: the policy section, the plan, environment scrubbing, the rewritten command's
 * shape, and the Claude Code settings block with its drift check. Nothing here starts a sandbox.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PolicySchema, defaultPolicy, type Policy } from '../../src/policy/schema.js';
import { sandboxPlan, scrubEnv, planKey, type SandboxContext } from '../../src/sandbox/plan.js';
import { wrapBashCommand, shellWord, entryPrefix, originalCommand, EXEC_ENTRY } from '../../src/sandbox/wrap.js';
import { argvToCommand } from '../../src/sandbox/run.js';
import { claudeSandboxSettings, sandboxDrift } from '../../src/sandbox/claude-settings.js';
import { placeholderTargets } from '../../src/sandbox/git-exclude.js';
import { readOnlyTmpfs, innerScript, dropRelayShell } from '../../src/sandbox/helper.js';
import { Snapshot, Placeholders } from '../../src/sandbox/prewrap.js';
import { missingPackages } from '../../src/sandbox/preflight.js';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const ctx: SandboxContext = {
  workspace: '/home/dev/proj',
  home: '/home/dev',
  stateDir: '/home/dev/.cordon',
  sessionId: 'abc-123',
  env: { PATH: '/usr/bin:/bin', TMPDIR: '/tmp' },
};

function policy(sandbox: unknown): Policy {
  return PolicySchema.parse({ sandbox });
}

test('the sandbox section defaults to on, with npm/PyPI/GitHub hosts and package caches writable', () => {
  const p = defaultPolicy();
  assert.equal(p.sandbox.mode, 'on');
  assert.ok(p.sandbox.network.allow.includes('registry.npmjs.org'));
  assert.ok(p.sandbox.network.allow.includes('pypi.org'));
  assert.ok(p.sandbox.network.allow.includes('github.com'));
  assert.deepEqual(p.sandbox.filesystem.allowWrite, ['~/.npm', '~/.cache']);
  assert.deepEqual(p.sandbox.env, { scrub: [], pass: [] });
});

test('the sandbox section rejects unknown fields, bad hosts and wildcard write paths', () => {
  assert.equal(PolicySchema.safeParse({ sandbox: { mode: 'maybe' } }).success, false);
  assert.equal(PolicySchema.safeParse({ sandbox: { netwrk: {} } }).success, false);
  assert.equal(PolicySchema.safeParse({ sandbox: { network: { allow: ['http://x.com/'] } } }).success, false);
  assert.equal(PolicySchema.safeParse({ sandbox: { filesystem: { allowWrite: ['/tmp/*'] } } }).success, false);
  assert.equal(PolicySchema.safeParse({ sandbox: { network: { allow: ['*.example.com', '127.0.0.1:8080', '[::1]:80'] } } }).success, true);
});

test('every sandbox field has a description (the JSON Schema shows it in editors)', () => {
  const json = JSON.stringify((PolicySchema.shape.sandbox as unknown as { toJSONSchema?: () => unknown }).toJSONSchema?.() ?? {});
  for (const f of ['mode', 'allow', 'allowWrite', 'denyRead', 'scrub', 'pass']) assert.match(json, new RegExp(`"${f}":\\{[^}]*"description"`), f);
});

test('the plan: workspace, session temp and policy paths writable; secrets, .env files and the state dir unreadable', () => {
  const plan = sandboxPlan(policy({ filesystem: { allowWrite: ['build-out', '/opt/cache'], denyRead: ['~/secrets', 'private/**'] } }), ctx);
  assert.equal(plan.tmpDir, `/tmp/cordon-sbx-${process.getuid?.() ?? 0}/abc-123`);
  assert.deepEqual(plan.allowWrite, ['/home/dev/proj', plan.tmpDir, '/home/dev/proj/build-out', '/opt/cache']);
  for (const p of ['/home/dev/.ssh', '/home/dev/.aws', '/home/dev/.config/gh', '/home/dev/.docker', '/home/dev/.npmrc', '/home/dev/.kube', '/home/dev/.cordon', '/home/dev/proj/.env*', '/home/dev/secrets', '/home/dev/proj/private/**']) {
    assert.ok(plan.denyRead.includes(p), p);
  }
  for (const p of ['/home/dev/.cordon', '/home/dev/proj/.cordon', '/home/dev/proj/.claude', '/home/dev/proj/.git/hooks']) assert.ok(plan.denyWrite.includes(p), p);
  assert.equal(plan.runtimeDir, '/home/dev/.cordon/sandbox');
});

test('the plan key changes with the policy and the session, not between identical calls', () => {
  const a = planKey(sandboxPlan(defaultPolicy(), ctx));
  assert.equal(a, planKey(sandboxPlan(defaultPolicy(), ctx)));
  assert.notEqual(a, planKey(sandboxPlan(policy({ network: { allow: ['example.com'] } }), ctx)));
  assert.notEqual(a, planKey(sandboxPlan(defaultPolicy(), { ...ctx, sessionId: 'other' })));
});

test('hostile session ids cannot steer the temp dir', () => {
  const plan = sandboxPlan(defaultPolicy(), { ...ctx, sessionId: '../../etc' });
  assert.match(plan.tmpDir, /^\/tmp\/cordon-sbx-\d+\/s-[0-9a-f]{24}$/);
});

test('environment scrubbing removes credential-shaped names, honours pass and policy additions', () => {
  const plan = sandboxPlan(policy({ env: { scrub: ['INTERNAL_*'], pass: ['PUBLIC_KEY'] } }), ctx);
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/dev',
    GITHUB_TOKEN: 'x',
    github_token: 'x',
    ANTHROPIC_API_KEY: 'x',
    AWS_PROFILE: 'x',
    DB_PASSWORD: 'x',
    STRIPE_SECRET: 'x',
    NPM_TOKEN: 'x',
    INTERNAL_URL: 'x',
    PUBLIC_KEY: 'ok',
    SSH_AUTH_SOCK: '/run/agent',
    TERM: 'xterm',
  };
  const r = scrubEnv(env, plan);
  assert.deepEqual(Object.keys(r.env).sort(), ['HOME', 'PATH', 'PUBLIC_KEY', 'TERM']);
  assert.ok(r.removed.includes('GITHUB_TOKEN') && r.removed.includes('github_token') && r.removed.includes('INTERNAL_URL'));
});

test('sandbox.mode off returns the command unchanged', () => {
  const r = wrapBashCommand('rm -rf build', { ...ctx, policy: policy({ mode: 'off' }) });
  assert.deepEqual(r, { command: 'rm -rf build' });
});

test('argvToCommand re-splits into exactly the same words under bash', () => {
  const words = ['printf', '%s|', 'a b', "it's", '$HOME', '`id`', 'new\nline', '', '*', 'ünï'];
  const out = spawnSync('bash', ['-c', argvToCommand(words)], { encoding: 'utf8' });
  assert.equal(out.stdout, words.slice(2).map((w) => `${w}|`).join(''));
});

test('shellWord leaves plain words bare and quotes everything else', () => {
  assert.equal(shellWord('/usr/bin/node'), '/usr/bin/node');
  assert.equal(shellWord('abc+/=='), 'abc+/==');
  assert.equal(shellWord('/a b/c'), `'/a b/c'`);
  assert.equal(shellWord("x'y"), `'x'\\''y'`);
});

test('the rewrite is one simple command: absolute bash in privileged mode, the entry script, node, plan, payload', () => {
  assert.match(entryPrefix(), /^\/\S*bash -p \S+\/sandbox\/entry\.sh$/);
  const w = wrapBashCommand('ls -la', { ...ctx, policy: defaultPolicy(), env: { ...ctx.env, NODE_EXTRA_CA_CERTS: '/etc/ca.pem' } });
  assert.ok('command' in w, JSON.stringify(w));
  if ('command' in w) {
    assert.ok(w.command.startsWith(`${entryPrefix()} `));
    assert.doesNotMatch(w.command, /env -u|[;&|<>`$]/);
    assert.equal(originalCommand(w.command), 'ls -la');
  }
  // The node entry (cordon run, probes) still drops the variables that slow node down and gets them back inside.
  const plan = sandboxPlan(defaultPolicy(), { ...ctx, env: { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' } });
  assert.deepEqual(plan.restoreEnv, { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' });
});

test('the Claude Code settings block mirrors the plan with portable paths and exempts only cordon\'s entry', () => {
  const b = claudeSandboxSettings(defaultPolicy(), { ...ctx, env: { ...ctx.env, GITHUB_TOKEN: 'x', MY_API_KEY: 'y' } });
  // Off: cordon confines Bash itself, and a nested sandbox cannot start inside Claude Code's.
  assert.equal(b.enabled, false);
  assert.equal(b.failIfUnavailable, true);
  assert.equal(b.allowUnsandboxedCommands, false);
  assert.equal(b.autoAllowBashIfSandboxed, false);
  assert.equal(b.excludedCommands.length, 1);
  assert.equal(b.excludedCommands[0], `${entryPrefix()}:*`);
  assert.match(b.excludedCommands[0]!, /^\/\S*bash -p \S+\/entry\.sh:\*$/);
  assert.deepEqual(b.network.allowedDomains, defaultPolicy().sandbox.network.allow);
  assert.ok(b.filesystem.denyRead.includes('~/.ssh'));
  assert.ok(b.filesystem.denyRead.includes('./.env*'));
  assert.ok(b.filesystem.denyRead.includes('~/.cordon'));
  assert.ok(b.filesystem.denyWrite.includes('./.cordon'));
  assert.ok(b.filesystem.allowWrite.includes('~/.npm'));
  const names = b.credentials.envVars.map((e) => e.name);
  assert.ok(names.includes('GITHUB_TOKEN') && names.includes('MY_API_KEY') && names.includes('ANTHROPIC_API_KEY'));
});

test('drift: none for the block cordon writes; each weakening named', () => {
  const p = defaultPolicy();
  const good = claudeSandboxSettings(p, ctx);
  assert.deepEqual(sandboxDrift(JSON.parse(JSON.stringify(good)), p, ctx), []);
  assert.equal(sandboxDrift(undefined, p, ctx).length, 0);
  // Both sandboxes on at once: cordon's confined commands would fail inside Claude Code's.
  const both = sandboxDrift({ ...JSON.parse(JSON.stringify(good)), enabled: true }, p, ctx);
  assert.ok(both.some((m) => m.includes('nested sandbox')), both.join('\n'));
  const weak = JSON.parse(JSON.stringify(good)) as typeof good;
  weak.enabled = true;
  weak.allowUnsandboxedCommands = true;
  weak.network.allowedDomains.push('evil.example');
  weak.filesystem.denyRead = weak.filesystem.denyRead.filter((x) => x !== '~/.ssh');
  weak.excludedCommands.push('curl:*');
  const d = sandboxDrift(weak, policy({ mode: 'off' }), ctx);
  assert.ok(d.some((m) => m.includes('allowUnsandboxedCommands')), d.join('\n'));
  assert.ok(d.some((m) => m.includes('evil.example')), d.join('\n'));
  assert.ok(d.some((m) => m.includes('~/.ssh')), d.join('\n'));
  assert.ok(d.some((m) => m.includes('curl:*')), d.join('\n'));
  assert.deepEqual(sandboxDrift(undefined, policy({ mode: 'off' }), ctx), []);
});

test('read-denied directories become read-only tmpfs; placeholders are found for git', () => {
  const cmd = "bwrap --ro-bind / / --tmpfs /h/.ssh --tmpfs /h/.cordon --ro-bind /dev/null /w/.env --ro-bind /tmp/claude-empty-Ab12 /w/.claude --ro-bind /w/a /w/a --dev /dev -- bash";
  const out = readOnlyTmpfs(cmd, ['/h/.ssh', '/h/.cordon', '/w/.env*']);
  assert.match(out, /--tmpfs \/h\/\.ssh --remount-ro \/h\/\.ssh /);
  assert.match(out, /--tmpfs \/h\/\.cordon --remount-ro \/h\/\.cordon /);
  assert.deepEqual(placeholderTargets(cmd), ['/w/.env', '/w/.claude']);
});

test('the inner script never embeds the command text', () => {
  const s = innerScript('/tmp/cordon-sbx-0/s');
  assert.match(s, /\$CORDON_SBX_CMD/);
  assert.doesNotMatch(s, /rm -rf/);
});

test('a snapshot notices entries created, removed or renamed in any directory the wrap looked at', () => {
  const d = mkdtempSync(join(tmpdir(), 'cordon-snap-'));
  mkdirSync(join(d, 'a', 'b', 'c', 'deep'), { recursive: true });
  mkdirSync(join(d, 'node_modules', 'x'), { recursive: true });
  const changes: [string, () => void, boolean][] = [
    ['file at the root', () => writeFileSync(join(d, '.env'), 'x'), true],
    ['file two levels down', () => writeFileSync(join(d, 'a', 'b', '.bashrc'), 'x'), true],
    ['directory four levels down', () => mkdirSync(join(d, 'a', 'b', 'c', 'deep', 'x')), true],
    ['inside node_modules (the scan skips it)', () => writeFileSync(join(d, 'node_modules', 'x', 'f'), 'x'), false],
  ];
  for (const [what, change, noticed] of changes) {
    const snap = Snapshot.capture(d, d, ['/nonexistent/secret'])!;
    assert.ok(snap.unchanged(), what);
    change();
    assert.equal(!snap.unchanged(), noticed, what);
  }
});

test('placeholders are removed only when the last command using them ends, and only if bubblewrap made them', () => {
  const d = mkdtempSync(join(tmpdir(), 'cordon-ph-'));
  const made = join(d, '.bashrc');
  const real = join(d, '.env');
  writeFileSync(real, '');
  const p = new Placeholders();
  const a = p.begin([made, real]);
  writeFileSync(made, ''); // what bubblewrap does on the host when it mounts over a missing path
  const b = p.begin([made, real]);
  p.end(a);
  assert.ok(existsSync(made), 'still mounted by the second command');
  p.end(b);
  assert.ok(!existsSync(made));
  assert.ok(existsSync(real), 'a file that existed before is never removed');
});

test('a phase without network, or an unknown phase, leaves the sandbox no egress', () => {
  const p = defaultPolicy();
  assert.ok(sandboxPlan(p, ctx).networkAllow.length > 0);
  assert.deepEqual(sandboxPlan(p, { ...ctx, phase: 'implement' }).networkAllow, []);
  assert.deepEqual(sandboxPlan(p, { ...ctx, phase: 'no-such-phase' }).networkAllow, []);
  const netPhase = PolicySchema.parse({ phases: { defs: { fetch: { tools: ['Bash'], bash: { network: true } } } } });
  assert.deepEqual(sandboxPlan(netPhase, { ...ctx, phase: 'fetch' }).networkAllow, netPhase.sandbox.network.allow);
});

test('a missing dependency is refused with the exact packages to install', () => {
  const r = missingPackages(['bubblewrap', 'socat']);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.error, /needs bubblewrap, socat, which are not installed/);
    assert.match(r.fix, /apt-get install bubblewrap socat/);
  }
});

test('the original command can be read back from a rewrite (for PostToolUse and the audit trail)', () => {
  const cmd = "echo 'hi' && rm -rf \"$TMP\"/x\n";
  const b64 = Buffer.from(cmd).toString('base64');
  const rewritten = `${entryPrefix()} /usr/bin/node /home/dev/.cordon/sandbox/0123456789abcdef.json ${b64}`;
  assert.equal(originalCommand(rewritten), cmd);
  assert.equal(originalCommand(`${entryPrefix()} /usr/bin/node '/home/a b/.cordon/sandbox/0123456789abcdef.json' ${b64}`), cmd);
  // The node entry as earlier versions wrote it.
  assert.equal(originalCommand(`/usr/bin/env -u NODE_EXTRA_CA_CERTS /usr/bin/node ${EXEC_ENTRY} /p.json ${b64}`), cmd);
  assert.equal(originalCommand('echo hi'), undefined);
  assert.equal(originalCommand(`${entryPrefix()} /usr/bin/node /p.json @/home/dev/.cordon/sandbox/cmd/x.sh`), undefined);
  assert.equal(originalCommand(`${entryPrefix()} /usr/bin/node /p.json ${b64} extra`), undefined);
  assert.equal(originalCommand(`bash -p /elsewhere/entry.sh /usr/bin/node /p.json ${b64}`), undefined);
});

test('the relay shell in the library\'s bwrap line is dropped, and the line means the same', () => {
  // The library's quoting: bare words, or single quotes with '"'"' for a quote.
  const q = (s: string) => (/^[A-Za-z0-9_./:@+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`);
  for (const script of ['echo plain', `echo "it's" '$HOME' \`echo x\` && printf '%s\\n' "a'b"`, 'x=1\nif [ "$x" = 1 ]; then echo "new\nline"; fi']) {
    const line = `exec -- /bin/bash -c ${q(`/bin/bash -c ${q(script)}`)}`;
    const flat = dropRelayShell(line);
    assert.equal(flat, `exec -- /bin/bash -c ${q(script)}`);
    const run = (l: string) => spawnSync('/bin/bash', ['-c', l], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/nowhere' } }).stdout;
    assert.equal(run(flat), run(line));
    assert.notEqual(run(flat), '');
  }
  // Anything else is left exactly as it was.
  for (const other of [
    `exec -- /bin/bash -c ${q('echo one level only')}`,
    `exec -- /bin/bash -c ${q(`/bin/sh -c ${q('echo other shell')}`)}`,
    `exec -- /bin/bash -c ${q(`/bin/bash -c ${q('echo x')} ; echo more`)}`,
    'exec -- /bin/bash -c \'unbalanced',
  ]) {
    assert.equal(dropRelayShell(other), other);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicySchema, type Policy } from '../../src/policy/schema.js';
import { initShellParser, parseShell } from '../../src/parse/index.js';
import { activePhase, endPhase, phaseStateFile, startPhase, PhaseError } from '../../src/phase/state.js';
import { phaseCheck } from '../../src/phase/check.js';
import { gitPushTargets, networkUse } from '../../src/phase/shell.js';

const policy = (raw: unknown = {}): Policy => PolicySchema.parse(raw);
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `cordon-phase-${p}-`));

function repo(branch = 'feature/x'): string {
  const ws = tmp('ws');
  mkdirSync(join(ws, '.git'));
  writeFileSync(join(ws, '.git', 'HEAD'), `ref: refs/heads/${branch}\n`);
  return ws;
}

async function bash(command: string, ws: string) {
  await initShellParser();
  const ir = parseShell(command, { cwd: ws, home: '/home/u' });
  return { tool: 'Bash', input: { command }, shellCommands: ir.commands, cwd: ws, workspace: ws, home: '/home/u' };
}

test('schema: built-in phases, no default, strict, default must be defined', () => {
  const p = policy();
  assert.equal(p.phases.default, undefined);
  assert.deepEqual(Object.keys(p.phases.defs), ['analyze', 'implement', 'release']);
  assert.equal(p.phases.defs.release!.bash.push, 'unprotected');
  assert.ok(p.phases.protectedBranches.includes('main'));
  assert.equal(PolicySchema.safeParse({ phases: { default: 'nope' } }).success, false);
  assert.equal(PolicySchema.safeParse({ phases: { defs: { a: { tools: ['Read'], extra: 1 } } } }).success, false);
  assert.equal(PolicySchema.safeParse({ phases: { defs: { a: { maxTtl: '2 hours' } } } }).success, false);
  const custom = policy({ phases: { default: 'ro', defs: { ro: { tools: ['Read'] } } } });
  assert.deepEqual(Object.keys(custom.phases.defs), ['ro']);
  assert.equal(custom.phases.defs.ro!.bash.network, false);
  assert.equal(custom.phases.defs.ro!.maxTtl, '8h');
});

test('activePhase: env wins over state, state over default; expiry falls back by itself', () => {
  const ws = repo();
  const stateDir = tmp('state');
  const p = policy({ phases: { default: 'analyze' } });
  const now = 1_800_000_000_000;
  assert.deepEqual(activePhase({ workspace: ws, stateDir, env: {}, policy: p, now }), { name: 'analyze', source: 'default' });
  startPhase({ workspace: ws, stateDir, policy: p, name: 'implement', ttl: '30m', now, startedBy: 'alice' });
  const file = phaseStateFile(stateDir, ws);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const a = activePhase({ workspace: ws, stateDir, env: {}, policy: p, now: now + 60_000 });
  assert.equal(a?.name, 'implement');
  assert.equal(a?.source, 'state');
  assert.equal(a?.expires, now + 30 * 60_000);
  assert.equal(activePhase({ workspace: ws, stateDir, env: { CORDON_PHASE: 'release' }, policy: p, now })?.source, 'env');
  assert.deepEqual(activePhase({ workspace: ws, stateDir, env: {}, policy: p, now: now + 30 * 60_000 }), { name: 'analyze', source: 'default' });
  // Another workspace is not affected.
  assert.equal(activePhase({ workspace: repo(), stateDir, env: {}, policy: p, now })?.source, 'default');
  assert.equal(endPhase(stateDir, ws, now), 'implement');
  assert.equal(activePhase({ workspace: ws, stateDir, env: {}, policy: p, now })?.source, 'default');
  assert.equal(activePhase({ workspace: ws, stateDir, env: {}, policy: policy(), now }), undefined);
});

test('startPhase refuses unknown phases, bad TTLs and TTLs over maxTtl', () => {
  const ws = repo();
  const stateDir = tmp('state');
  const p = policy();
  assert.throws(() => startPhase({ workspace: ws, stateDir, policy: p, name: 'deploy', now: 0 }), PhaseError);
  assert.throws(() => startPhase({ workspace: ws, stateDir, policy: p, name: 'release', ttl: '3h', now: 0 }), /maxTtl/);
  assert.throws(() => startPhase({ workspace: ws, stateDir, policy: p, name: 'release', ttl: 'soon', now: 0 }), /duration/);
  assert.equal(startPhase({ workspace: ws, stateDir, policy: p, name: 'release', now: 0 }).expires, 2 * 3_600_000);
});

test('phaseCheck: analyze refuses Edit and names the phases that allow it', () => {
  const ws = repo();
  const f = phaseCheck({ name: 'analyze' }, policy(), { tool: 'Edit', input: { file_path: join(ws, 'a.ts') }, cwd: ws, workspace: ws, home: '/home/u' });
  assert.ok(f);
  assert.equal(f.decision, 'deny');
  assert.equal(f.ruleId, 'phase.tool');
  assert.match(f.reason, /^the tool Edit is not allowed in phase analyze; phases implement, release allow it$/);
  assert.match(f.alternative ?? '', /cordon phase start implement/);
  assert.equal(phaseCheck({ name: 'analyze' }, policy(), { tool: 'Read', input: { file_path: 'x' } }), undefined);
  assert.equal(phaseCheck(undefined, policy(), { tool: 'Edit', input: {} }), undefined);
});

test('phaseCheck: an undefined phase refuses everything', () => {
  const f = phaseCheck({ name: 'ghost', source: 'env' }, policy(), { tool: 'Read', input: {} });
  assert.equal(f?.ruleId, 'phase.unknown');
  assert.match(f!.reason, /CORDON_PHASE/);
});

test('phaseCheck: implement allows local Bash, refuses network and push', async () => {
  const ws = repo();
  const p = policy();
  assert.equal(phaseCheck({ name: 'implement' }, p, await bash('npm test && tsc -p . && echo ok > out.txt', ws)), undefined);
  const net = phaseCheck({ name: 'implement' }, p, await bash('cd src && curl -s https://example.com | head', ws));
  assert.equal(net?.ruleId, 'phase.network');
  assert.match(net!.reason, /network access \(curl\) is not allowed in phase implement; no defined phase allows it/);
  assert.equal(phaseCheck({ name: 'implement' }, p, await bash('npm install left-pad', ws))?.ruleId, 'phase.network');
  assert.equal(phaseCheck({ name: 'implement' }, p, await bash('bash -c "git fetch origin"', ws))?.ruleId, 'phase.network');
  const push = phaseCheck({ name: 'implement' }, p, await bash('git push origin feature/x', ws));
  assert.equal(push?.ruleId, 'phase.push');
  assert.match(push!.reason, /git push is not allowed in phase implement; phase release allows it/);
});

test('phaseCheck: release pushes only to unprotected branches', async () => {
  const p = policy();
  const ws = repo('feature/x');
  assert.equal(phaseCheck({ name: 'release' }, p, await bash('git push origin feature/x', ws)), undefined);
  assert.equal(phaseCheck({ name: 'release' }, p, await bash('git push', ws)), undefined);
  assert.equal(phaseCheck({ name: 'release' }, p, await bash('git push -u origin HEAD', ws)), undefined);
  const main = phaseCheck({ name: 'release' }, p, await bash('git push origin HEAD:main', ws));
  assert.match(main?.reason ?? '', /protected branch main/);
  assert.equal(phaseCheck({ name: 'release' }, p, await bash('git -C . push origin release/1.2', ws))?.ruleId, 'phase.push');
  assert.equal(phaseCheck({ name: 'release' }, p, await bash('git push --all origin', ws))?.ruleId, 'phase.push');
  // On a protected branch, a bare push goes to it.
  assert.equal(phaseCheck({ name: 'release' }, p, await bash('git push', repo('main')))?.ruleId, 'phase.push');
  const any = policy({ phases: { defs: { ship: { tools: ['Bash'], bash: { push: 'any' } } } } });
  assert.equal(phaseCheck({ name: 'ship' }, any, await bash('git push origin main', ws)), undefined);
});

test('phaseCheck: writes outside the workspace are refused unless the phase allows them', async () => {
  const ws = repo();
  const p = policy({ paths: { allowTemp: false } });
  const out = phaseCheck({ name: 'implement' }, p, await bash('cp build.tar /opt/releases/', ws));
  assert.equal(out?.ruleId, 'phase.write-outside');
  assert.equal(phaseCheck({ name: 'implement' }, p, await bash('echo hi > /etc/motd', ws))?.ruleId, 'phase.write-outside');
  assert.equal(phaseCheck({ name: 'implement' }, p, await bash('make 2>/dev/null > build.log', ws)), undefined);
  const edit = phaseCheck({ name: 'implement' }, p, { tool: 'Write', input: { file_path: '/srv/x.txt' }, cwd: ws, workspace: ws, home: '/home/u' });
  assert.equal(edit?.ruleId, 'phase.write-outside');
  const loose = policy({ phases: { defs: { wide: { tools: ['Bash', 'Write'], bash: { writesOutside: true } } } } });
  assert.equal(phaseCheck({ name: 'wide' }, loose, await bash('cp a /opt/b', ws)), undefined);
});

test('shell facts: network use and push targets', async () => {
  await initShellParser();
  const one = (c: string) => parseShell(c, { cwd: '/w', home: '/h' }).commands.at(-1)!;
  assert.equal(networkUse(one('python3 -m pip install requests')), 'pip install');
  assert.equal(networkUse(one('pip3 list')), undefined);
  assert.equal(networkUse(one('rsync -a dist/ host:/srv/')), 'rsync to a remote host');
  assert.equal(networkUse(one('rsync -a dist/ /tmp/x/')), undefined);
  assert.equal(networkUse(one('yarn')), 'yarn (install)');
  assert.equal(networkUse(one('git status')), undefined);
  assert.deepEqual(gitPushTargets(one('git push origin +a:refs/heads/b c')), { dests: ['b', 'c'], all: false });
  assert.equal(gitPushTargets(one('git pull')), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicySchema } from '../../src/policy/schema.js';
import { checkAgainstBase, diffPolicies, parsePolicyText, review, type PolicyChange } from '../../src/policy/diff.js';

const P = (raw: unknown) => PolicySchema.parse(raw);
const keys = (cs: PolicyChange[], kind: PolicyChange['kind']) => cs.filter((c) => c.kind === kind).map((c) => c.key).sort();

test('identical policies: no changes', () => {
  assert.deepEqual(diffPolicies(P({}), P({})), []);
});

test('every kind of widening is reported with a severity', () => {
  const a = P({ web: { allow: ['docs.example.com'] }, phases: { default: 'analyze' }, bash: { overrides: [{ rule: 'git.force-push', decision: 'deny', reason: 'never' }] } });
  const b = P({
    preset: 'standard',
    tools: { allow: [...a.tools.allow, 'mcp__github__*'], deny: [], unknown: 'ask' },
    paths: { extraRoots: ['~'], allowTemp: true, readOutside: 'allow', writeOutside: 'ask' },
    web: { allow: [] },
    bash: { overrides: [{ rule: 'fs.rm-outside-workspace', decision: 'allow', command: 'rm -rf /srv/cache*', reason: 'cache' }] },
    hook: { onAllow: 'allow' },
    sandbox: { mode: 'off', network: { allow: [...a.sandbox.network.allow, '*.corp.example'] } },
    phases: { defs: { ...a.phases.defs, analyze: { ...a.phases.defs.analyze, tools: [...a.phases.defs.analyze!.tools, 'Bash'] }, release: { ...a.phases.defs.release, bash: { ...a.phases.defs.release!.bash, push: 'any' }, maxTtl: '8h' }, deploy: { tools: ['Bash'] } } },
    injection: { taint: 'off' },
    secrets: { mask: false },
    audit: { retentionDays: 7 },
  });
  const cs = diffPolicies(a, b);
  const w = keys(cs, 'widening');
  for (const k of [
    'tools.allow+mcp__github__*',
    'tools.unknown:deny->ask',
    'paths.extraRoots+~',
    'paths.readOutside:ask->allow',
    'paths.writeOutside:deny->ask',
    'web.allow:restricted->any',
    'bash.overrides+fs.rm-outside-workspace command=rm -rf /srv/cache*',
    'bash.overrides-git.force-push',
    'hook.onAllow:passthrough->allow',
    'sandbox.mode:on->off',
    'sandbox.network.allow+*.corp.example',
    'phases.default:analyze->none',
    'phases.defs.analyze.tools+Bash',
    'phases.defs.release.bash.push:unprotected->any',
    'phases.defs.release.maxTtl:2h->8h',
    'phases.defs+deploy',
    'injection.taint:detection->off',
    'secrets.mask:true->false',
    'audit.retentionDays:0->7',
  ]) assert.ok(w.includes(k), `missing widening ${k}; got ${w.join(', ')}`);
  const sev = (k: string) => cs.find((c) => c.key === k)!.severity;
  assert.equal(sev('tools.allow+mcp__github__*'), 'high');
  assert.equal(sev('sandbox.mode:on->off'), 'high');
  assert.equal(sev('paths.extraRoots+~'), 'high');
  assert.equal(sev('phases.defs.release.maxTtl:2h->8h'), 'low');
  assert.deepEqual(keys(cs, 'narrowing'), []);
});

test('narrowings are reported as such, and the reverse diff flips them', () => {
  const a = P({});
  const b = P({ preset: 'paranoid', tools: { allow: ['Read', 'Grep'], deny: ['WebFetch'] }, paths: { allowTemp: false }, web: { allow: ['docs.example.com'] }, phases: { default: 'analyze' } });
  const cs = diffPolicies(a, b);
  assert.deepEqual(keys(cs, 'widening'), []);
  const n = keys(cs, 'narrowing');
  for (const k of ['preset:standard->paranoid', 'tools.deny+WebFetch', 'tools.allow-Bash', 'paths.allowTemp:true->false', 'web.allow:any->restricted', 'phases.default:none->analyze']) assert.ok(n.includes(k), k);
  const back = diffPolicies(b, a);
  for (const k of ['preset:paranoid->standard', 'tools.deny-WebFetch', 'tools.allow+Bash', 'paths.allowTemp:false->true', 'phases.default:analyze->none']) assert.ok(keys(back, 'widening').includes(k), k);
});

test('acknowledged entries mark widenings; parsePolicyText reads them', () => {
  const text = `
tools:
  allow: [Read, mcp__github__*]
acknowledged:
  - change: "tools.allow+mcp__github__*"
    reason: GitHub issues triage bot
    by: alice
  - change: "tools.allow-*"
    reason: trimmed
    by: alice
`;
  const parsed = parsePolicyText(text, 'policy.yaml');
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const cs = review(P({}), parsed.policy, parsed.acknowledged);
  const gh = cs.find((c) => c.key === 'tools.allow+mcp__github__*');
  assert.deepEqual(gh?.acknowledged, { by: 'alice', reason: 'GitHub issues triage bot' });
  assert.equal(cs.filter((c) => c.kind === 'widening' && !c.acknowledged).length, 0);
  const bad = parsePolicyText('acknowledged: [{ change: x }]\ntools: { allow: 3 }', 'p.yaml');
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.problems.length, 3);
});

function git(cwd: string, ...args: string[]) {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
}

function repoWithPolicy(base: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-policy-check-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, '.cordon'));
  writeFileSync(join(dir, '.cordon', 'policy.yaml'), base);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  return dir;
}

test('checkAgainstBase: unacknowledged widening fails, acknowledged passes, missing base file is the defaults', async () => {
  const dir = repoWithPolicy('preset: strict\n');
  writeFileSync(join(dir, '.cordon', 'policy.yaml'), 'preset: standard\n');
  const r = await checkAgainstBase({ root: dir, base: 'HEAD' });
  assert.deepEqual(r.unacknowledged.map((c) => c.key), ['preset:strict->standard']);
  writeFileSync(join(dir, '.cordon', 'policy.yaml'), 'preset: standard\nacknowledged:\n  - { change: "preset:strict->standard", reason: "too many prompts", by: bob }\n  - { change: "sandbox.mode:on->off", reason: "old", by: bob }\n');
  const ok = await checkAgainstBase({ root: dir, base: 'HEAD' });
  assert.equal(ok.unacknowledged.length, 0);
  assert.deepEqual(ok.unusedAcks.map((a) => a.change), ['sandbox.mode:on->off']);
  await assert.rejects(checkAgainstBase({ root: dir, base: 'no-such-ref' }), /not found/);
  const empty = mkdtempSync(join(tmpdir(), 'cordon-policy-check-'));
  git(empty, 'init', '-q');
  writeFileSync(join(empty, 'README'), 'x');
  git(empty, 'add', '.');
  git(empty, 'commit', '-q', '-m', 'x');
  mkdirSync(join(empty, '.cordon'));
  writeFileSync(join(empty, '.cordon', 'policy.yaml'), 'sandbox: { mode: "off" }\n');
  const fromDefaults = await checkAgainstBase({ root: empty, base: 'HEAD' });
  assert.deepEqual(fromDefaults.unacknowledged.map((c) => c.key), ['sandbox.mode:on->off']);
});

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('cordon policy check / diff through the CLI: exit codes and JSON', () => {
  const dir = repoWithPolicy('tools:\n  deny: [WebFetch]\n');
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(run(['policy', 'check', '--base', 'HEAD']).status, 0);
  writeFileSync(join(dir, '.cordon', 'policy.yaml'), 'tools:\n  deny: []\n');
  const fail = run(['policy', 'check', '--base', 'HEAD']);
  assert.equal(fail.status, 1, fail.stderr);
  assert.match(fail.stdout, /tools\.deny-WebFetch/);
  assert.match(fail.stdout, /acknowledged:/);
  const json = JSON.parse(run(['policy', 'check', '--base', 'HEAD', '--json']).stdout);
  assert.equal(json.unacknowledged[0].key, 'tools.deny-WebFetch');
  assert.equal(json.unacknowledged[0].severity, 'high');
  writeFileSync(join(dir, 'old.yaml'), 'paths: { allowTemp: false }\n');
  writeFileSync(join(dir, 'new.yaml'), 'paths: { allowTemp: true }\n');
  const diff = run(['policy', 'diff', 'old.yaml', 'new.yaml', '--json']);
  assert.equal(diff.status, 0, diff.stderr);
  assert.deepEqual(JSON.parse(diff.stdout).map((c: PolicyChange) => c.key), ['paths.allowTemp:false->true']);
  assert.equal(run(['policy', 'diff', 'old.yaml', 'missing.yaml']).status, 2);
});

const SCRIPT = fileURLToPath(new URL('../../../scripts/pre-commit-policy-check.sh', import.meta.url));

test('pre-commit script: refuses a staged unacknowledged widening, accepts it once acknowledged', () => {
  const dir = repoWithPolicy('sandbox: { mode: "on" }\n');
  const bin = mkdtempSync(join(tmpdir(), 'cordon-bin-'));
  writeFileSync(join(bin, 'cordon'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  const run = () => spawnSync('sh', [SCRIPT], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(run().status, 0, 'nothing staged');
  writeFileSync(join(dir, '.cordon', 'policy.yaml'), 'sandbox: { mode: "off" }\n');
  assert.equal(run().status, 0, 'changed but not staged');
  git(dir, 'add', '.cordon/policy.yaml');
  const refused = run();
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /sandbox\.mode:on->off/);
  writeFileSync(join(dir, '.cordon', 'policy.yaml'), 'sandbox: { mode: "off" }\nacknowledged:\n  - { change: "sandbox.mode:on->off", reason: "bwrap missing on CI runners", by: erin }\n');
  assert.equal(run().status, 1, 'the acknowledgement is not staged yet');
  git(dir, 'add', '.cordon/policy.yaml');
  const ok = run();
  assert.equal(ok.status, 0, ok.stderr);
});

/**
 * Focused checks on rule behaviour: IR status findings, unknown working directories, rule metadata, reasons
 * naming concrete paths, alternatives, ordering, and nested analysis paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRules, decide, PACKS, runRules } from '../../src/rules/index.js';
import type { Command, RuleContext, ShellIR } from '../../src/ir/types.js';
import { check, HOME, ready, WS } from './harness.js';

const ctxFor = (ir: ShellIR): RuleContext => ({ workspace: WS, home: HOME, extraRoots: [], preset: 'standard', ir });

test('limited input is denied with a reason that names the limit', () => {
  const ir: ShellIR = { status: 'limited', commands: [], problems: ['input larger than 64 KiB'] };
  const f = runRules(ir, ctxFor(ir));
  assert.equal(decide(f), 'deny');
  assert.equal(f[0]!.ruleId, 'shell.limit');
  assert.match(f[0]!.reason, /too large or too deeply nested.*64 KiB/);
});

test('invalid input asks', () => {
  const ir: ShellIR = { status: 'invalid', commands: [], problems: ['unexpected token'] };
  const f = runRules(ir, ctxFor(ir));
  assert.equal(decide(f), 'ask');
  assert.equal(f[0]!.ruleId, 'shell.unparsable');
});

test('a relative delete after an unknown cd asks, a known cd is resolved', async () => {
  await ready();
  assert.equal(check('cd "$X" && rm -rf build').decision, 'ask');
  assert.equal(check('cd src && rm -rf build').decision, 'allow');
  assert.equal(check('cd /etc && rm -rf ssl').decision, 'deny');
  assert.equal(check('cd /tmp && rm -rf x').decision, 'allow');
});

test('hand-built command without cwd falls back to the workspace', () => {
  const w = (s: string) => ({ raw: s, value: s, text: s, dynamic: false });
  const cmd: Command = { argv: [w('rm'), w('-rf'), w('dist')], name: 'rm', assignments: [], redirects: [], wrappers: [], via: [],
    stdin: { kind: 'inherit' }, stdout: 'inherit', text: 'rm -rf dist', depth: 0 };
  const ir: ShellIR = { status: 'complete', commands: [cmd], problems: [] };
  assert.equal(decide(runRules(ir, ctxFor(ir))), 'allow');
  const up: ShellIR = { ...ir, commands: [{ ...cmd, argv: [w('rm'), w('-rf'), w('..')] }] };
  assert.equal(decide(runRules(up, ctxFor(up))), 'deny');
});

test('extra roots count as inside the workspace', async () => {
  await ready();
  const { parseShell } = await import('../../src/parse/index.js');
  const ir = parseShell('rm -rf /data/cache/x', { cwd: WS, home: HOME });
  assert.equal(decide(runRules(ir, ctxFor(ir))), 'deny');
  assert.equal(decide(runRules(ir, { ...ctxFor(ir), extraRoots: ['/data/cache'] })), 'allow');
});

test('rule ids are unique, pack-prefixed and described', () => {
  const ids = allRules().map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const p of PACKS) for (const r of p.rules) {
    assert.match(r.id, new RegExp(`^${p.id}\\.[a-z0-9-]+$`));
    assert.ok(r.description.length > 10);
  }
});

test('reasons name the concrete path and alternatives are given', async () => {
  await ready();
  const f = check('rm -rf ~/Documents').findings[0]!;
  assert.match(f.reason, /\/home\/dev\/Documents/);
  assert.ok(f.alternative);
  const g = check('git push --force origin main').findings[0]!;
  assert.match(g.reason, /main/);
  assert.match(g.alternative ?? '', /force-with-lease/);
});

test('findings are ordered strongest first', async () => {
  await ready();
  const f = check('git reset --hard && rm -rf /').findings;
  assert.equal(f[0]!.decision, 'deny');
  assert.ok(f.some((x) => x.ruleId === 'git.reset-hard'));
});

test('nested analysis records how the command was reached', async () => {
  await ready();
  const f = check(`python3 -c "import os; os.system('rm -rf /')"`).findings.find((x) => x.ruleId === 'fs.rm-root')!;
  assert.ok(f.via?.some((v) => v.includes('python3')), JSON.stringify(f.via));
});

test('force-with-lease to a feature branch is allowed, to main asks', async () => {
  await ready();
  assert.equal(check('git push --force-with-lease origin feature/x').decision, 'allow');
  assert.equal(check('git push --force-with-lease origin main').decision, 'ask');
  assert.equal(check('git push --force-with-lease').decision, 'ask');
});

test('single-file checkout and staged restore pass, whole-tree ones ask', async () => {
  await ready();
  assert.equal(check('git checkout -- src/a.ts').decision, 'allow');
  assert.equal(check('git restore --staged .').decision, 'allow');
  assert.equal(check('git checkout -bfeature').decision, 'allow');
  assert.equal(check('git restore -SW .').decision, 'ask');
});

test('.env templates are readable, real .env files are not', async () => {
  await ready();
  for (const f of ['.env.example', '.env.sample', '.env.template']) assert.equal(check(`cat ${f}`).decision, 'allow', f);
  assert.equal(check('cat .env.local').decision, 'deny');
  assert.equal(check('cat ~/.ssh/id_ed25519.pub').decision, 'allow');
});

test('temp dir: below /tmp is fine, /tmp itself and escapes are not', async () => {
  await ready();
  assert.equal(check('rm -rf /tmp/x').decision, 'allow');
  assert.equal(check('rm -rf $TMPDIR/x').decision, 'allow');
  assert.equal(check('rm -rf /tmp').decision, 'deny');
  assert.equal(check('rm -rf /tmp/*').decision, 'deny');
  assert.equal(check('rm -rf $TMPDIR/../etc').decision, 'deny');
});

test('words hidden in a redirect target still count as arguments', async () => {
  await ready();
  assert.equal(check('rm -rf 2>/dev/null /').decision, 'deny');
});

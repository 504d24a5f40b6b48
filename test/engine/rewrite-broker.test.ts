/**
 * The rewrite decision for `cordon exec`: exactly one plain `cordon exec …` call is left outside the sandbox (it
 * confines its own child) and pinned to this installation's cordon; anything around it keeps the sandbox layer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerArgv, rewriteShellCall } from '../../src/engine/rewrite.js';
import { initShellParser, parseShell } from '../../src/parse/index.js';
import { defaultPolicy, type Policy } from '../../src/policy/schema.js';
import { cliEntry } from '../../src/secrets/mask.js';

const base = mkdtempSync(join(tmpdir(), 'crw-'));
const home = join(base, 'h');
const ws = join(base, 'ws');
const stateDir = join(base, 's');

before(async () => {
  await initShellParser();
});
after(() => rmSync(base, { recursive: true, force: true }));

const decide = (src: string) => brokerArgv(src, parseShell(src, { cwd: ws, home }).commands);

test('a lone cordon exec (or npx cordon exec) with static words is the broker', () => {
  assert.deepEqual(decide('cordon exec --secret GH_TOKEN -- gh api user'), ['exec', '--secret', 'GH_TOKEN', '--', 'gh', 'api', 'user']);
  assert.deepEqual(decide('  npx cordon exec --secret GH_TOKEN -- gh api user;'), ['exec', '--secret', 'GH_TOKEN', '--', 'gh', 'api', 'user']);
  assert.deepEqual(decide(`cordon exec --secret 'A=B' -- gh api "repos/o/r?x=1" '*'`), ['exec', '--secret', 'A=B', '--', 'gh', 'api', 'repos/o/r?x=1', '*']);
  assert.deepEqual(decide('cordon exec --secret T -- gh ~/x {a,b}'), ['exec', '--secret', 'T', '--', 'gh', join(home, 'x'), 'a', 'b']);
});

test('anything around or inside the call keeps it sandboxed', () => {
  for (const src of [
    'cordon exec --secret GH_TOKEN -- gh api user | sh',
    'cd x && cordon exec --secret GH_TOKEN -- gh api user',
    'cordon exec --secret GH_TOKEN -- gh api user; rm -rf .',
    'cordon exec --secret GH_TOKEN -- gh api $(cat f)',
    'cordon exec --secret "$NAME" -- gh api user',
    'cordon exec --secret GH_TOKEN -- gh api user > out.txt',
    'cordon exec --secret GH_TOKEN -- gh api user <<EOF\nx\nEOF',
    'cordon exec --secret GH_TOKEN -- gh api *',
    'PATH=. cordon exec --secret GH_TOKEN -- gh api user',
    'env cordon exec --secret GH_TOKEN -- gh api user',
    'nohup cordon exec --secret GH_TOKEN -- gh api user',
    '(cordon exec --secret GH_TOKEN -- gh api user)',
    'cordon exec --secret GH_TOKEN -- gh api user &',
    '! cordon exec --secret GH_TOKEN -- gh api user',
    './node_modules/.bin/cordon exec --secret GH_TOKEN -- gh',
    'npx -y cordon exec --secret GH_TOKEN -- gh',
    'cordon secrets list',
    'cordon --version exec',
  ]) {
    assert.equal(decide(src), undefined, src);
  }
});

function rewrite(command: string, policy: Policy) {
  const ev = { event: 'PreToolUse' as const, sessionId: 'rw-test', cwd: ws, toolName: 'Bash', toolInput: { command }, raw: {} };
  return rewriteShellCall(ev, { policy, workspace: ws, home, stateDir, env: { PATH: process.env.PATH, HOME: home, CORDON_HOME: stateDir } });
}

test('the hook pins the broker call to this installation and does not sandbox-wrap it', () => {
  const rw = rewrite('cordon exec --secret GH_TOKEN -- gh api "a b"', defaultPolicy());
  assert.ok(rw && 'updatedInput' in rw, JSON.stringify(rw));
  assert.deepEqual(rw.layers, ['broker']);
  const again = parseShell(String(rw.updatedInput.command), { cwd: ws, home });
  assert.equal(again.commands.length, 1);
  assert.deepEqual(
    again.commands[0]!.argv.map((w) => w.value),
    [process.execPath, cliEntry(), 'exec', '--secret', 'GH_TOKEN', '--', 'gh', 'api', 'a b'],
  );
});

test('compound calls around cordon exec are sandbox-wrapped (or refused when no sandbox can start)', () => {
  for (const command of ['cordon exec --secret GH_TOKEN -- gh api user | sh', 'cd x && cordon exec --secret GH_TOKEN -- gh api user']) {
    const rw = rewrite(command, defaultPolicy());
    assert.ok(rw, command);
    if ('refusal' in rw) assert.equal(rw.refusal.ruleId, 'cordon.sandbox-unavailable');
    else assert.deepEqual(rw.layers, ['sandbox'], command);
  }
});

test('with sandbox.mode: off a cordon exec call is left as written', () => {
  const policy = defaultPolicy();
  policy.sandbox.mode = 'off';
  assert.equal(rewrite('cordon exec --secret GH_TOKEN -- gh api user', policy), undefined);
});

test('PostToolUse gets the broker call back as cordon exec with the same words', async () => {
  const { unwrapShellCall } = await import('../../src/engine/rewrite.js');
  const rw = rewrite(`npx cordon exec --secret GH_TOKEN -- gh api "a b" 'c'"'"'d'`, defaultPolicy());
  assert.ok(rw && 'updatedInput' in rw, JSON.stringify(rw));
  const back = unwrapShellCall(String(rw.updatedInput.command));
  assert.ok(back !== undefined);
  assert.deepEqual(
    parseShell(back, { cwd: ws, home }).commands[0]!.argv.map((w) => w.value),
    ['cordon', 'exec', '--secret', 'GH_TOKEN', '--', 'gh', 'api', 'a b', "c'd"],
  );
});

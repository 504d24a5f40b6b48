import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, RuleContext } from '../../src/ir/types.js';
import { initShellParser, parseShell } from '../../src/parse/index.js';
import { selfProtectPack } from '../../src/selfprotect/pack.js';
import { selfProtectPath } from '../../src/selfprotect/paths.js';
import { agentAncestor, runningUnderAgent } from '../../src/selfprotect/agent.js';

const WS = '/work/repo';
const HOME = '/home/u';
const STATE = '/var/lib/cordon-state';

async function check(command: string, cwd = WS): Promise<Finding[]> {
  await initShellParser();
  const ir = parseShell(command, { cwd, home: HOME });
  const ctx: RuleContext & { stateDir: string } = { workspace: WS, home: HOME, extraRoots: [], preset: 'standard', ir, stateDir: STATE };
  return ir.commands.flatMap((c) => selfProtectPack.check(c, ctx));
}

const DENIED: [string, string][] = [
  ['cordon init --undo', 'self.uninstall'],
  ['npx cordon init --yes --undo', 'self.uninstall'],
  ['node ./node_modules/cordon/dist/src/cli/main.js init --undo', 'self.uninstall'],
  ['npm uninstall cordon', 'self.uninstall'],
  ['npm rm -g cordon', 'self.uninstall'],
  ['pnpm remove cordon', 'self.uninstall'],
  ['cordon phase start release --ttl 2h', 'self.human-only'],
  ['cordon phase end', 'self.human-only'],
  ['cordon approve ABCDE23456', 'self.human-only'],
  ['env -u CLAUDECODE cordon approve ABCDE23456', 'self.human-only'],
  ['bash -c "cordon approve ABCDE23456"', 'self.human-only'],
  ['sudo cordon taint clear', 'self.human-only'],
  ['git config core.hooksPath /dev/null', 'self.git-hooks-path'],
  ['git config --unset core.hookspath', 'self.git-hooks-path'],
  ['git -c core.hooksPath=/tmp/none commit -m x', 'self.git-hooks-path'],
  ['echo {} > .claude/settings.json', 'self.protected-file'],
  ['cd sub && echo {} >> ../.claude/settings.local.json', 'self.protected-file'],
  ['jq ".hooks = {}" .claude/settings.json > /tmp/s && cp /tmp/s .claude/settings.json', 'self.protected-file'],
  ['jq . x > .mcp.json', 'self.protected-file'],
  ['printf "rules: []" | tee .cordon/policy.yaml', 'self.protected-file'],
  ["sed -i 's/deny/allow/' .cordon/policy.yaml", 'self.protected-file'],
  ['rm .claude/settings.json', 'self.protected-file'],
  ['rm -rf .claude', 'self.protected-file'],
  ['rm -rf .cordon', 'self.protected-file'],
  ['mv .git/hooks/pre-commit /tmp/', 'self.protected-file'],
  ['echo "exit 0" > .git/hooks/pre-commit', 'self.protected-file'],
  ['cat x >> .git/config', 'self.protected-file'],
  ['rm -rf ~/.cordon', 'self.protected-file'],
  [`sqlite3 ${STATE}/approvals.db "update approvals set status='approved'" > ${STATE}/out`, 'self.protected-file'],
  ['echo x > ~/.claude/settings.json', 'self.protected-file'],
  [`python3 -c "open('.claude/settings.json','w').write('{}')"`, 'self.protected-file'],
  [`perl -e 'open(F, ">", ".cordon/policy.yaml"); print F "x"'`, 'self.protected-file'],
  [`node -e "require('fs').writeFileSync('.mcp.json', '{}')"`, 'self.protected-file'],
  ['CLAUDE_CODE_SIMPLE=1 claude -p "do it"', 'self.disable-hooks'],
  ['env CLAUDE_CODE_SIMPLE=1 claude -p x', 'self.disable-hooks'],
  ['export CLAUDE_CODE_SIMPLE=1', 'self.disable-hooks'],
  ['export CLAUDE_CODE_SIMPLE', 'self.disable-hooks'],
  ['declare -x CLAUDE_CODE_SAFE_MODE=1', 'self.disable-hooks'],
  ['claude --bare -p "x"', 'self.disable-hooks'],
  ['claude -p x --safe-mode', 'self.disable-hooks'],
  ['claude --setting-sources=user -p x', 'self.disable-hooks'],
  ['CORDON_PHASE=release claude -p "push it"', 'self.disable-hooks'],
  ['export CORDON_HOME=/tmp/fresh', 'self.disable-hooks'],
];

for (const [cmd, rule] of DENIED) {
  test(`denies: ${cmd}`, async () => {
    const fs = await check(cmd);
    const f = fs.find((x) => x.ruleId === rule);
    assert.ok(f, `expected ${rule}, got ${JSON.stringify(fs.map((x) => x.ruleId))}`);
    assert.equal(f.decision, 'deny');
    assert.equal(f.severity, 'catastrophic');
    assert.ok(f.reason.length > 20);
  });
}

const ALLOWED = [
  'cordon phase status',
  'cordon explain "rm -rf /"',
  'cordon approve --list',
  'cordon init --yes',
  'npm uninstall left-pad',
  'cat .claude/settings.json',
  'jq . .cordon/policy.yaml',
  'git config user.name alice',
  'git config --get core.hooksPath',
  'cp .claude/settings.json /tmp/backup.json',
  'echo ok > notes/claude-settings.json',
  'claude -p "hello"',
  'grep -r CLAUDE_CODE_SIMPLE docs/',
  'rm -rf node_modules dist',
  'python3 -c "print(open(\'.cordon/policy.yaml\').read())"',
  `node -e "const p = require('fs').readFileSync('.cordon/policy.yaml', 'utf8'); [1].map((x) => x)"`,
];

for (const cmd of ALLOWED) {
  test(`leaves alone: ${cmd}`, async () => {
    assert.deepEqual((await check(cmd)).map((f) => f.ruleId), []);
  });
}

test('rule metadata: self.* ids, catastrophic deny', () => {
  assert.equal(selfProtectPack.id, 'self');
  assert.ok(selfProtectPack.rules.length >= 5);
  for (const r of selfProtectPack.rules) {
    assert.match(r.id, /^self\./);
    assert.equal(r.severity, 'catastrophic');
    assert.equal(r.decision, 'deny');
  }
});

test('selfProtectPath: file tools cannot edit protected files, symlinks included', () => {
  const ctx = { home: HOME, stateDir: STATE, cwd: WS, tool: 'Edit' };
  for (const p of ['.claude/settings.json', '.claude/settings.local.json', `${WS}/.cordon/policy.yaml`, '.mcp.json', '.git/hooks/pre-commit', '.git/config', '~/.claude/settings.json', `${STATE}/phases/x.json`, '~/.cordon/approval.key']) {
    const f = selfProtectPath(p, ctx);
    assert.ok(f, p);
    assert.equal(f.ruleId, 'self.protected-file');
    assert.equal(f.severity, 'catastrophic');
  }
  for (const p of ['src/index.ts', '.claude/agents/x.md', '.git/COMMIT_EDITMSG', 'docs/.mcp.json.md', '.gitconfig']) {
    assert.equal(selfProtectPath(p, ctx), undefined, p);
  }
  const ws = mkdtempSync(join(tmpdir(), 'cordon-self-'));
  mkdirSync(join(ws, '.claude'));
  writeFileSync(join(ws, '.claude', 'settings.json'), '{}');
  symlinkSync(join(ws, '.claude', 'settings.json'), join(ws, 'innocent.json'));
  assert.equal(selfProtectPath('innocent.json', { ...ctx, cwd: ws })?.ruleId, 'self.protected-file');
});

test('runningUnderAgent: Claude Code environment markers and process ancestry', () => {
  assert.match(runningUnderAgent({ CLAUDECODE: '1' }, { ancestry: false }) ?? '', /CLAUDECODE=1/);
  assert.match(runningUnderAgent({ AI_AGENT: 'claude-code_2-1-332_agent' }, { ancestry: false }) ?? '', /AI_AGENT/);
  assert.equal(runningUnderAgent({ CLAUDECODE: '0' }, { ancestry: false }), undefined);
  assert.equal(runningUnderAgent({ HOME: '/home/u' }, { ancestry: false }), undefined);
  // A fake /proc: 40 (bash) ← 30 (claude) ← 1.
  const proc = mkdtempSync(join(tmpdir(), 'cordon-proc-'));
  const stat = (pid: number, comm: string, ppid: number) => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1`);
  };
  stat(50, 'node', 40);
  stat(40, 'bash', 30);
  stat(30, 'claude', 1);
  assert.deepEqual(agentAncestor(proc, 50), { pid: 30, name: 'claude' });
  assert.match(runningUnderAgent({}, { ancestry: true, procRoot: proc, pid: 50 }) ?? '', /parent process claude, pid 30/);
  stat(60, 'node', 45);
  stat(45, 'zsh (login)', 1);
  assert.equal(runningUnderAgent({}, { ancestry: true, procRoot: proc, pid: 60 }), undefined);
});

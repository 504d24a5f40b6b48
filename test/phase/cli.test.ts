import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentAncestor } from '../../src/selfprotect/agent.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const AGENT_VARS = ['CLAUDECODE', 'AI_AGENT', 'CLAUDE_CODE_ENTRYPOINT', 'CORDON_PHASE', 'CLAUDE_PROJECT_DIR'];
/** When the test run itself is a descendant of an agent, human-only commands rightly refuse: skip those cases. */
const underAgent = process.platform === 'linux' && agentAncestor('/proc', process.pid) !== undefined;

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'cordon-phase-cli-'));
  const ws = join(root, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  writeFileSync(join(ws, '.git', 'HEAD'), 'ref: refs/heads/feature\n');
  return { ws, home: join(root, 'state') };
}

function cordon(args: string[], cwd: string, home: string, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, CORDON_HOME: home, ...extra };
  for (const k of AGENT_VARS) if (!(k in extra)) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('phase start / status / end through the CLI', { skip: underAgent && 'the test run is itself under an agent' }, () => {
  const { ws, home } = setup();
  const none = cordon(['phase', 'status', '--json'], ws, home);
  assert.equal(none.code, 0, none.err);
  assert.equal(JSON.parse(none.out).phase, null);

  const start = cordon(['phase', 'start', 'analyze', '--ttl', '30m'], ws, home);
  assert.equal(start.code, 0, start.err);
  assert.match(start.out, /phase analyze in force/);
  const files = readdirSync(join(home, 'phases'));
  assert.equal(files.length, 1);
  assert.equal(statSync(join(home, 'phases', files[0]!)).mode & 0o777, 0o600);

  const status = JSON.parse(cordon(['phase', 'status', '--json'], join(ws), home).out);
  assert.equal(status.phase.name, 'analyze');
  assert.equal(status.phase.source, 'state');
  assert.ok(status.phase.expires > Date.now() + 25 * 60_000 && status.phase.expires <= Date.now() + 30 * 60_000);

  // CORDON_PHASE pins the phase for a headless run.
  const pinned = JSON.parse(cordon(['phase', 'status', '--json'], ws, home, { CORDON_PHASE: 'release' }).out);
  assert.equal(pinned.phase.name, 'release');
  assert.equal(pinned.phase.source, 'env');

  const end = cordon(['phase', 'end'], ws, home);
  assert.equal(end.code, 0, end.err);
  assert.match(end.out, /phase analyze ended/);
  assert.equal(JSON.parse(cordon(['phase', 'status', '--json'], ws, home).out).phase, null);
});

test('phase start refuses unknown phases and TTLs beyond maxTtl', { skip: underAgent && 'the test run is itself under an agent' }, () => {
  const { ws, home } = setup();
  const unknown = cordon(['phase', 'start', 'deploy'], ws, home);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no phase named "deploy"/);
  const long = cordon(['phase', 'start', 'release', '--ttl', '5h'], ws, home);
  assert.equal(long.code, 1);
  assert.match(long.err, /maxTtl/);
  assert.equal(existsSync(join(home, 'phases')), false);
});

test('phase start and end refuse under the agent (CLAUDECODE=1) and change nothing', () => {
  const { ws, home } = setup();
  for (const args of [['phase', 'start', 'release'], ['phase', 'end']]) {
    const r = cordon(args, ws, home, { CLAUDECODE: '1' });
    assert.equal(r.code, 3, args.join(' '));
    assert.match(r.err, /for humans only.*CLAUDECODE=1/);
  }
  assert.equal(existsSync(join(home, 'phases')), false);
  // Reading the status is fine for the agent.
  assert.equal(cordon(['phase', 'status'], ws, home, { CLAUDECODE: '1' }).code, 0);
});

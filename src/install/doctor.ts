/**
 * `cordon doctor`: checks an installation the way Claude Code will use it. The decisive check is the live
 * canary: it runs the exact hook command line found in .claude/settings.json with a dangerous and a harmless
 * event and checks the answers, so a broken path, a missing node or a crashing hook shows up here and not as a
 * silent fail-open in a session.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from './init.js';
import { cordonHandlerParts, findCordonHandler, REGISTERED_EVENTS, type Settings } from './settings.js';
import { permissionDrift } from './permissions.js';
import { formatProblem, loadPolicy } from '../policy/load.js';
import { homeDir, stateDir as stateDirOf } from '../state.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorOptions {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Run the live sandbox probes (about 2 s). */
  probes?: boolean;
}

export async function runDoctor(opts: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const root = findRepoRoot(opts.dir) ?? opts.dir;
  const stateDir = stateDirOf(opts.env);

  // 1. Hooks registered.
  const settingsFile = join(root, '.claude', 'settings.json');
  let settings: Settings | undefined;
  try {
    settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Settings;
  } catch (err) {
    checks.push({ name: 'hooks registered', ok: false, detail: `${settingsFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing; run `cordon init --yes`' : 'not valid JSON'}` });
  }
  if (settings) {
    const missing = REGISTERED_EVENTS.filter((e) => !findCordonHandler(settings!, e));
    const handler = findCordonHandler(settings, 'PreToolUse');
    const parts = handler ? cordonHandlerParts(handler) : undefined;
    const badPaths = parts ? [...(parts.launcher ? [parts.launcher] : []), parts.node, parts.client].filter((p) => !existsSync(p)) : [];
    checks.push({
      name: 'hooks registered',
      ok: missing.length === 0 && badPaths.length === 0,
      detail:
        missing.length > 0
          ? `no cordon hook for ${missing.join(', ')}; run \`cordon init --yes\``
          : badPaths.length > 0
            ? `hook command points at missing files: ${badPaths.join(', ')}; run \`cordon init --yes\` again`
            : `${REGISTERED_EVENTS.length} events in ${settingsFile}`,
    });
  }

  // 2. Policy valid.
  const loaded = loadPolicy({ workspace: root, stateDir });
  checks.push(
    loaded.ok
      ? { name: 'policy valid', ok: true, detail: loaded.layers.map((l) => `${l.file} (${l.status})`).join('; ') }
      : { name: 'policy valid', ok: false, detail: loaded.problems.map(formatProblem).join('\n    ') },
  );

  if (settings && loaded.ok) {
    const drift = permissionDrift(settings, loaded.policy, { home: homeDir(opts.env), stateDir });
    checks.push({ name: 'permission rules', ok: drift.length === 0, detail: drift.length ? drift.join('\n    ') : "cordon's deny rules are in place" });
  }

  // 3. State dir writable.
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    accessSync(stateDir, constants.W_OK);
    const probe = join(stateDir, `.doctor-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
    checks.push({ name: 'state dir writable', ok: true, detail: stateDir });
  } catch (err) {
    checks.push({ name: 'state dir writable', ok: false, detail: `${stateDir}: ${(err as Error).message}` });
  }

  // 4. Audit store usable.
  try {
    const audit = await import('../audit/index.js');
    const store = audit.openAuditStore({ stateDir });
    store.close();
    const r = audit.verifyAudit({ stateDir });
    checks.push({ name: 'audit chain intact', ok: r.ok, detail: r.ok ? `${r.records} records in ${r.path}` : `${r.problem?.message ?? 'broken'}; run \`cordon audit verify\`` });
  } catch (err) {
    checks.push({ name: 'audit store usable', ok: false, detail: `audit store unavailable: ${(err as Error).message}` });
  }

  // The secret store: when one exists and cannot be read, output masking refuses every Bash call.
  try {
    const { SecretStore } = await import('../secrets/store.js');
    const store = new SecretStore(stateDir);
    if (store.has()) {
      const { loadKnownSecrets } = await import('../secrets/known.js');
      loadKnownSecrets({ stateDir, env: opts.env });
      checks.push({ name: 'secret store readable', ok: true, detail: `${store.list().length} secret(s); values masked in Bash output` });
    }
  } catch (err) {
    checks.push({ name: 'secret store readable', ok: false, detail: `${(err as Error).message.split('\n')[0]}; Bash calls are refused while secrets cannot be masked` });
  }

  // 5. The sandbox: dependencies, Claude Code's own sandbox block, and live probes inside it.
  if (loaded.ok && loaded.policy.sandbox.mode === 'on') {
    const { preflight } = await import('../sandbox/preflight.js');
    const pf = preflight(opts.env);
    checks.push(pf.ok ? { name: 'sandbox available', ok: true, detail: `bwrap ${pf.bwrap ?? ''}`.trim() } : { name: 'sandbox available', ok: false, detail: `${pf.error}; ${pf.fix}` });
    const { sandboxDrift } = await import('../sandbox/claude-settings.js');
    let local: Settings | undefined;
    try {
      local = JSON.parse(readFileSync(join(root, '.claude', 'settings.local.json'), 'utf8')) as Settings;
    } catch {
      local = undefined;
    }
    const ctx = { workspace: root, home: homeDir(opts.env), stateDir, sessionId: 'doctor', env: opts.env };
    const drift = sandboxDrift(local?.sandbox, loaded.policy, ctx);
    checks.push({ name: 'claude sandbox block', ok: drift.length === 0, detail: drift.length === 0 ? 'matches the policy (.claude/settings.local.json)' : drift.join('\n    ') });
    if (pf.ok && opts.probes !== false) {
      const { runProbes } = await import('../sandbox/probes.js');
      for (const p of await runProbes({ policy: loaded.policy, stateDir, sessionId: 'doctor', env: opts.env })) {
        checks.push({ name: `sandbox: ${p.name}`, ok: p.ok, detail: p.detail });
      }
    }
  } else if (loaded.ok) {
    checks.push({ name: 'sandbox', ok: true, detail: 'off by policy (sandbox.mode: off): shell commands run unconfined' });
  }

  // 6. Live canary through the exact registered command line.
  const handler = settings ? findCordonHandler(settings, 'PreToolUse') : undefined;
  if (!handler) {
    checks.push({ name: 'live canary', ok: false, detail: 'no registered PreToolUse hook to run' });
  } else {
    const env = { ...opts.env, CLAUDE_PROJECT_DIR: root };
    const danger = await runCanary(handler.command, handler.args, canaryEvent(root, 'rm -rf ~/'), env, root);
    const harmless = await runCanary(handler.command, handler.args, canaryEvent(root, 'git status'), env, root);
    const dangerOk = danger.decision === 'deny';
    const harmlessOk = harmless.exitCode === 0 && harmless.decision !== 'deny' && harmless.decision !== 'error';
    checks.push({
      name: 'live canary',
      ok: dangerOk && harmlessOk,
      detail: `\`rm -rf ~/\` → ${danger.decision} (${danger.ms} ms); \`git status\` → ${harmless.decision} (${harmless.ms} ms)${danger.note ? `; ${danger.note}` : ''}${harmless.note ? `; ${harmless.note}` : ''}`,
    });
  }
  return checks;
}

function canaryEvent(cwd: string, command: string): string {
  return JSON.stringify({
    session_id: 'cordon-doctor',
    transcript_path: '/dev/null',
    cwd,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'cordon doctor canary' },
    tool_use_id: `doctor-${Date.now()}`,
  });
}

interface CanaryResult {
  decision: string;
  exitCode: number | null;
  ms: number;
  note?: string;
}

function runCanary(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<CanaryResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let out = '';
    let err = '';
    const child = spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ decision: 'error', exitCode: null, ms: Math.round(performance.now() - t0), note: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - t0);
      try {
        const o = JSON.parse(out.trim()) as { hookSpecificOutput?: { permissionDecision?: string } };
        resolve({ decision: o.hookSpecificOutput?.permissionDecision ?? 'allow', exitCode: code, ms });
      } catch {
        resolve({ decision: 'error', exitCode: code, ms, note: `hook printed no JSON (exit ${code}) ${err.split('\n')[0] ?? ''}`.trim() });
      }
    });
    child.stdin.end(input + '\n');
  });
}

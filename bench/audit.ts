/**
 * Audit store benchmark: append throughput with 1 and 8 concurrent writer processes, and verify time for a
 * 100,000-record chain. Run after a build: node dist/bench/audit.js [records-for-verify]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuditStore, verifyAudit } from '../src/audit/index.js';

const SELF = fileURLToPath(import.meta.url);

function appendMany(stateDir: string, n: number, tag: string): void {
  const store = openAuditStore({ stateDir });
  for (let i = 0; i < n; i++) {
    store.append({
      sessionId: `bench-${tag}`,
      event: 'PreToolUse',
      tool: 'Bash',
      toolUseId: `${tag}-${i}`,
      input: { command: `npm test -- --grep case-${i}`, description: 'run the tests' },
      decision: 'allow',
      ruleId: 'core.allow',
      reason: 'no rule matched',
      durationMs: 0.7,
      cwd: '/home/user/project',
    });
  }
  store.close();
}

function child(stateDir: string, n: number, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [SELF, '--writer', stateDir, String(n), tag], { stdio: 'inherit' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${tag} exited ${code}`))));
  });
}

const temp = (): string => mkdtempSync(join(tmpdir(), 'cordon-bench-'));
const secs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

async function main(): Promise<void> {
  if (process.argv[2] === '--writer') {
    appendMany(process.argv[3] as string, Number(process.argv[4]), process.argv[5] as string);
    return;
  }
  const verifyN = Number(process.argv[2] ?? 100_000);
  const dirs: string[] = [];
  try {
    const one = temp();
    dirs.push(one);
    let t0 = process.hrtime.bigint();
    appendMany(one, 5000, 'solo');
    let s = secs(t0);
    console.log(`append, 1 process:    ${Math.round(5000 / s)} records/s (${((s / 5000) * 1000).toFixed(3)} ms each, 5,000 records)`);

    const eight = temp();
    dirs.push(eight);
    t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 8 }, (_, i) => child(eight, 1000, `p${i}`)));
    s = secs(t0);
    const ok8 = verifyAudit({ stateDir: eight });
    console.log(`append, 8 processes:  ${Math.round(8000 / s)} records/s total (8 × 1,000 records in ${s.toFixed(2)} s incl. process start; chain ${ok8.ok ? 'intact' : 'BROKEN'})`);

    const big = temp();
    dirs.push(big);
    t0 = process.hrtime.bigint();
    appendMany(big, verifyN, 'big');
    const fill = secs(t0);
    t0 = process.hrtime.bigint();
    const rep = verifyAudit({ stateDir: big });
    s = secs(t0);
    console.log(`verify:               ${verifyN.toLocaleString('en')} records in ${s.toFixed(2)} s (${Math.round(verifyN / s)} records/s; ok=${rep.ok}; filling took ${fill.toFixed(1)} s)`);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();

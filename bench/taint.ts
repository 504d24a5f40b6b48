/**
 * Cost of one taint lookup, the call every PreToolUse makes. Usage: node dist/bench/taint.js --run. Without --run it does
 * nothing (a test runner that picks it up sees it pass). Prints p50/p99 in microseconds for: a clean session
 * (marker absent: one stat), a tainted session on a warm connection (daemon), and the first lookup of a process
 * (opens the database: the in-process hook path).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeTaintStores, recordTaint, sessionTaint } from '../src/taint/store.js';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function time(n: number, fn: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

const args = process.argv.slice(2);
if (args[0] === '--cold') {
  // One lookup in a fresh process, timed from inside.
  const t = process.hrtime.bigint();
  sessionTaint(args[1]!, args[2]!);
  process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1000));
} else if (args[0] === '--run') {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-taint-bench-'));
  for (let s = 0; s < 200; s++) {
    for (let i = 0; i < 5; i++) recordTaint(dir, `tainted-${s}`, { ts: Date.now(), tool: 'WebFetch', source: `https://x${i}.example/`, trust: 'untrusted', kind: 'detection', score: 0.9, findings: ['override.ignore-previous'] });
  }
  const report = (label: string, xs: number[]) => console.log(`${label.padEnd(44)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} µs   p99 ${pct(xs, 99).toFixed(1).padStart(7)} µs   (n=${xs.length})`);
  report('clean session (marker stat only)', time(20000, () => sessionTaint(dir, 'clean-session')));
  report('tainted session, warm connection (5 rows)', time(20000, () => sessionTaint(dir, 'tainted-7')));
  closeTaintStores();
  const self = fileURLToPath(import.meta.url);
  const cold: number[] = [];
  for (let i = 0; i < 40; i++) cold.push(Number(spawnSync(process.execPath, [self, '--cold', dir, 'tainted-3']).stdout.toString()));
  report('tainted session, first lookup of a process', cold);
  const coldClean: number[] = [];
  for (let i = 0; i < 40; i++) coldClean.push(Number(spawnSync(process.execPath, [self, '--cold', dir, 'clean']).stdout.toString()));
  report('clean session, first lookup of a process', coldClean);
}

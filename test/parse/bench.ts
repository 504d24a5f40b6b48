/**
 * Timing of parseShell (not a test: run `node dist/test/parse/bench.js`). Prints p50/p99 for typical commands
 * after warm-up and the worst of five runs on ~100 KB adversarial inputs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initShellParser, parseShell } from '../../src/parse/index.js';

const opts = { cwd: '/work/proj', home: '/home/u' };
const t0 = performance.now();
await initShellParser();
console.log(`init ${(performance.now() - t0).toFixed(1)} ms`);

const typical = [
  'ls -la',
  'git status',
  'cd /tmp && rm -rf build/*',
  "find . -name '*.ts' -exec grep -l foo {} \\;",
  'cat package.json | jq .version',
  "bash -c 'echo $(date) > /tmp/x'",
  'sudo -u root env A=1 timeout 5 rm -rf /var/tmp/x 2>/dev/null',
];
const pct = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.floor(a.length * p)]!;
for (let i = 0; i < 2000; i++) for (const s of typical) parseShell(s, opts);
for (const s of typical) {
  const ts: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    parseShell(s, opts);
    ts.push(performance.now() - t);
  }
  console.log(`p50 ${pct(ts, 0.5).toFixed(3)} ms  p99 ${pct(ts, 0.99).toFixed(3)} ms  ${s}`);
}
// The rule corpora (and the shared external one when present), parsed in turn: per-call p50/p99 over all of them.
const here = dirname(fileURLToPath(import.meta.url));
const repo = [resolve(here, '../../..'), resolve(here, '../..')].find((r) => existsSync(resolve(r, 'package.json')))!;
const corpus: string[] = [];
const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')) : []);
corpus.push(...lines(resolve(repo, 'test/rules/everyday.txt')));
for (const f of [resolve(repo, 'test/rules/dangerous.jsonl'), resolve(repo, '../shared/corpora/shell-external.jsonl')]) {
  corpus.push(...lines(f).map((l) => (JSON.parse(l) as { cmd: string }).cmd));
}
if (corpus.length) {
  for (let r = 0; r < 5; r++) for (const s of corpus) parseShell(s, opts);
  const ts: number[] = [];
  for (let r = 0; r < 20; r++) {
    for (const s of corpus) {
      const t = performance.now();
      parseShell(s, opts);
      ts.push(performance.now() - t);
    }
  }
  console.log(`corpora (${corpus.length} commands x 20): p50 ${pct(ts, 0.5).toFixed(3)} ms  p99 ${pct(ts, 0.99).toFixed(3)} ms`);
}
const adversarial: Record<string, string> = {
  'nested $(': '$('.repeat(25000) + 'x' + ')'.repeat(25000),
  'many commands': 'echo a; '.repeat(12500),
  pipes: 'a | '.repeat(25000) + 'b',
  'eval chain': 'eval '.repeat(20000) + 'x',
  braces: 'echo ' + '{a,b}'.repeat(20000),
  quotes: '"'.repeat(100000),
  'flat $()': 'echo ' + '$(x) '.repeat(20000),
  'long word': 'echo ' + 'a'.repeat(100000),
  'quoted heredoc': "cat > f <<'EOF'\n" + 'const x = a.b(c) | d & e; $y\n'.repeat(3300) + 'EOF\n',
};
for (const [k, s] of Object.entries(adversarial)) {
  let worst = 0;
  let status = '';
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    status = parseShell(s, opts).status;
    worst = Math.max(worst, performance.now() - t);
  }
  console.log(`${k.padEnd(16)} ${(s.length / 1024).toFixed(0)} KiB  worst ${worst.toFixed(1)} ms  ${status}`);
}

/**
 * Shell analysis under adversarial input (part of `npm run bench`; `node dist/bench/parse.js`). Each input is
 * about 100 KB (the hook's limit is 128 KiB) and is decided the way the hook decides it: parse, then every rule
 * pack. Printed per shape: the first time the process sees that shape (after warming up on ordinary commands, as
 * a daemon that has served some calls would be) and the worst of five more, with the status and decision.
 * The last two shapes are the most of their kind the analysis reads whole (just under its token budget): past that
 * budget an input is refused after reading only its start, so these, not the 100 KB ones, are the slowest inputs.
 * Target: every one decided in ≤ 50 ms.
 */
import { initShellParser, parseShell } from '../src/parse/index.js';
import { runRules } from '../src/rules/index.js';
import { estimateTokens } from '../src/parse/budget.js';
import { LIMITS } from '../src/parse/walk.js';

const ws = '/work/proj';
const home = '/home/u';
const ctx = { workspace: ws, home, extraRoots: [] as string[], preset: 'standard' as const };

function decide(src: string): { ms: number; status: string; decision: string } {
  const t = performance.now();
  const ir = parseShell(src, { cwd: ws, home, deadline: performance.now() + 3000 });
  const findings = runRules(ir, { ...ctx, ir });
  const ms = performance.now() - t;
  // Findings come strongest first; a limited or invalid input is refused by the engine even without one.
  return { ms, status: ir.status, decision: findings[0]?.decision ?? (ir.status === 'complete' ? 'allow' : 'refused (status)') };
}

const KB100 = 100 * 1024;
const fill = (unit: string, prefix = '', suffix = ''): string => prefix + unit.repeat(Math.floor((KB100 - prefix.length - suffix.length) / unit.length)) + suffix;

function nestedThenPipes(): string {
  let s = 'echo x';
  while (s.length < 60_000) s = `echo "$(${s})" | cat`;
  const pipes: string[] = [];
  for (let i = 0; s.length + 3 + pipes.join(' | ').length < KB100 - 12; i++) pipes.push(`grep a${i}`);
  return s + ' ; ' + pipes.join(' | ');
}

const shapes: Record<string, string> = {
  'nested $( … )': '$('.repeat((KB100 - 1) / 3) + 'x' + ')'.repeat((KB100 - 1) / 3),
  'nested "$(…)" + pipes': nestedThenPipes(),
  'many commands': fill('echo a; '),
  'pipeline stages': fill('a | ', '', 'b'),
  'eval chain': fill('eval ', '', 'x'),
  'bash -c chain': fill("bash -c '", '', 'rm -rf /'),
  'brace expansion': fill('{a,b}', 'echo '),
  'quotes': fill('"'),
  'flat $( )': fill('$(x) ', 'echo '),
  'long word': fill('a', 'echo '),
  'quoted heredoc': "cat > f <<'EOF'\n" + 'const x = a.b(c) | d & e; $y\n'.repeat(3500) + 'EOF\n',
  'xargs/find -exec': fill('find . -exec sh -c "xargs rm -rf" \\; ; '),
};

/** The most repetitions of `unit` the analysis still reads whole: the costliest input that is not refused outright. */
function underBudget(unit: string, suffix = ''): string {
  let n = 1;
  while (estimateTokens(unit.repeat(n * 2) + suffix, LIMITS.maxTokens).cut === undefined) n *= 2;
  let lo = n;
  let hi = n * 2;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (estimateTokens(unit.repeat(mid) + suffix, LIMITS.maxTokens).cut === undefined) lo = mid;
    else hi = mid;
  }
  return unit.repeat(lo) + suffix;
}
shapes['largest analysed: list'] = underBudget('echo a; ');
shapes['largest analysed: pipe'] = underBudget('a | ', 'b');

await initShellParser();
// Warm-up on ordinary commands only: the adversarial shapes are met cold.
for (let i = 0; i < 300; i++) {
  for (const c of ['ls -la', 'git status', 'npm test', "find . -name '*.ts' | xargs grep -l foo", 'rm -rf dist && tsc -p .', "bash -c 'echo $(date)'"]) decide(c);
}
let worstAll = 0;
console.log(`adversarial input, ~100 KB each, parse + rules (target ≤ 50 ms)`);
for (const [name, src] of Object.entries(shapes)) {
  const first = decide(src);
  let worst = 0;
  for (let i = 0; i < 5; i++) worst = Math.max(worst, decide(src).ms);
  worstAll = Math.max(worstAll, first.ms, worst);
  console.log(
    `  ${name.padEnd(24)} ${(Buffer.byteLength(src) / 1024).toFixed(0).padStart(3)} KiB  first ${first.ms.toFixed(1).padStart(6)} ms  worst of 5 ${worst.toFixed(1).padStart(6)} ms  ${first.status}, ${first.decision}`,
  );
}
console.log(`  slowest: ${worstAll.toFixed(1)} ms`);

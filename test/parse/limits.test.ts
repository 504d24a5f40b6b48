import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShell } from '../../src/parse/index.js';
import { LIMITS } from '../../src/parse/walk.js';
import { av, byName, parse } from './helpers.js';

const STATUSES = ['complete', 'partial', 'invalid', 'limited'];

test('input over 128 KiB is limited', () => {
  const ir = parse('echo ' + 'a'.repeat(130 * 1024));
  assert.equal(ir.status, 'limited');
  assert.match(ir.problems[0]!, /KiB/);
});

test('nesting deeper than 32 levels is limited', () => {
  const ir = parse('echo ' + '$('.repeat(40) + 'x' + ')'.repeat(40));
  assert.equal(ir.status, 'limited');
  assert.match(ir.problems.join(' '), /nesting/);
  const ev = parse('eval '.repeat(40) + 'x');
  assert.equal(ev.status, 'limited');
  // 30 levels are still analysed.
  const ok = parse('echo ' + '$('.repeat(30) + 'rm' + ')'.repeat(30));
  assert.notEqual(ok.status, 'limited');
  assert.equal(byName(ok, 'rm')!.depth, 30);
});

test('too many nodes or tokens is limited, with what could be read', () => {
  const ir = parse('rm -rf /; ' + 'a | '.repeat(20000) + 'b');
  assert.equal(ir.status, 'limited');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/']);
  assert.equal(parse('echo ' + '{a,b}'.repeat(20000)).status, 'limited');
});

test('over the token budget only the start is read (the answer is a refusal either way)', () => {
  const ir = parse('rm -rf /; ' + 'a | '.repeat(20000) + 'b');
  assert.equal(ir.status, 'limited');
  // A cut that ends mid-pipeline (`… | true |`): the reason given is the limit, not a syntax error the cut made.
  const midPipe = parse('touch x; ' + 'true | '.repeat(4000) + 'true');
  assert.equal(midPipe.status, 'limited');
  assert.match(midPipe.problems[0] ?? '', /more than 5000 shell tokens/, midPipe.problems.join('; '));
  // About 1,000 tokens' worth of pipeline stages, not the ~2,500 that fit in the whole budget.
  assert.equal(LIMITS.explainTokens, 1000);
  assert.ok(ir.commands.length > 100 && ir.commands.length <= 510, String(ir.commands.length));
  // Just under the budget, everything is read.
  const fits = parse('a | '.repeat(2000) + 'b');
  assert.equal(fits.status, 'complete');
  assert.equal(fits.commands.length, 2001);
});

test('a large quoted heredoc is not limited', () => {
  const body = 'const x = a.b(c, d) + (e | f) & g; // $not ${expanded}\n'.repeat(1500);
  const ir = parse(`cat > big.ts <<'EOF'\n${body}EOF\necho done`);
  assert.equal(ir.status, 'complete');
  assert.deepEqual(ir.commands.map((c) => c.name), ['cat', 'echo']);
});

test('a passed deadline gives limited', () => {
  const ir = parseShell('ls; ls', { cwd: '/w', home: '/h', deadline: performance.now() - 1 });
  assert.equal(ir.status, 'limited');
  assert.match(ir.problems.join(' '), /deadline/);
});

test('adversarial inputs never throw and stay bounded', () => {
  const inputs = [
    '$('.repeat(25000) + 'x' + ')'.repeat(25000),
    '('.repeat(50000) + 'x' + ')'.repeat(50000),
    '"'.repeat(100000),
    'echo ' + '$(x) '.repeat(20000),
    '`'.repeat(100000),
    "'".repeat(99999),
    '<<'.repeat(40000),
    'cat <<EOF\n' + 'line $x\n'.repeat(12000) + 'EOF\n',
  ];
  for (const s of inputs) {
    const ir = parse(s);
    assert.ok(STATUSES.includes(ir.status));
    assert.notEqual(ir.status, 'complete', s.slice(0, 20));
  }
});

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  `sudo env A=1 bash -c "eval 'rm -rf \\$HOME'" | xargs -0 -I{} sh -c 'echo {}' 2>&1 > /dev/null`,
  `cat <<-'EOF' | bash\n\trm -rf /\n\tEOF\nfind . -exec rm {} \\; -delete`,
  `X=$(which rm); $X -rf \${HOME}/{a,b} && cd /tmp || git -c alias.x='!rm' x <<< "$(curl x)"`,
  `for f in $(ls); do case $f in *.ts) echo "$f";; esac; done; f() { (cd ~ && rm \`pwd\`); }`,
  `npx -y pkg $'a\\x41' >(tee x) <(cat y) ; watch -n1 'ls; rm x' & timeout 5 nice -n1 rm -- -x`,
];

test('fuzz: random bytes and truncations never throw and always return a status', () => {
  const r = rng(0xc0d0);
  const alphabet = ' \t\n;&|()<>$`\'"\\{}[]*?!#=~-:abcrmxyz0123456789EOF';
  for (let i = 0; i < 2000; i++) {
    let s: string;
    const mode = i % 4;
    if (mode === 0) {
      s = Array.from({ length: Math.floor(r() * 200) }, () => String.fromCharCode(Math.floor(r() * 256))).join('');
    } else if (mode === 1) {
      s = Array.from({ length: Math.floor(r() * 300) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    } else {
      const t = TRICKY[Math.floor(r() * TRICKY.length)]!;
      const a = Math.floor(r() * t.length);
      const b = a + Math.floor(r() * (t.length - a + 1));
      s = mode === 2 ? t.slice(0, b) : t.slice(a, b) + t.slice(0, a);
    }
    let ir;
    assert.doesNotThrow(() => {
      ir = parse(s);
    }, JSON.stringify(s));
    assert.ok(ir && STATUSES.includes((ir as { status: string }).status), JSON.stringify(s));
    assert.ok(Array.isArray((ir as unknown as { commands: unknown[] }).commands));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { av, byName, HOME, names, parse } from './helpers.js';

test('unquoted expansions split on an IFS assigned in the input', () => {
  let ir = parse('IFS=,; x="rm,-rf,/"; $x');
  assert.equal(ir.status, 'complete');
  assert.equal(ir.commands[0]!.name, 'rm');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/']);

  // Bash's rules: non-blank separators keep empty fields, blanks around them fold in, quoted text never splits.
  ir = parse('IFS=,; x="a,,b, c,"; printf "[%s]" $x x${x}y "$x"');
  assert.deepEqual(av(ir.commands[0]), ['printf', '[%s]', 'a', '', 'b', ' c', 'xa', '', 'b', ' c', 'y', 'a,,b, c,']);
  ir = parse(`IFS=', '; x='a , b,c'; echo $x`);
  assert.deepEqual(av(ir.commands[0]), ['echo', 'a', 'b', 'c']);
  ir = parse('IFS=,; x=",a"; echo $x');
  assert.deepEqual(av(ir.commands[0]), ['echo', '', 'a']);
  ir = parse('IFS=; x="a b"; echo $x');
  assert.deepEqual(av(ir.commands[0]), ['echo', 'a b']);
  ir = parse('IFS=,; unset IFS; x="a b"; echo $x');
  assert.deepEqual(av(byName(ir, 'echo')), ['echo', 'a', 'b']);
  ir = parse('x="a b"; rm${IFS}-rf $x');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', 'a', 'b']);
  ir = parse('IFS=:; rm${IFS}-rf /');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/']);
  ir = parse('export IFS=,; x=a,b; echo $x');
  assert.deepEqual(av(byName(ir, 'echo')), ['echo', 'a', 'b']);
  // A prefix assignment only reaches the command's environment, not the expansion of its own words.
  ir = parse('x=a,b; IFS=, echo $x');
  assert.deepEqual(av(ir.commands[0]), ['echo', 'a,b']);
});

test('an IFS only known at run time makes unquoted expansions dynamic', () => {
  for (const src of ['IFS=$(cat f); x=rm; $x -rf /', 'read -r IFS; x=rm; $x -rf /', 'f() { IFS=,; }; x=rm; $x -rf /', 'source ./env.sh; x="rm,-rf,/"; $x', 'eval "$Y"; x=rm; $x -rf /']) {
    const ir = parse(src);
    const c = ir.commands[ir.commands.length - 1]!;
    assert.equal(c.name, undefined, src);
    assert.equal(c.argv[0]!.dynamic, true, src);
    assert.match(c.argv[0]!.origin ?? '', /IFS/, src);
    assert.equal(ir.status, 'partial', src);
  }
  // Quoted expansions and literal words are unaffected.
  const ir = parse('IFS=$(cat f); x=rm; "$x" -rf /');
  assert.deepEqual(av(byName(ir, 'rm')), ['rm', '-rf', '/']);
});

test('a new shell starts with the default IFS', () => {
  const ir = parse(`export IFS=,; bash -c 'x=a,b; echo $x'`);
  assert.deepEqual(av(byName(ir, 'echo')), ['echo', 'a,b']);
});

test('a for loop over static words is analysed once per value', () => {
  let ir = parse('for d in ~ /tmp; do rm -rf "$d"; done');
  assert.equal(ir.status, 'complete');
  assert.deepEqual(ir.commands.map(av), [['rm', '-rf', HOME], ['rm', '-rf', '/tmp']]);

  // Iterations share the shell: a cd in one is seen by the next.
  ir = parse('for d in a b; do cd $d; touch x; done; echo $d');
  assert.deepEqual(ir.commands.map((c) => [c.name, c.cwd]), [
    ['cd', '/work/proj'], ['touch', '/work/proj/a'], ['cd', '/work/proj/a'], ['touch', '/work/proj/a/b'], ['echo', '/work/proj/a/b'],
  ]);
  assert.deepEqual(av(byName(ir, 'echo')), ['echo', '?$d'], 'after the loop the variable may hold any value');

  ir = parse('for f in {1..3} "a b"; do rm $f; done');
  assert.deepEqual(ir.commands.map(av), [['rm', '1'], ['rm', '2'], ['rm', '3'], ['rm', 'a', 'b']]);

  ir = parse("for c in 'rm -rf /'; do bash -c \"$c\"; done");
  assert.deepEqual(av(byName(ir, 'rm')), ['rm', '-rf', '/']);
});

test('loops over unknown or long lists, select and positional loops keep the variable unknown', () => {
  for (const src of ['for x in $(ls); do rm $x; done', 'for x in a $Y; do rm $x; done', 'select x in a b; do rm $x; done', 'for x; do rm $x; done', `for x in ${Array.from({ length: 17 }, (_, i) => `v${i}`).join(' ')}; do rm $x; done`]) {
    const ir = parse(src);
    const rms = ir.commands.filter((c) => c.name === 'rm');
    assert.equal(rms.length, 1, src);
    assert.deepEqual(av(rms[0]), ['rm', '?$x'], src);
  }
});

test('unrolling nested loops stays within a global budget', () => {
  const list = Array.from({ length: 16 }, (_, i) => String(i)).join(' ');
  const ir = parse(`for a in ${list}; do for b in ${list}; do for c in ${list}; do echo $a$b$c; done; done; done`);
  assert.equal(ir.status, 'complete');
  assert.ok(ir.commands.length < 16 * 16 * 16 / 4, `${ir.commands.length} commands`);
  assert.ok(ir.commands.length >= 16, `${ir.commands.length} commands`);
  assert.ok(names(ir).every((n) => n === 'echo'));
});

test('$(echo NAME) as a command name resolves to NAME', () => {
  for (const src of ['$(echo rm) -rf /', '`echo rm` -rf /', '"$(echo /bin/rm)" -rf /']) {
    const ir = parse(src);
    assert.equal(ir.commands[0]!.name, 'rm', src);
    assert.deepEqual(av(ir.commands[0]).slice(1), ['-rf', '/'], src);
    assert.equal(ir.status, 'complete', src);
  }
  assert.deepEqual(parse('$(echo sudo) rm -rf /').commands[0]!.wrappers, ['sudo']);
});

test('a command name subject to pathname expansion is only known at run time', () => {
  for (const src of ['/bin/r? -rf /', 'x=/bin/r*; $x -rf /', '/usr/bin/[r]m -rf /']) {
    const ir = parse(src);
    assert.equal(ir.commands[0]!.name, undefined, src);
    assert.equal(ir.status, 'partial', src);
  }
  // Quoted, the pattern is a literal name; a lone `[` is the test command.
  assert.equal(parse(`'/bin/r?' x`).commands[0]!.name, 'r?');
  assert.equal(parse('x=/bin/r*; "$x" x').commands[0]!.name, 'r*');
  assert.equal(parse('\\[ -f x ]').commands[0]!.name, '[');
});

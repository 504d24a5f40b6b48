import { test } from 'node:test';
import assert from 'node:assert/strict';
import { av, byName, CWD, HOME, names, parse } from './helpers.js';
import { commandLine } from '../../src/parse/index.js';

test('quote removal and escapes give the static value', () => {
  const ir = parse(`\\rm "rm" r''m $'a\\tb\\x41\\u00e9' "a\\$b\\"c" 'x y' a\\ b`);
  assert.equal(ir.status, 'complete');
  assert.deepEqual(av(ir.commands[0]), ['rm', 'rm', 'rm', 'a\tbAé', 'a$b"c', 'x y', 'a b']);
  assert.equal(ir.commands[0]!.name, 'rm');
  assert.equal(ir.commands[0]!.argv[0]!.raw, '\\rm');
});

test('tilde, $HOME, ${HOME} and $PWD resolve to the given directories', () => {
  const ir = parse('ls ~ ~/x $HOME ${HOME}/y "$HOME" $PWD/z ~root');
  const argv = ir.commands[0]!.argv;
  assert.deepEqual(av(ir.commands[0]).slice(0, 7), ['ls', HOME, `${HOME}/x`, HOME, `${HOME}/y`, HOME, `${CWD}/z`]);
  assert.equal(argv[7]!.dynamic, true, '~user is not known statically');
});

test('variables assigned earlier are substituted, with origin', () => {
  let ir = parse('X=rm; $X -rf ~');
  const rm = byName(ir, 'rm')!;
  assert.deepEqual(av(rm), ['rm', '-rf', HOME]);
  assert.match(rm.argv[0]!.origin ?? '', /X=rm/);
  ir = parse('X=/; rm -rf $X');
  assert.deepEqual(av(byName(ir, 'rm')), ['rm', '-rf', '/']);
  ir = parse('export X=/tmp; rm -rf "$X"/a');
  assert.deepEqual(av(byName(ir, 'rm')), ['rm', '-rf', '/tmp/a']);
  ir = parse('X="rm -rf"; $X /');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/'], 'unquoted expansion is split');
  ir = parse('X="a b"; echo "$X"');
  assert.deepEqual(av(ir.commands[0]), ['echo', 'a b'], 'quoted expansion is not split');
});

test('prefix assignments do not change later expansions; unset forgets', () => {
  const ir = parse('X=a; X=b echo $X; unset X; echo $X');
  const echoes = ir.commands.filter((c) => c.name === 'echo');
  assert.deepEqual(av(echoes[0]), ['echo', 'a']);
  assert.deepEqual(echoes[0]!.assignments.map((a) => [a.name, a.value.value]), [['X', 'b']]);
  assert.equal(echoes[1]!.argv[1]!.dynamic, true);
});

test('$IFS counts as a separator when unquoted', () => {
  const ir = parse('rm${IFS}-rf${IFS}/');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/']);
  assert.equal(ir.commands[0]!.name, 'rm');
});

test('unknown expansions make a word dynamic and keep the raw form', () => {
  const ir = parse('echo $UNKNOWN "$(date)" `id` $((1+2)) ${X:-d} $1');
  const argv = ir.commands[0]!.argv.slice(1);
  for (const w of argv) {
    assert.equal(w.dynamic, true, w.raw);
    assert.equal(w.value, undefined);
  }
  assert.deepEqual(argv.map((w) => w.text), ['$UNKNOWN', '$(date)', '`id`', '$((1+2))', '${X:-d}', '$1']);
  // Dynamic arguments alone do not make the analysis partial.
  assert.equal(ir.status, 'complete');
});

test('brace expansion is performed; globs stay literal', () => {
  let ir = parse('mkdir -p src/{a,b}/{c,d} x{1..3} "{q,r}" *.txt');
  assert.deepEqual(av(ir.commands[0]), ['mkdir', '-p', 'src/a/c', 'src/a/d', 'src/b/c', 'src/b/d', 'x1', 'x2', 'x3', '{q,r}', '*.txt']);
  ir = parse('echo {1..100000}');
  assert.equal(ir.commands[0]!.argv[1]!.dynamic, true, 'huge expansions are left dynamic');
});

test('name is the basename of argv[0]; $(which rm) resolves to rm', () => {
  assert.deepEqual(names(parse('/bin/rm x; /usr/bin/env ls; "/usr/bin/git" status')), ['rm', 'ls', 'git']);
  for (const src of ['$(which rm) -rf /', '`which rm` -rf /', '$(command -v rm) -rf /', '"$(which rm)" -rf /']) {
    const ir = parse(src);
    const c = ir.commands[0]!;
    assert.equal(c.name, 'rm', src);
    assert.deepEqual(av(c).slice(1), ['-rf', '/']);
    assert.match(c.argv[0]!.origin ?? '', /which|command/);
    assert.ok(ir.commands.some((x) => x.depth === 1 && (x.name === 'which' || x.name === 'command')), 'lookup itself is nested');
  }
});

test('a command name only known at run time makes the result partial', () => {
  const ir = parse('$CMD -rf /');
  assert.equal(ir.status, 'partial');
  assert.equal(ir.commands[0]!.name, undefined);
  assert.match(ir.problems.join(' '), /command name/);
});

test('commandLine renders argv for messages', () => {
  const ir = parse(`rm -rf "a b" $X ''`);
  assert.equal(commandLine(ir.commands[0]!), `rm -rf 'a b' $X ''`);
});

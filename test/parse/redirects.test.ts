import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from '../../src/ir/types.js';
import { av, byName, HOME, names, parse } from './helpers.js';

function reds(c: Command | undefined): [string, number | undefined, string | undefined][] {
  return (c?.redirects ?? []).map((r) => [r.op, r.fd, r.target?.value ?? r.target?.text]);
}

test('words after a redirect target are arguments of the command', () => {
  let ir = parse('rm -rf 2>/dev/null /');
  assert.equal(ir.status, 'complete');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/']);
  assert.deepEqual(reds(ir.commands[0]), [['>', 2, '/dev/null']]);
  assert.equal(ir.commands[0]!.text, 'rm -rf 2>/dev/null /');

  ir = parse("rm -rf >'file`name' /");
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/']);
  assert.deepEqual(reds(ir.commands[0]), [['>', undefined, 'file`name']]);
  assert.equal(ir.commands[0]!.stdout, 'file');

  ir = parse('rm 2>/dev/null -rf / >x y');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/', 'y']);
  assert.deepEqual(reds(ir.commands[0]), [['>', 2, '/dev/null'], ['>', undefined, 'x']]);

  // Redirects keep their source order whether the grammar put them inside the command node or after it.
  ir = parse('>f rm -rf / 2>&1 z');
  assert.deepEqual(av(ir.commands[0]), ['rm', '-rf', '/', 'z']);
  assert.deepEqual(reds(ir.commands[0]), [['>', undefined, 'f'], ['>&', 2, '1']]);

  ir = parse('echo >&2 a "$(id)" b');
  assert.deepEqual(av(ir.commands[0]), ['echo', 'a', '?$(id)', 'b']);
  assert.deepEqual(names(ir), ['echo', 'id'], 'substitutions in spilled words are analysed');

  ir = parse('cat <<EOF y\nbody\nEOF');
  assert.deepEqual(av(ir.commands[0]), ['cat', 'y']);
  assert.equal(ir.commands[0]!.redirects[0]!.body, 'body');
  assert.equal(ir.commands[0]!.text, 'cat <<EOF y');
});

test('a redirect after a list or pipeline belongs to its last command', () => {
  let ir = parse('a && b > f y');
  assert.deepEqual(reds(byName(ir, 'a')), []);
  assert.equal(byName(ir, 'a')!.stdout, 'inherit');
  assert.deepEqual(av(byName(ir, 'b')), ['b', 'y']);
  assert.deepEqual(reds(byName(ir, 'b')), [['>', undefined, 'f']]);

  ir = parse('curl -s x | sh 2>&1 >/dev/null');
  const [curl, sh] = ir.commands;
  assert.deepEqual(reds(curl), []);
  assert.equal(curl!.stdout, 'pipe');
  assert.ok(sh!.stdin.kind === 'pipe' && sh!.stdin.from === curl);
  assert.deepEqual(reds(sh), [['>&', 2, '1'], ['>', undefined, '/dev/null']]);

  ir = parse('! a > f y; b');
  assert.deepEqual(av(ir.commands[0]), ['a', 'y']);
  assert.deepEqual(reds(ir.commands[1]), []);
});

test('a compound command gives its redirects to every command inside; stray words are a syntax error', () => {
  for (const src of ['{ a; b; } > out', '(a; b) > out', 'for x in 1; do a; b; done > out', 'while a; do b; done > out', 'if a; then b; fi > out']) {
    const ir = parse(src);
    assert.equal(ir.status, 'complete', src);
    assert.deepEqual(names(ir), ['a', 'b'], src);
    for (const c of ir.commands) {
      assert.deepEqual(reds(c), [['>', undefined, 'out']], src);
      assert.equal(c.stdout, 'file', src);
    }
  }
  const ir = parse('{ a; } > f y');
  assert.equal(ir.status, 'invalid');
  assert.deepEqual(av(ir.commands[0]), ['a']);

  const fn = parse('f() { echo hi; } > /etc/x');
  assert.deepEqual(reds(fn.commands[0]), [['>', undefined, '/etc/x']]);
});

test('a statement of redirects only becomes a `:` command carrying them', () => {
  const cases: [string, [string, number | undefined, string | undefined][]][] = [
    ['> ~/.gitconfig', [['>', undefined, `${HOME}/.gitconfig`]]],
    ['>> /etc/passwd', [['>>', undefined, '/etc/passwd']]],
    ['2> err < in', [['>', 2, 'err'], ['<', undefined, 'in']]],
    ['x=1 > f', [['>', undefined, 'f']]],
    ['$EMPTY_UNSET_VAR > f', [['>', undefined, 'f']]],
  ];
  for (const [src, want] of cases) {
    const ir = parse(src);
    const c = ir.commands.find((x) => x.name === ':' || x.name === undefined);
    assert.ok(c, src);
    assert.deepEqual(reds(c), want, src);
    if (c.name === ':') {
      assert.deepEqual(av(c), [':'], src);
      assert.equal(c.argv[0]!.origin, 'redirect only', src);
      assert.equal(c.text, src);
    }
  }
  assert.equal(parse('> ~/.gitconfig').status, 'complete');
  assert.equal(parse('> ~/.gitconfig').commands[0]!.stdout, 'file');

  // A compound command that runs no command still opens its redirect target.
  const empty = parse('if true; then x=1; fi > out; { x=2; } > ~/.bashrc');
  assert.deepEqual(reds(empty.commands[empty.commands.length - 1]), [['>', undefined, `${HOME}/.bashrc`]]);
  assert.equal(empty.commands[empty.commands.length - 1]!.name, ':');

  const ex = parse('exec > /etc/x');
  assert.equal(ex.commands[0]!.name, 'exec');
  assert.deepEqual(reds(ex.commands[0]), [['>', undefined, '/etc/x']]);
});

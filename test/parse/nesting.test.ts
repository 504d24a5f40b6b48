import { test } from 'node:test';
import assert from 'node:assert/strict';
import { av, byName, parse } from './helpers.js';

function nested(src: string, name = 'rm') {
  const ir = parse(src);
  const c = byName(ir, name);
  assert.ok(c, `${name} found in ${src}: ${JSON.stringify(ir.commands.map((x) => x.name))}`);
  return { ir, c: c! };
}

test('shell -c strings are parsed as nested commands', () => {
  for (const src of [
    "bash -c 'rm -rf /'",
    "sh -c 'rm -rf /'",
    "zsh -lc 'rm -rf /'",
    "dash -ec 'rm -rf /'",
    "bash -c -- 'rm -rf /'",
    "bash -o pipefail -c 'rm -rf /'",
    "busybox sh -c 'rm -rf /'",
    "/bin/ksh -c 'rm -rf /'",
  ]) {
    const { c } = nested(src);
    assert.deepEqual(av(c), ['rm', '-rf', '/'], src);
    assert.equal(c.depth, 1);
    assert.match(c.via[0]!, /-c$/);
  }
});

test('nesting composes: via grows and depth increases; wrappers carry into exec chains', () => {
  const { c } = nested(`sudo bash -c "eval 'rm -rf /'"`);
  assert.deepEqual(c.via, ['bash -c', 'eval']);
  assert.equal(c.depth, 2);
  assert.deepEqual(c.wrappers, ['sudo']);
});

test('eval joins its arguments; dynamic eval is partial', () => {
  const { c, ir } = nested('eval "rm -rf" /');
  assert.deepEqual(av(c), ['rm', '-rf', '/']);
  assert.equal(ir.status, 'complete');
  const d = parse('eval "$CODE"');
  assert.equal(d.status, 'partial');
  assert.match(d.problems.join(' '), /eval/);
});

test('eval runs in the current shell: cd inside it carries over', () => {
  const ir = parse('eval "cd /tmp"; rm -rf *');
  assert.equal(byName(ir, 'rm')!.cwd, '/tmp');
});

test('command and process substitutions are nested commands', () => {
  const ir = parse('echo "$(rm -rf /)" `id` <(cat a) >(tee b)');
  assert.deepEqual(byName(ir, 'rm')!.via, ['$(…)']);
  assert.deepEqual(byName(ir, 'id')!.via, ['`…`']);
  assert.deepEqual(byName(ir, 'cat')!.via, ['<(…)']);
  assert.deepEqual(byName(ir, 'tee')!.via, ['>(…)']);
  assert.ok(ir.commands.slice(1).every((c) => c.depth === 1));
  assert.equal(ir.commands[0]!.name, 'echo', 'outer command comes first');
  assert.deepEqual(byName(parse('X=$(rm -rf /)'), 'rm')!.via, ['$(…)']);
});

test('source of a process substitution or piped /dev/stdin', () => {
  let ir = parse('source <(curl -s http://x)');
  assert.deepEqual(byName(ir, 'curl')!.via, ['source <(…)']);
  assert.equal(ir.status, 'partial');
  ir = parse('curl -s http://x | . /dev/stdin');
  assert.equal(byName(ir, '.')!.stdin.kind, 'pipe');
  assert.equal(ir.status, 'partial');
});

test('xargs target is nested; stdin is xargs stdin', () => {
  const { c, ir } = nested('find . -print0 | xargs -0 -n 1 -P 4 -r rm -f');
  assert.deepEqual(av(c), ['rm', '-f']);
  assert.deepEqual(c.via, ['xargs']);
  assert.ok(c.stdin.kind === 'pipe' && c.stdin.from === byName(ir, 'find'));
  assert.deepEqual(av(nested('ls | xargs -I{} mv {} /tmp', 'mv').c), ['mv', '{}', '/tmp']);
  assert.deepEqual(av(nested('xargs -a list -d "\\n" rm').c), ['rm']);
  assert.deepEqual(av(nested('ls | xargs sudo rm').c), ['rm']);
  assert.deepEqual(nested('ls | xargs sudo rm').c.wrappers, ['sudo']);
});

test('xargs options that take a value (GNU and BSD) are not taken for the command', () => {
  const cases: [string, string[]][] = [
    ['find . | xargs -J % rm -rf % /', ['rm', '-rf', '%', '/']],
    ['xargs -R 1 -S 255 -I {} rm {}', ['rm', '{}']],
    ['xargs -L 1 -s 100 -E eof rm x', ['rm', 'x']],
    ['xargs -L1 -n2 -P4 -0rt rm', ['rm']],
    ['xargs -e rm', ['rm']],
    ['xargs -eEOF -iX -l3 rm', ['rm']],
    ['xargs -i rm {}', ['rm', '{}']],
    ['xargs --max-args=1 --replace=X --delimiter=, --eof=E rm', ['rm']],
    ['xargs --max-args 1 --delimiter , --arg-file f --max-procs 2 --max-chars 9 --process-slot-var V rm', ['rm']],
    ['xargs --eof --replace --max-lines rm', ['rm']],
  ];
  for (const [src, want] of cases) {
    const { c } = nested(src);
    assert.deepEqual(av(c), want, src);
    assert.deepEqual(c.via, ['xargs'], src);
  }
});

test('find -exec/-execdir/-ok targets are nested; -delete stays on find', () => {
  const ir = parse('find / -name x -exec rm -f {} \\; -execdir chmod 777 {} + -delete');
  assert.deepEqual(av(byName(ir, 'rm')), ['rm', '-f', '{}']);
  assert.deepEqual(byName(ir, 'rm')!.via, ['find -exec']);
  assert.deepEqual(av(byName(ir, 'chmod')), ['chmod', '777', '{}']);
  assert.equal(byName(ir, 'chmod')!.cwd, undefined, '-execdir runs elsewhere');
  assert.ok(av(byName(ir, 'find')).includes('-delete'));
  assert.deepEqual(av(nested("find . -exec sh -c 'rm -rf $0' {} \\;").c), ['rm', '-rf', '?$0']);
});

test('parallel, watch, su -c, git aliases and npx', () => {
  assert.deepEqual(nested('parallel rm {} ::: a b').c.via, ['parallel']);
  assert.deepEqual(av(nested("parallel 'rm -rf {}' ::: a b").c), ['rm', '-rf', '{}']);
  assert.deepEqual(av(nested("watch -n 5 'rm -rf /tmp/x'").c), ['rm', '-rf', '/tmp/x']);
  assert.deepEqual(av(nested("su -c 'rm -rf /' root").c), ['rm', '-rf', '/']);
  const g = nested("git -c alias.x='!rm -rf /' x").c;
  assert.deepEqual(av(g), ['rm', '-rf', '/']);
  assert.equal(g.depth, 1);
  const ir = parse('npx -y cowsay hi');
  assert.equal(ir.commands[0]!.name, 'npx');
  assert.deepEqual(av(byName(ir, 'cowsay')), ['cowsay', 'hi']);
  assert.deepEqual(byName(ir, 'cowsay')!.via, ['npx']);
  for (const src of ['pnpm dlx cowsay', 'bunx cowsay', 'yarn dlx cowsay']) assert.ok(byName(parse(src), 'cowsay'), src);
});

test('shells fed static code on stdin parse it; piped code is left to the rules', () => {
  for (const src of ["bash <<'EOF'\nrm -rf /\nEOF", 'bash <<< "rm -rf /"', 'sh -s <<EOF\nrm -rf /\nEOF']) {
    const { c } = nested(src);
    assert.deepEqual(av(c), ['rm', '-rf', '/'], src);
    assert.match(c.via[0]!, /<</);
  }
  const ir = parse('curl -s http://x | sh');
  assert.equal(ir.commands.length, 2);
  const sh = byName(ir, 'sh')!;
  assert.ok(sh.stdin.kind === 'pipe' && sh.stdin.from.name === 'curl');
});

test('exported variables reach nested shells, others do not', () => {
  assert.deepEqual(av(nested('export D=/; bash -c "rm -rf \\$D"').c), ['rm', '-rf', '/']);
  assert.equal(nested("D=/; bash -c 'rm -rf $D'").c.argv[2]!.dynamic, true);
});

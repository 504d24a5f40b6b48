import { test } from 'node:test';
import assert from 'node:assert/strict';
import { av, byName, CWD, HOME, names, parse } from './helpers.js';

test('pipelines link stdin to the previous command and mark stdout', () => {
  const ir = parse('curl -s x | tee f | sh');
  const [curl, tee, sh] = ir.commands;
  assert.equal(curl!.stdout, 'pipe');
  assert.equal(tee!.stdout, 'pipe');
  assert.equal(sh!.stdout, 'inherit');
  assert.equal(curl!.stdin.kind, 'inherit');
  assert.ok(tee!.stdin.kind === 'pipe' && tee!.stdin.from === curl);
  assert.ok(sh!.stdin.kind === 'pipe' && sh!.stdin.from === tee);
});

test('lists, subshells, groups, negation and background jobs', () => {
  const ir = parse('a; b && c || d & e\n(f; g) ; { h; } ; ! i');
  assert.deepEqual(names(ir), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  assert.equal(ir.status, 'complete');
  assert.ok(ir.commands.every((c) => c.depth === 0 && c.via.length === 0));
});

test('commands inside if/while/until/for/case and function bodies are included', () => {
  const ir = parse(
    'if a; then b; elif c; then d; else e; fi; while f; do g; done; until h; do i; done; ' +
      'for x in 1 2; do j; done; for ((k=0;k<2;k++)); do k; done; case $y in a) l;; *) m;; esac; ' +
      'fn() { n; }; function fm { o; }',
  );
  assert.deepEqual(names(ir), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'j', 'k', 'l', 'm', 'n', 'o']);
});

test('redirects: op, fd and target; stdout to file; stdin from file', () => {
  const ir = parse('cmd 2>/dev/null >> out.log < in.txt; echo x >&2; ls &> all');
  const cmd = ir.commands[0]!;
  assert.deepEqual(
    cmd.redirects.map((r) => [r.op, r.fd, r.target?.value]),
    [['>', 2, '/dev/null'], ['>>', undefined, 'out.log'], ['<', undefined, 'in.txt']],
  );
  assert.equal(cmd.stdout, 'file');
  assert.ok(cmd.stdin.kind === 'file' && cmd.stdin.path.value === 'in.txt');
  assert.equal(ir.commands[1]!.stdout, 'inherit', '>&2 is not a file');
  assert.equal(ir.commands[2]!.stdout, 'file');
});

test('heredocs: body, <<- tab stripping, quoted delimiters, stdin text', () => {
  let ir = parse('cat <<EOF > f\nhello $HOME\nEOF');
  let c = ir.commands[0]!;
  assert.equal(c.redirects[0]!.op, '<<');
  assert.equal(c.redirects[0]!.body, `hello ${HOME}`);
  assert.deepEqual(c.stdin, { kind: 'text', text: `hello ${HOME}`, how: 'heredoc' });
  assert.equal(c.stdout, 'file');
  ir = parse("cat <<-'EOF'\n\tline $x\n\t\tmore\n\tEOF\necho after");
  c = ir.commands[0]!;
  assert.equal(c.redirects[0]!.op, '<<-');
  assert.equal(c.redirects[0]!.body, 'line $x\nmore');
  assert.deepEqual(names(ir), ['cat', 'echo']);
  ir = parse('cat <<"E" | sh\nrm -rf /\nE');
  assert.equal(ir.commands[0]!.stdout, 'pipe');
  const sh = byName(ir, 'sh')!;
  assert.ok(sh.stdin.kind === 'pipe' && sh.stdin.from === ir.commands[0]);
});

test('here-strings: body is the static value, or the text when dynamic', () => {
  let ir = parse('grep x <<< "a b"');
  assert.equal(ir.commands[0]!.redirects[0]!.body, 'a b');
  assert.deepEqual(ir.commands[0]!.stdin, { kind: 'text', text: 'a b', how: 'herestring' });
  ir = parse('grep x <<< "$(cat f)"');
  assert.equal(ir.commands[0]!.redirects[0]!.body, '$(cat f)');
  assert.equal(byName(ir, 'cat')!.depth, 1);
});

test('redirects of a compound command apply to the commands inside', () => {
  const ir = parse('{ rm a; rm b; } > /etc/x; while read l; do echo $l; done < list');
  assert.equal(ir.commands[0]!.stdout, 'file');
  assert.equal(ir.commands[1]!.redirects[0]!.target?.value, '/etc/x');
  assert.equal(byName(ir, 'read')!.stdin.kind, 'file');
  assert.equal(byName(ir, 'echo')!.stdin.kind, 'file');
});

test('cd is tracked across ; and && lists', () => {
  let ir = parse('cd /tmp && rm -rf *');
  assert.equal(byName(ir, 'rm')!.cwd, '/tmp');
  assert.equal(byName(ir, 'cd')!.cwd, CWD);
  ir = parse('cd sub; cd ../other; ls');
  assert.equal(byName(ir, 'ls')!.cwd, '/work/proj/other');
  ir = parse('cd; ls; cd ~/x; ls');
  assert.equal(byName(ir, 'ls')!.cwd, HOME);
  assert.equal(byName(ir, 'ls', 1)!.cwd, `${HOME}/x`);
});

test('cd to an unknown place makes cwd unknown', () => {
  for (const src of ['cd -; ls', 'cd $(mktemp -d); ls', 'cd "$DIR"; ls']) {
    assert.equal(byName(parse(src), 'ls')!.cwd, undefined, src);
  }
});

test('cd inside a subshell, pipeline or background job does not leak', () => {
  for (const src of ['(cd /; rm x); ls', 'cd / | true; ls', 'cd / & ls']) {
    assert.equal(byName(parse(src), 'ls')!.cwd, CWD, src);
  }
  assert.equal(byName(parse('(cd /; rm x)'), 'rm')!.cwd, '/');
});

test('pushd and popd', () => {
  const ir = parse('pushd /a; pushd b; ls; popd; ls');
  assert.equal(byName(ir, 'ls')!.cwd, '/a/b');
  assert.equal(byName(ir, 'ls', 1)!.cwd, '/a');
});

test('unparsable input is invalid but still yields what could be read', () => {
  const ir = parse('rm -rf / ; echo )');
  assert.equal(ir.status, 'invalid');
  assert.deepEqual(av(byName(ir, 'rm')), ['rm', '-rf', '/']);
  assert.equal(parse('if true; then').status, 'invalid');
});

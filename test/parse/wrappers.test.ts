import { test } from 'node:test';
import assert from 'node:assert/strict';
import { av, byName, parse } from './helpers.js';

const cases: [string, string[], string[]][] = [
  ['sudo rm -rf /', ['rm', '-rf', '/'], ['sudo']],
  ['sudo -u root -E -n -- rm x', ['rm', 'x'], ['sudo']],
  ['sudo -uroot rm x', ['rm', 'x'], ['sudo']],
  ['doas -u root rm x', ['rm', 'x'], ['doas']],
  ['env -i -u HOME A=1 B=2 rm x', ['rm', 'x'], ['env']],
  ['/usr/bin/env rm x', ['rm', 'x'], ['env']],
  ['env -S "rm -rf /"', ['rm', '-rf', '/'], ['env']],
  ['command rm x', ['rm', 'x'], ['command']],
  ['builtin cd /x', ['cd', '/x'], ['builtin']],
  ['exec -a name -c rm x', ['rm', 'x'], ['exec']],
  ['nohup rm x', ['rm', 'x'], ['nohup']],
  ['nice -n 10 rm x', ['rm', 'x'], ['nice']],
  ['nice -10 rm x', ['rm', 'x'], ['nice']],
  ['ionice -c 3 rm x', ['rm', 'x'], ['ionice']],
  ['time rm x', ['rm', 'x'], ['time']],
  ['/usr/bin/time -f %e -o out rm x', ['rm', 'x'], ['time']],
  ['timeout 5 rm x', ['rm', 'x'], ['timeout']],
  ['timeout -s KILL --kill-after=2 5s rm x', ['rm', 'x'], ['timeout']],
  ['stdbuf -oL -e 0 rm x', ['rm', 'x'], ['stdbuf']],
  ['setsid -f rm x', ['rm', 'x'], ['setsid']],
  ['caffeinate -i -t 5 rm x', ['rm', 'x'], ['caffeinate']],
  ['sudo env A=1 timeout 5 nice -n 3 nohup rm -rf /', ['rm', '-rf', '/'], ['sudo', 'env', 'timeout', 'nice', 'nohup']],
];

for (const [src, argv, wrappers] of cases) {
  test(`wrapper: ${src}`, () => {
    const ir = parse(src);
    const c = ir.commands[0]!;
    assert.deepEqual(av(c), argv);
    assert.equal(c.name, argv[0]);
    assert.deepEqual(c.wrappers, wrappers);
    assert.equal(c.text, src);
  });
}

test('env assignments become assignments; env -C sets cwd', () => {
  const c = parse('env A=1 B=x rm y').commands[0]!;
  assert.deepEqual(c.assignments.map((a) => [a.name, a.value.value]), [['A', '1'], ['B', 'x']]);
  assert.equal(parse('env -C /tmp rm x').commands[0]!.cwd, '/tmp');
  assert.equal(parse('sudo -D /srv rm x').commands[0]!.cwd, '/srv');
});

test('non-wrapping uses are left alone', () => {
  for (const [src, name] of [
    ['command -v rm', 'command'],
    ['sudo -l', 'sudo'],
    ['sudo -e /etc/hosts', 'sudo'],
    ['env', 'env'],
    ['exec > log', 'exec'],
    ['timeout 5', 'timeout'],
    ['chroot /mnt rm x', 'chroot'],
    ['ssh host rm -rf /', 'ssh'],
  ] as const) {
    const c = parse(src).commands[0]!;
    assert.equal(c.name, name, src);
    assert.deepEqual(c.wrappers, [], src);
  }
});

test('wrappers and which-lookup combine', () => {
  const c = byName(parse('sudo $(which rm) -rf /'), 'rm')!;
  assert.deepEqual(av(c), ['rm', '-rf', '/']);
  assert.deepEqual(c.wrappers, ['sudo']);
});

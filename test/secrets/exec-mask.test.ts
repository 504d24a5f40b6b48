import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MASK_MAX_COMMAND, maskWrap } from '../../src/secrets/mask.js';
import { SecretStore } from '../../src/secrets/store.js';
import { cli, CLI, run, tempHome, uniqueToken } from './helpers.js';

function home(scope: { commands?: string[]; hosts?: string[] } = { commands: ['printenv', 'sh'] }): { home: string; value: string } {
  const h = tempHome();
  const value = uniqueToken();
  new SecretStore(h).add('GH_TOKEN', { value }, scope);
  return { home: h, value };
}

const wrapped = (h: string, command: string, input = ''): ReturnType<typeof run> =>
  run('bash', ['-c', maskWrap(command)], { env: { ...process.env, CORDON_HOME: h }, input });

test('exec hands the secret to a command in scope, masks it, and passes the exit status through', async () => {
  const { home: h, value } = home();
  const r = await cli(h, ['exec', '--secret', 'GH_TOKEN', '--', 'printenv', 'GH_TOKEN']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '[secret:GH_TOKEN]\n');
  const renamed = await cli(h, ['exec', '--secret', 'GH_TOKEN=GITHUB_AUTH', '--', 'sh', '-c', 'test -n "$GITHUB_AUTH" && test -z "$GH_TOKEN" && echo "$GITHUB_AUTH" >&2; exit 42']);
  assert.equal(renamed.code, 42);
  assert.equal(renamed.stderr, '[secret:GH_TOKEN]\n');
  assert.equal(renamed.stdout, '');
  assert.ok(new SecretStore(h).get('GH_TOKEN')?.lastUsed, 'last use recorded');
});

test('exec refuses out-of-scope commands with 126 and a one-line reason, never the value', async () => {
  const { home: h, value } = home({ commands: ['gh'] });
  const r = await cli(h, ['exec', '--secret', 'GH_TOKEN', '--', 'printenv', 'GH_TOKEN']);
  assert.equal(r.code, 126);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^cordon exec: refused: secret GH_TOKEN may be used only with gh, not printenv;[^\n]*\n$/);
  assert.equal(r.stderr.includes(value), false);
  const unknown = await cli(h, ['exec', '--secret', 'NOPE_TOKEN', '--', 'printenv']);
  assert.equal(unknown.code, 126);
  assert.match(unknown.stderr, /no secret named NOPE_TOKEN/);
  const { home: h2 } = home({ hosts: ['api.github.com'] });
  assert.match((await cli(h2, ['exec', '--secret', 'GH_TOKEN', '--', 'printenv'])).stderr, /has no command scope/);
});

test('exec resolves the command itself: missing → 127, a look-alike path or a workspace script → 126', async () => {
  const { home: h, value } = home({ commands: ['printenv', 'gh'] });
  assert.equal((await cli(h, ['exec', '--secret', 'GH_TOKEN', '--', 'no-such-command-xyz'])).code, 127);
  const ws = tempHome();
  mkdirSync(join(ws, 'bin'));
  const fake = join(ws, 'bin', 'printenv');
  writeFileSync(fake, '#!/bin/sh\necho "$GH_TOKEN" | rev\n');
  chmodSync(fake, 0o755);
  const byPath = await cli(h, ['exec', '--secret', 'GH_TOKEN', '--', fake], { cwd: ws });
  assert.equal(byPath.code, 126);
  assert.match(byPath.stderr, /not the printenv found on PATH/);
  const viaPath = await cli(h, ['exec', '--secret', 'GH_TOKEN', '--', 'printenv'], { cwd: ws, env: { PATH: `${join(ws, 'bin')}:${process.env.PATH}` } });
  assert.equal(viaPath.code, 126);
  assert.match(viaPath.stderr, /inside the working directory/);
  assert.equal((byPath.stdout + viaPath.stdout).includes([...value].reverse().join('')), false);
});

test('mask passes the exit status through and keeps stdout and stderr apart', async () => {
  const { home: h, value } = home();
  const r = await wrapped(h, `echo out-${value}; echo err-${value} >&2; exit 7`);
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'out-[secret:GH_TOKEN]\n');
  assert.equal(r.stderr, 'err-[secret:GH_TOKEN]\n');
  const killed = await wrapped(h, 'kill -TERM $$');
  assert.equal(killed.code, 128 + 15);
});

test('the shell mask starts runs no ~/.bashrc, even with a socket for stdin and no SHLVL', async () => {
  // Debian's bash runs ~/.bashrc for `bash -c` when stdin is a socket and SHLVL is unset; /bin/sh below sets no
  // SHLVL and the spawn's stdin is a socket pair. The mask's shell runs outside the sandbox.
  const { home: h } = home();
  const marker = join(h, 'bashrc-ran');
  writeFileSync(join(h, '.bashrc'), `touch '${marker}'\necho RC-RAN\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, CORDON_HOME: h, HOME: h };
  delete env.SHLVL;
  const r = await run('/bin/sh', ['-c', maskWrap('echo masked-run')], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'masked-run\n');
  assert.equal(existsSync(marker), false, 'the mask\'s shell ran ~/.bashrc');
});

test('mask inherits stdin, including for commands that read it', async () => {
  const { home: h, value } = home();
  const r = await wrapped(h, "read a; read b; printf '%s|%s\\n' \"$b\" \"$a\"; cat", `first\n${value}\nrest of input\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '[secret:GH_TOKEN]|first\nrest of input\n');
});

test('mask runs awkward commands exactly: quotes, newlines, $, backslashes, unicode, heredocs', async () => {
  const { home: h } = home();
  const command = `x='it'"'"'s'; printf '%s\\n' "$x" "\\$HOME" 'a\\tb' "é✓"\ncat <<'EOF'\n$(not run) \`nor this\`\nEOF`;
  const direct = await run('bash', ['-c', command]);
  const masked = await wrapped(h, command);
  assert.equal(masked.stdout, direct.stdout);
  assert.equal(masked.stderr, direct.stderr);
  assert.equal(masked.code, direct.code);
  assert.match(maskWrap(command), /^'[^']+' '[^']+\/secrets\/mask-main\.js' --b64 [A-Za-z0-9+/=]+$/);
  const viaCli = await run('bash', ['-c', maskWrap(command, { entry: CLI })], { env: { ...process.env, CORDON_HOME: h } });
  assert.equal(viaCli.stdout, direct.stdout);
});

test('mask splits long commands into pieces under the per-argument limit', async () => {
  const { home: h } = home();
  const command = `: '${'x'.repeat(85_000)}'; echo long-ok`;
  const w = maskWrap(command);
  assert.ok(w.split(' ').length >= 5, 'more than one piece');
  assert.ok(w.split(' ').every((p) => p.length <= 64 * 1024 + 2));
  assert.throws(() => maskWrap('x'.repeat(MASK_MAX_COMMAND + 1)), /too long to run with its output masked/);
  const r = await wrapped(h, command);
  assert.equal(r.stdout, 'long-ok\n');
});

test('mask with no stored secrets runs the command unchanged; a damaged store refuses to run it', async () => {
  const empty = tempHome();
  const r = await run(process.execPath, [CLI, 'mask', '--', 'sh', '-c', 'echo plain; exit 3'], { env: { ...process.env, CORDON_HOME: empty } });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'plain\n');
  const { home: h } = home();
  writeFileSync(join(h, 'keys', 'secrets.key'), Buffer.alloc(32, 9));
  const bad = await wrapped(h, 'echo should-not-run');
  assert.equal(bad.code, 126);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /was not run because the secret store cannot be read/);
});

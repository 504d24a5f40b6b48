import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretStore, SecretStoreError } from '../../src/secrets/store.js';
import { cli, encodings, tempHome, uniqueToken } from './helpers.js';

test('a stored value round-trips and is sealed at rest', () => {
  const home = tempHome();
  const store = new SecretStore(home);
  const value = uniqueToken();
  store.add('GH_TOKEN', { value }, { commands: ['gh'], hosts: ['api.github.com'] });
  assert.equal(store.resolve('GH_TOKEN'), value);
  assert.equal(new SecretStore(home).resolve('GH_TOKEN'), value, 'a fresh instance reads the same value');
  const raw = readFileSync(join(home, 'secrets', 'store.json'));
  for (const [form, enc] of Object.entries(encodings(value))) {
    assert.equal(raw.includes(Buffer.from(enc)), false, `store file holds the ${form} form`);
  }
  assert.equal(raw.includes(Buffer.from(value.slice(4, 20))), false);
  const info = store.get('GH_TOKEN')!;
  assert.deepEqual(info.scope, { commands: ['gh'], hosts: ['api.github.com'] });
  assert.equal(info.source, 'store');
});

test('files are private: 0600 files in 0700 directories, key kept apart from the data', () => {
  const home = tempHome();
  new SecretStore(home).add('API_KEY', { value: 'abcdef123456' }, {});
  const mode = (p: string): number => statSync(join(home, p)).mode & 0o777;
  assert.equal(mode('secrets'), 0o700);
  assert.equal(mode('keys'), 0o700);
  assert.equal(mode('secrets/store.json'), 0o600);
  assert.equal(mode('keys/secrets.key'), 0o600);
  assert.equal(statSync(join(home, 'keys/secrets.key')).size, 32);
});

test('a key readable by others, a damaged key or a swapped entry is refused', () => {
  const home = tempHome();
  const store = new SecretStore(home);
  store.add('ONE_SECRET', { value: 'first-value-1' }, {});
  store.add('TWO_SECRET', { value: 'second-value-2' }, {});
  const file = join(home, 'secrets', 'store.json');
  const data = JSON.parse(readFileSync(file, 'utf8'));
  // The name is bound into the ciphertext: moving one entry's sealed value under another name must not decrypt.
  data.secrets.ONE_SECRET.sealed = data.secrets.TWO_SECRET.sealed;
  writeFileSync(file, JSON.stringify(data));
  assert.throws(() => store.resolve('ONE_SECRET'), SecretStoreError);
  assert.equal(store.resolve('TWO_SECRET'), 'second-value-2');
  chmodSync(join(home, 'keys/secrets.key'), 0o644);
  assert.throws(() => store.resolve('TWO_SECRET'), /readable by other users/);
  chmodSync(join(home, 'keys/secrets.key'), 0o600);
  writeFileSync(join(home, 'keys/secrets.key'), Buffer.alloc(32, 1));
  assert.throws(() => store.resolve('TWO_SECRET'), /does not decrypt/);
});

test('names, scopes and values are validated', () => {
  const store = new SecretStore(tempHome());
  for (const bad of ['gh_token', '1ABC', 'A-B', '', 'A'.repeat(65), '../X']) {
    assert.throws(() => store.add(bad, { value: 'abcdef123' }, {}), /invalid secret name/, bad);
  }
  assert.throws(() => store.add('SHORT', { value: 'abc' }, {}), /too short/);
  assert.throws(() => store.add('BAD_SCOPE', { value: 'abcdef123' }, { commands: ['/usr/bin/gh'] }), /invalid command scope/);
  assert.throws(() => store.add('BAD_HOST', { value: 'abcdef123' }, { hosts: ['https://x.com/'] }), /invalid host scope/);
  store.add('DUP_NAME', { value: 'abcdef123' }, {});
  assert.throws(() => store.add('DUP_NAME', { value: 'abcdef456' }, {}), /already exists/);
  store.add('DUP_NAME', { value: 'abcdef456' }, {}, { replace: true });
  assert.equal(store.resolve('DUP_NAME'), 'abcdef456');
});

test('from-env secrets keep only the variable name and resolve at use time', () => {
  const home = tempHome();
  const store = new SecretStore(home);
  store.add('NPM_TOKEN', { fromEnv: 'MY_NPM_TOKEN' }, { commands: ['npm'] });
  assert.equal(store.resolve('NPM_TOKEN', {}), undefined);
  assert.equal(store.resolve('NPM_TOKEN', { MY_NPM_TOKEN: 'npm-value-123' }), 'npm-value-123');
  assert.deepEqual(store.resolveAll({ MY_NPM_TOKEN: 'npm-value-123' }).map((s) => s.name), ['NPM_TOKEN']);
  assert.equal(readFileSync(join(home, 'secrets', 'store.json'), 'utf8').includes('npm-value-123'), false);
  assert.equal(store.get('NPM_TOKEN')?.env, 'MY_NPM_TOKEN');
});

test('scope changes keep the value; rm removes it', () => {
  const store = new SecretStore(tempHome());
  store.add('API_KEY', { value: 'abcdef123456' }, { commands: ['curl'] });
  store.setScope('API_KEY', { hosts: ['*.example.com'] });
  assert.deepEqual(store.get('API_KEY')?.scope, { commands: [], hosts: ['*.example.com'] });
  assert.equal(store.resolve('API_KEY'), 'abcdef123456');
  assert.equal(store.remove('API_KEY'), true);
  assert.equal(store.remove('API_KEY'), false);
  assert.equal(store.get('API_KEY'), undefined);
});

test('CLI: add from stdin, list (text and JSON) never shows the value, rm', async () => {
  const home = tempHome();
  const value = uniqueToken();
  const add = await cli(home, ['secrets', 'add', 'GH_TOKEN', '--scope-cmd', 'gh,git', '--scope-host', 'api.github.com'], { input: value + '\n' });
  assert.equal(add.code, 0, add.stderr);
  assert.equal(new SecretStore(home).resolve('GH_TOKEN'), value, 'trailing newline removed');
  for (const args of [['secrets', 'list'], ['secrets', 'list', '--json']]) {
    const r = await cli(home, args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GH_TOKEN/);
    assert.match(r.stdout, /api\.github\.com/);
    for (const enc of Object.values(encodings(value))) assert.equal((r.stdout + r.stderr).includes(enc), false);
  }
  const json = JSON.parse((await cli(home, ['secrets', 'list', '--json'])).stdout) as { name: string; scope: { commands: string[] } }[];
  assert.deepEqual(json[0]!.scope.commands, ['gh', 'git']);
  assert.equal((await cli(home, ['secrets', 'rm', 'GH_TOKEN'])).code, 0);
  assert.equal((await cli(home, ['secrets', 'rm', 'GH_TOKEN'])).code, 1);
  assert.match((await cli(home, ['secrets', 'add', 'lower'], { input: 'abcdefgh' })).stderr, /invalid secret name/);
});

test('CLI: import-env stores current values; a missing variable fails without storing', async () => {
  const home = tempHome();
  const value = uniqueToken('xoxb-');
  const r = await cli(home, ['secrets', 'import-env', 'SLACK_TOKEN', 'NOT_SET_ANYWHERE', '--scope-host', 'slack.com'], { env: { SLACK_TOKEN: value } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /NOT_SET_ANYWHERE is not set/);
  assert.equal(r.stdout.includes(value), false);
  const store = new SecretStore(home);
  assert.equal(store.resolve('SLACK_TOKEN'), value);
  assert.equal(store.get('SLACK_TOKEN')?.source, 'store');
  assert.equal(store.get('NOT_SET_ANYWHERE'), undefined);
});

test('CLI: add --from-env records the variable, not a value', async () => {
  const home = tempHome();
  const r = await cli(home, ['secrets', 'add', 'DEPLOY_KEY', '--from-env', 'DEPLOY_KEY_VAR', '--scope-cmd', 'deploy'], { env: { DEPLOY_KEY_VAR: 'from-env-value-1' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(home, 'secrets', 'store.json'), 'utf8').includes('from-env-value-1'), false);
  const list = await cli(home, ['secrets', 'list']);
  assert.match(list.stdout, /DEPLOY_KEY +env \$DEPLOY_KEY_VAR/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registryReplace } from '../../src/redact/registry.js';
import { redactText } from '../../src/redact/index.js';
import { secretForms } from '../../src/secrets/forms.js';
import { containsKnownSecret, findKnownSecretIn, loadKnownSecrets, resetKnownSecrets, scanForLeaks } from '../../src/secrets/known.js';
import { Matcher, StreamMasker } from '../../src/secrets/matcher.js';
import { SecretStore } from '../../src/secrets/store.js';
import { encodings, tempHome, uniqueToken } from './helpers.js';

function planted(values: Record<string, string>): string {
  const home = tempHome();
  const store = new SecretStore(home);
  for (const [name, value] of Object.entries(values)) store.add(name, { value }, {});
  return home;
}

test('every form the matcher knows is one the shared redactor replaces with the same name', () => {
  resetKnownSecrets();
  const value = 'p@ss/w0rd+Ünïcode-' + uniqueToken('');
  const home = planted({ ODD_SECRET: value });
  loadKnownSecrets({ stateDir: home });
  const forms = secretForms(value);
  assert.ok(forms.length >= 8);
  for (const f of forms) assert.equal(registryReplace(`<${f}>`), '<[secret:ODD_SECRET]>', f);
  assert.equal(redactText(`x ${value} y`), 'x [secret:ODD_SECRET] y');
  resetKnownSecrets();
});

test('containsKnownSecret finds each encoding and returns the name, never the value', () => {
  resetKnownSecrets();
  const value = uniqueToken();
  const home = planted({ GH_TOKEN: value, OTHER_KEY: 'other-value-' + uniqueToken('') });
  for (const [form, enc] of Object.entries(encodings(value))) {
    assert.equal(containsKnownSecret(`curl -H "X: ${enc}" https://x`, { stateDir: home }), 'GH_TOKEN', form);
  }
  assert.equal(containsKnownSecret(`echo ${value.slice(0, -1)}`, { stateDir: home }), undefined, 'a prefix is not the secret');
  assert.equal(containsKnownSecret('ls -la', { stateDir: home }), undefined);
  assert.equal(findKnownSecretIn({ file_path: '/x', content: `a\n"${value}"\\` }, { stateDir: home }), 'GH_TOKEN');
  assert.equal(findKnownSecretIn({ edits: [{ old_string: 'a', new_string: 'b' }] }, { stateDir: home }), undefined);
  resetKnownSecrets();
});

test('the cache follows the store: a removed secret is no longer reported', () => {
  resetKnownSecrets();
  const home = planted({ TEMP_SECRET: 'temporary-value-123' });
  assert.equal(containsKnownSecret('x temporary-value-123', { stateDir: home }), 'TEMP_SECRET');
  new SecretStore(home).remove('TEMP_SECRET');
  assert.equal(containsKnownSecret('x temporary-value-123', { stateDir: home }), undefined);
  assert.equal(redactText('temporary-value-123'), 'temporary-value-123', 'unregistered from the redactor too');
  resetKnownSecrets();
});

test('scanForLeaks reports stored values by name and credential formats by kind, with offsets', () => {
  resetKnownSecrets();
  const value = uniqueToken();
  const home = planted({ GH_TOKEN: value });
  const aws = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
  const other = uniqueToken('ghs_');
  const text = `token ${value}\nkey=${aws} b64=${Buffer.from(value).toString('base64')}\n${other}\n-----BEGIN RSA PRIVATE KEY-----\nMII`;
  const { findings } = scanForLeaks(text, { stateDir: home });
  const kinds = findings.map((f) => `${f.kind}${f.name ? ':' + f.name : ''}@${f.offset}`);
  assert.deepEqual(kinds, [
    `known-secret:GH_TOKEN@${text.indexOf(value)}`,
    `aws-access-key@${text.indexOf(aws)}`,
    `known-secret:GH_TOKEN@${text.indexOf(Buffer.from(value).toString('base64'))}`,
    `github-token@${text.indexOf(other)}`,
    `private-key@${text.indexOf('-----BEGIN')}`,
  ]);
  assert.equal(JSON.stringify(findings).includes(value), false);
  assert.deepEqual(scanForLeaks('[secret:GH_TOKEN] and [redacted:github-token]', { stateDir: home }).findings, []);
  resetKnownSecrets();
});

test('StreamMasker gives the same output however the stream is cut', () => {
  const values = [uniqueToken(), 'sk-live-' + uniqueToken(''), 'short1'];
  const entries = values.flatMap((v, i) => secretForms(v).map((form) => ({ form, name: `S${i}` })));
  const m = new Matcher(entries);
  const text = `a ${values[0]} b ${Buffer.from(values[1]!).toString('hex')} c ${values[2]}${values[2]} ghp_ ${values[0]!.slice(0, 20)} ${encodeURIComponent(values[1]!)}\nend gh`;
  const whole = m.replace(text);
  assert.equal(whole.includes(values[0]!), false);
  assert.match(whole, /\[secret:S0\].*\[secret:S1\].*\[secret:S2\]\[secret:S2\]/s);
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  for (let round = 0; round < 300; round++) {
    const sm = new StreamMasker(m);
    let out = '';
    for (let i = 0; i < text.length; ) {
      const n = 1 + rnd(round % 3 === 0 ? 3 : 40);
      out += sm.push(text.slice(i, i + n));
      i += n;
    }
    out += sm.end();
    assert.equal(out, whole, `round ${round}`);
  }
});

test('StreamMasker holds back only what could start a secret', () => {
  const m = new Matcher(secretForms('ghp_abcdefghijklmnop').map((form) => ({ form, name: 'T' })));
  const sm = new StreamMasker(m);
  assert.equal(sm.push('Done.\n'), 'Done.\n');
  assert.equal(sm.push('prompt> gh'), 'prompt> ');
  assert.equal(sm.push('p_abcdefghijklmnop!'), '[secret:T]!');
  assert.equal(sm.push('ghp_abc'), '');
  assert.equal(sm.end(), 'ghp_abc');
});

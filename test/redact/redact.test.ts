import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearSecrets, redactText, redactValue, registerSecret } from '../../src/redact/index.js';

// Fixture secrets are assembled at run time so the source never holds a literal token that scanners flag.
const j = (...p: string[]): string => p.join('');
const GH = j('ghp_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A');
const CASES: [label: string, input: string, secret: string][] = [
  ['aws-access-key', j('key id AKIA', 'IOSFODNN7EXAMPLE here'), j('AKIA', 'IOSFODNN7EXAMPLE')],
  ['aws-access-key', j('ASIA', 'Y34FZKBOKMUTVV7A'), j('ASIA', 'Y34FZKBOKMUTVV7A')],
  ['aws-secret-key', j('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfi', 'CYEXAMPLEKEY'), 'wJalrXUtnFEMI/K7MDENG'],
  ['github-token', `export GITHUB_TOKEN=${GH}`, GH],
  ['github-token', j('git clone https://x:', 'gho_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A', '@github.com/o/r'), 'gho_aB3dE5'],
  ['github-token', j('token github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH'), 'github_pat_11ABCDEFG'],
  ['gitlab-token', j('glpat-', 'xYz12345678901234567'), 'glpat-xYz1'],
  ['slack-token', j('xoxb-', '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'), 'xoxb-1234'],
  ['slack-webhook', j('https://hooks.slack.com/services/', 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'), 'T00000000/B0'],
  ['stripe-key', j('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'), '4eC39HqLyjWDarjtT1zdp7dc'],
  ['stripe-key', j('rk_live_', '4eC39HqLyjWDarjtT1zdp7dc'), '4eC39HqLyjWDarjtT1zdp7dc'],
  ['stripe-key', j('sk_test_', '4eC39HqLyjWDarjtT1zdp7dc'), '4eC39HqLyjWDarjtT1zdp7dc'],
  ['npm-token', j('//registry.npmjs.org/:_authToken=npm_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A'), 'npm_aB3d'],
  ['anthropic-key', j('ANTHROPIC_API_KEY=sk-ant-', 'api03-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A-xyz'), 'sk-ant-api03'],
  ['openai-key', j('sk-proj-', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A_aB3dE5'), 'sk-proj-aB3'],
  ['openai-key', j('key sk-', 'aB3dE5fG7hJ9kL1mT3BlbkFJN3pQ5rS7tU9vW1xY3z5A'), 'sk-aB3dE5'],
  ['google-api-key', j('AIza', 'SyD-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x'), 'AIzaSyD-aB3'],
  [
    'jwt',
    j('cookie: session=eyJhbGciOiJIUzI1NiJ9', '.eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'),
    'eyJzdWIiOiIxMjM0NTY3ODkwIn0',
  ],
  ['url-password', 'psql postgres://admin:hunter2pw@db.example.com:5432/app', 'hunter2pw'],
  ['url-password', 'redis://:s3cretpass@cache:6379', 's3cretpass'],
  ['authorization', 'curl -H "Authorization: Bearer abc123def456ghi789jkl012mno" https://api', 'abc123def456ghi789jkl012mno'],
  ['authorization', j('Authorization: Basic ', Buffer.from('alice:wonderland').toString('base64')), Buffer.from('alice:wonderland').toString('base64')],
  ['authorization', 'token is Bearer abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz012345'],
  ['cli-password', 'mysql -u root -pS3cretPw db', 'S3cretPw'],
  ['cli-password', 'deploy --password hunter2pw --yes', 'hunter2pw'],
  ['cli-password', 'deploy --token=abcd1234efgh', 'abcd1234efgh'],
  ['cli-password', 'sshpass -p s3cr3tpw ssh host', 's3cr3tpw'],
  ['cli-password', 'curl -u bob:pa55word https://x', 'pa55word'],
  ['secret-assignment', 'DB_PASSWORD=hunter2pw ./run', 'hunter2pw'],
  ['secret-assignment', '{"password": "correct horse battery staple", "user": "bob"}', 'correct horse'],
  ['secret-assignment', "client_secret: 'abc-def-ghi'", 'abc-def-ghi'],
  ['secret-assignment', 'https://api.example.com/v1?access_token=abc123xyz&page=2', 'abc123xyz'],
  ['high-entropy', 'SIGNING = "Zx8Qp2Lm9Vb4Nc7Ks1Hd5Fg3Jw6Ty0Re"', 'Zx8Qp2Lm9Vb4Nc7Ks1Hd5Fg3Jw6Ty0Re'],
];

test('each secret format is redacted with its label', () => {
  for (const [label, input, secret] of CASES) {
    const out = redactText(input);
    assert.ok(!out.includes(secret), `${label}: ${JSON.stringify(input)} → ${JSON.stringify(out)}`);
    assert.ok(out.includes(`[redacted:${label}]`), `${label}: expected marker in ${JSON.stringify(out)}`);
  }
});

test('context around a secret is kept', () => {
  assert.equal(redactText('psql postgres://admin:hunter2pw@db:5432/app'), 'psql postgres://admin:[redacted:url-password]@db:5432/app');
  assert.equal(redactText(`export GITHUB_TOKEN=${GH}`), 'export GITHUB_TOKEN=[redacted:github-token]');
  assert.equal(redactText('mysql -u root -pS3cretPw db'), 'mysql -u root -p[redacted:cli-password] db');
  assert.equal(
    redactText('curl -H "Authorization: Bearer abc123def456ghi789jkl012mno" x'),
    'curl -H "Authorization: Bearer [redacted:authorization]" x',
  );
});

test('PEM private key blocks are removed whole, with or without their END line', () => {
  const body = 'MIIEowIBAAKCAQEAx4mZ\nq2Yk8Lp3Xo9Rt5Vb7Nm1\nAbCdEfGh==';
  const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
  assert.equal(redactText(`before\n${pem}\nafter`), 'before\n[redacted:private-key]\nafter');
  assert.equal(redactText(JSON.stringify({ k: pem })), '{"k":"[redacted:private-key]"}');
  const open = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}`;
  assert.equal(redactText(`x = "${open}"; y()`), 'x = "[redacted:private-key]"; y()');
  // Public material stays.
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  assert.equal(redactText(cert), cert);
});

test('ordinary text is left untouched', () => {
  const plain = [
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)',
    'git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'id=123e4567-e89b-12d3-a456-426614174000',
    'cat /home/user/projects/app/src/components/UserProfileCard.tsx',
    'sha256sum: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    // npm integrity strings are public digests of published tarballs: kept so lockfile diffs stay reviewable.
    '"integrity": "sha512-Xk3+Q0d2Zp4S5H1q9yT7B8vW6uN0mL2kJ3hG4fD5sA6zX7cV8bN9mQ0wE1rT2yU3iO4pA5sD6fG7hJ8kL9zX0c=="',
    // base64 of ordinary text in code is encoded text, not key material.
    'const greeting = "SGVsbG8gd29ybGQsIHRoaXMgaXMgdGV4dA=="',
    'password: string;',
    'const token = process.env.GITHUB_TOKEN;',
    'export TOKEN=$(cat ~/.token)',
    'max_tokens=4096 token_count=12',
    'author: Jane Doe <jane@example.com>',
    'Basic information about the Bearer of news',
    'mkdir -p build && cp -p a b && docker run -p 8080:80 img',
    'https://github.com/owner/repo/blob/main/README.md',
    'import { readFileSync } from "node:fs"; const sk = 1;',
    'task-runner-for-long-build-pipelines --ask-for-more',
    'The quick brown fox jumps over the lazy dog.',
  ];
  for (const s of plain) assert.equal(redactText(s), s);
});

test('redaction is idempotent', () => {
  const all = CASES.map((c) => c[1]).join('\n');
  const once = redactText(all);
  assert.equal(redactText(once), once);
  for (const [, input] of CASES) {
    const r = redactText(input);
    assert.equal(redactText(r), r, input);
  }
});

test('registered secrets are replaced in every encoding', () => {
  clearSecrets();
  try {
    const v = 'correct-horse/battery+staple 42';
    assert.equal(registerSecret('DEPLOY_KEY', v), true);
    assert.equal(registerSecret('SHORT', 'abc'), false);
    const b64 = Buffer.from(v).toString('base64');
    const encodings = [v, b64, Buffer.from(v).toString('base64url'), encodeURIComponent(v), Buffer.from(v).toString('hex')];
    for (const e of encodings) assert.equal(redactText(`x ${e} y`), 'x [secret:DEPLOY_KEY] y', e);
    // Inside a longer base64 blob (a Basic header carrying user:secret) at an arbitrary byte offset.
    const blob = Buffer.from(`deployer:${v}`).toString('base64');
    const out = redactText(`Authorization: Basic ${blob}`);
    assert.ok(out.includes('[secret:DEPLOY_KEY]'), out);
    assert.ok(!out.includes(Buffer.from(v).toString('base64').slice(4, 20)), out);
    assert.equal(redactText(out), out);
  } finally {
    clearSecrets();
  }
  assert.equal(redactText('x correct-horse/battery+staple 42 y'), 'x correct-horse/battery+staple 42 y');
});

test('redactValue deep-copies, redacts strings and secret-named fields', () => {
  const input = {
    tool_input: { command: `git push https://x:${GH}@github.com/o/r`, description: 'push' },
    env: { API_KEY: 'plain-looking', apiKey: 'abc', Authorization: 'Bearer zzz', password: 1234, token_count: 7, verbose: true },
    headers: [{ cookie: 'sid=1' }, { 'x-auth-token': 'q' }],
    nothing: null,
  };
  const frozen = JSON.stringify(input);
  const out = redactValue(input) as typeof input;
  assert.equal(JSON.stringify(input), frozen, 'input not mutated');
  assert.notEqual(out, input);
  assert.ok(!JSON.stringify(out).includes(GH));
  assert.equal(out.tool_input.description, 'push');
  assert.equal(out.env.API_KEY, '[redacted:secret-field]');
  assert.equal(out.env.apiKey, '[redacted:secret-field]');
  assert.equal(out.env.Authorization, '[redacted:secret-field]');
  assert.equal(out.env.password as unknown, '[redacted:secret-field]');
  assert.equal(out.env.token_count, 7);
  assert.equal(out.env.verbose, true);
  assert.equal(out.headers[0]?.cookie, '[redacted:secret-field]');
  assert.equal((out.headers[1] as unknown as Record<string, string>)['x-auth-token'], '[redacted:secret-field]');
  assert.equal(out.nothing, null);
  const cyc: Record<string, unknown> = { a: 1 };
  cyc.self = cyc;
  assert.deepEqual(redactValue(cyc), { a: 1, self: '[circular]' });
});

test('hostile 1 MB inputs finish and stay correct', { timeout: 120_000 }, () => {
  const M = 1 << 20;
  const rep = (u: string): string => u.repeat(Math.ceil(M / u.length)).slice(0, M);
  const hostile = [
    rep('eyJ'), rep('eyJaaaaa.'), rep('AKIA'), rep('ghp_'), 'a'.repeat(M), rep('a://'), rep('a://b:'), rep('a:'), rep('a='),
    rep("x:'"), rep('a:"b:\''), rep('-----BEGIN PRIVATE KEY-----'), rep('mysql '), rep('authorization: '), rep('Bearer '),
    rep('Basic '), rep('--password '), rep(' -u a'), rep('hooks.slack.com/services/'), rep('sk-'), rep('QUJD'), rep('a.'),
    rep('a-'), rep('"a":"'), ' '.repeat(M), rep('aB3+/='), rep('sshpass -p '), rep('"a" : "'),
  ];
  for (const s of hostile) {
    const out = redactText(s);
    assert.equal(redactText(out), out);
  }
  // A real secret at the end of a hostile prefix is still found.
  const tail = redactText(rep('a://b:') + ` ${GH}`);
  assert.ok(tail.endsWith('[redacted:github-token]'));
  assert.ok(!tail.includes(GH));
});

test('a secret name passed to the broker stays readable; a value under the same flag does not', () => {
  assert.equal(redactText('cordon exec --secret GH_TOKEN -- gh api user'), 'cordon exec --secret GH_TOKEN -- gh api user');
  assert.equal(redactText('cordon exec --secret NPM_TOKEN=NODE_AUTH_TOKEN -- npm publish'), 'cordon exec --secret NPM_TOKEN=NODE_AUTH_TOKEN -- npm publish');
  assert.match(redactText('tool --secret s3cr3tV4lue9'), /\[redacted:cli-password\]/);
});

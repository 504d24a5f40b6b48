import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startUiServer, isTainted, recordTainted, CSP } from '../../src/ui/index.js';
import { APP_JS } from '../../src/ui/client.js';
import { INDEX_HTML } from '../../src/ui/page.js';
import { openAuditStore } from '../../src/audit/index.js';
import { registerSecret, unregisterSecret } from '../../src/redact/index.js';
import { get, HOSTILE_COMMAND, seed, signIn, tamper, tempHome } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function started(home = seed()) {
  const server = await startUiServer({ stateDir: home });
  return { home, server, port: server.port };
}

test('listens on 127.0.0.1 only, with a 256-bit token in the link', async (t) => {
  const { server } = await started();
  t.after(() => server.close());
  const u = new URL(server.url);
  assert.equal(u.hostname, '127.0.0.1');
  assert.equal(u.pathname, '/');
  const token = u.searchParams.get('token') ?? '';
  assert.ok(Buffer.from(token, 'base64url').length >= 16, `token too short: ${token}`);
  const other = await startUiServer({ stateDir: tempHome() });
  t.after(() => other.close());
  assert.notEqual(new URL(other.url).searchParams.get('token'), token);
});

test('without the token or cookie every path is refused with 403', async (t) => {
  const { server, port } = await started();
  t.after(() => server.close());
  for (const path of ['/', '/index.html', '/app.js', '/app.css', '/api/sessions', '/api/records?session=sess-deny', '/api/verify', '/nope']) {
    const r = await get(port, path);
    assert.equal(r.status, 403, path);
    assert.doesNotMatch(r.body, /sess-deny|git\.force-push/, path);
  }
  assert.equal((await get(port, '/?token=wrong')).status, 403);
  assert.equal((await get(port, '/api/sessions', { cookie: `${server.cookieName}=guess` })).status, 403);
});

test('the token is swapped once for an HttpOnly SameSite=Strict cookie and a token-free redirect', async (t) => {
  const { server, port } = await started();
  t.after(() => server.close());
  const u = new URL(server.url);
  const r = await get(port, u.pathname + u.search);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/');
  const set = String(r.headers['set-cookie']);
  assert.match(set, new RegExp(`^${server.cookieName}=[A-Za-z0-9_-]{43}; `));
  assert.match(set, /; HttpOnly/);
  assert.match(set, /; SameSite=Strict/);
  assert.match(set, /; Path=\//);
  const cookie = set.split(';')[0] as string;
  assert.ok(!cookie.includes(u.searchParams.get('token') as string), 'the cookie must not be the token');

  const page = await get(port, '/', { cookie });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  // One-time: the link no longer signs anyone in.
  assert.equal((await get(port, u.pathname + u.search)).status, 403);
  // With the cookie, a stale link just redirects to the clean URL.
  assert.equal((await get(port, u.pathname + u.search, { cookie })).status, 303);
  assert.equal((await get(port, '/api/verify', { cookie: 'other=1; ' + cookie + '; x=y' })).status, 200);
});

test('Host must be 127.0.0.1:PORT or localhost:PORT (DNS rebinding), checked before the token is spent', async (t) => {
  const { server, port } = await started();
  t.after(() => server.close());
  const u = new URL(server.url);
  for (const host of ['evil.example:' + port, `127.0.0.1:${port + 1}`, '127.0.0.1', `localhost.evil.example:${port}`, '']) {
    const r = await get(port, u.pathname + u.search, { host });
    // No Host at all is already refused by Node's HTTP parser (400).
    assert.equal(r.status, host === '' ? 400 : 403, `Host ${JSON.stringify(host)}`);
    assert.equal(r.headers['set-cookie'], undefined);
  }
  const cookie = await signIn(port, server.url);
  assert.equal((await get(port, '/api/sessions', { cookie, host: `evil.example:${port}` })).status, 403);
  assert.equal((await get(port, '/api/sessions', { cookie, host: `localhost:${port}` })).status, 200);
  assert.equal((await get(port, '/api/sessions', { cookie, host: `LOCALHOST:${port}` })).status, 200);
});

test('cross-site browser requests are refused even with the cookie; only GET is served', async (t) => {
  const { server, port } = await started();
  t.after(() => server.close());
  const cookie = await signIn(port, server.url);
  assert.equal((await get(port, '/api/sessions', { cookie, 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal((await get(port, '/api/sessions', { cookie, 'sec-fetch-site': 'same-site' })).status, 403);
  assert.equal((await get(port, '/api/sessions', { cookie, 'sec-fetch-site': 'same-origin' })).status, 200);
  const post = await new Promise<number>((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/sessions', method: 'POST', headers: { cookie }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    }, reject);
  });
  assert.equal(post, 405);
});

test('every response carries the strict CSP; the page has no inline script, style or handlers', async (t) => {
  const { server, port } = await started();
  t.after(() => server.close());
  const cookie = await signIn(port, server.url);
  for (const [path, c] of [['/', cookie], ['/app.js', cookie], ['/api/sessions', cookie], ['/', '']] as const) {
    const r = await get(port, path, c ? { cookie: c } : {});
    const csp = String(r.headers['content-security-policy']);
    assert.equal(csp, CSP, path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
  }
  const dirs = new Map(CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(dirs.get('default-src'), ["'self'"]);
  assert.deepEqual(dirs.get('script-src'), ["'self'"]);
  assert.deepEqual(dirs.get('style-src'), ["'self'"]);
  assert.deepEqual(dirs.get('frame-ancestors'), ["'none'"]);
  assert.ok(!CSP.includes('unsafe-'), CSP);

  assert.doesNotMatch(INDEX_HTML, /<script(?![^>]*\bsrc=)[^>]*>/i, 'inline script');
  assert.doesNotMatch(INDEX_HTML, /<style|\sstyle=|\son[a-z]+=/i, 'inline style or handler');
  assert.doesNotMatch(INDEX_HTML + APP_JS, /https?:\/\/(?!127\.0\.0\.1)/, 'external asset');
  assert.doesNotMatch(APP_JS, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
});

test('API: sessions with counts, taint and filters; records with filters; verify', async (t) => {
  const { server, port, home } = await started();
  t.after(() => server.close());
  const cookie = await signIn(port, server.url);
  const api = async <T>(path: string, status = 200): Promise<T> => {
    const r = await get(port, path, { cookie });
    assert.equal(r.status, status, `${path}: ${r.body}`);
    assert.match(String(r.headers['content-type']), /^application\/json; charset=utf-8$/);
    return JSON.parse(r.body) as T;
  };
  type S = { sessions: { sessionId: string; events: number; denials: number; asks: number; tools: string[]; untrusted: number; tainted: boolean; firstTs: number; lastTs: number }[]; tools: string[]; total: number };
  const all = await api<S>('/api/sessions');
  assert.equal(all.total, 3);
  assert.deepEqual(all.tools, ['Bash', 'Edit', 'Read', 'WebFetch']);
  assert.deepEqual(
    all.sessions.map((s) => [s.sessionId, s.events, s.denials, s.asks, s.tools, s.untrusted, s.tainted]),
    [
      ['sess-plain', 2, 0, 0, ['Bash', 'Read'], 0, false],
      ['sess-taint', 3, 0, 1, ['Bash', 'WebFetch'], 1, true],
      ['sess-deny', 3, 1, 0, ['Bash', 'Edit'], 0, false],
    ],
  );
  assert.ok(all.sessions.every((s) => s.firstTs <= s.lastTs));
  const ids = async (q: string): Promise<string[]> => (await api<S>(`/api/sessions?${q}`)).sessions.map((s) => s.sessionId);
  assert.deepEqual(await ids('decision=deny'), ['sess-deny']);
  assert.deepEqual(await ids('decision=ask'), ['sess-taint']);
  assert.deepEqual(await ids('decision=allow'), ['sess-plain', 'sess-taint', 'sess-deny']);
  assert.deepEqual(await ids('tool=Edit'), ['sess-deny']);
  assert.deepEqual(await ids('decision=deny&tool=Edit'), [], 'decision and tool must hold on the same record');
  assert.deepEqual(await ids('tainted=1'), ['sess-taint']);
  assert.deepEqual(await ids('tainted=1&decision=deny'), []);
  assert.match((await api<{ error: string }>('/api/sessions?decision=block', 400)).error, /decision must be allow, ask or deny/);

  type R = { sessionId: string; matched: number; truncated: boolean; records: { id: number; ts: number; event: string; tool?: string; decision?: string; ruleId?: string; reason?: string; durationMs?: number; input: string; tainted: boolean; extra?: unknown }[] };
  const tl = await api<R>('/api/records?session=sess-deny');
  assert.equal(tl.sessionId, 'sess-deny');
  assert.equal(tl.matched, 3);
  assert.equal(tl.truncated, false);
  assert.deepEqual(tl.records.map((r) => [r.id, r.event, r.tool, r.decision, r.ruleId]), [
    [1, 'SessionStart', undefined, undefined, undefined],
    [2, 'PreToolUse', 'Bash', 'deny', 'git.force-push'],
    [3, 'PreToolUse', 'Edit', 'allow', 'core.allow'],
  ]);
  const deny = tl.records[1]!;
  assert.equal(deny.durationMs, 12);
  assert.equal(deny.input, HOSTILE_COMMAND, 'JSON carries the text as data; the page inserts it as text');
  assert.match(deny.reason ?? '', /^force push rewrites shared history/);
  assert.deepEqual((await api<R>('/api/records?session=sess-deny&decision=deny')).records.map((r) => r.id), [2]);
  assert.deepEqual((await api<R>('/api/records?session=sess-deny&tool=Edit')).records.map((r) => r.id), [3]);
  const taint = await api<R>('/api/records?session=sess-taint&tainted=1');
  assert.deepEqual(taint.records.map((r) => [r.id, r.tainted]), [[5, true]]);
  assert.deepEqual(taint.records[0]?.extra, { untrusted: true, taint: { source: 'WebFetch example.com' } });
  assert.equal((await api<R>('/api/records?session=nobody')).matched, 0);
  await api('/api/records', 400);

  type V = { ok: boolean; records: number; firstId?: number; lastId?: number; problem?: { kind: string; id?: number; message: string } };
  assert.deepEqual(await api<V>('/api/verify'), { ok: true, records: 8, firstId: 1, lastId: 8 });
  tamper(home, 2);
  const broken = await api<V>('/api/verify');
  assert.equal(broken.ok, false);
  assert.equal(broken.problem?.kind, 'edited');
  assert.equal(broken.problem?.id, 2);
  assert.match(broken.problem?.message ?? '', /record 2 .*content changed/);
});

test('an empty state dir serves empty lists and an intact (empty) chain', async (t) => {
  const { server, port } = await started(tempHome());
  t.after(() => server.close());
  const cookie = await signIn(port, server.url);
  assert.deepEqual(JSON.parse((await get(port, '/api/sessions', { cookie })).body), { sessions: [], tools: [], total: 0 });
  assert.deepEqual(JSON.parse((await get(port, '/api/verify', { cookie })).body), { ok: true, records: 0 });
});

test('record content is redacted again on the way out (a secret registered after the write)', async (t) => {
  const home = tempHome();
  const value = 'Zq7-not-a-pattern-but-registered-4411';
  const s = openAuditStore({ stateDir: home });
  s.append({ sessionId: 's1', event: 'PreToolUse', tool: 'Bash', input: { command: `deploy --key ${value}` }, decision: 'deny', reason: `saw ${value}`, extra: { note: value } });
  s.close();
  const { server, port } = await started(home);
  t.after(() => server.close());
  const cookie = await signIn(port, server.url);
  const before = (await get(port, '/api/records?session=s1', { cookie })).body;
  assert.ok(before.includes(value), 'the store kept it: nothing marked it secret at write time');
  registerSecret('DEPLOY_KEY', value);
  t.after(() => unregisterSecret('DEPLOY_KEY'));
  const after = (await get(port, '/api/records?session=s1', { cookie })).body;
  assert.ok(!after.includes(value), after);
  const rec = (JSON.parse(after) as { records: { input: string; reason: string; extra: { note: string } }[] }).records[0]!;
  assert.equal(rec.input, 'deploy --key [secret:DEPLOY_KEY]');
  assert.equal(rec.reason, 'saw [secret:DEPLOY_KEY]');
  assert.equal(rec.extra.note, '[secret:DEPLOY_KEY]');
});

test('isTainted keys off extra.taint, extra.untrusted, extra.injection and the event name', () => {
  const r = (event: string, extra?: Record<string, unknown>) => ({ event, ...(extra ? { extra } : {}) });
  assert.equal(recordTainted(r('PostToolUse', { taint: true })), true);
  assert.equal(recordTainted(r('PostToolUse', { taint: 'web' })), true);
  assert.equal(recordTainted(r('PostToolUse', { taint: { source: 'x' } })), true);
  assert.equal(recordTainted(r('PostToolUse', { untrusted: true })), true);
  assert.equal(recordTainted(r('PostToolUse', { injection: { trust: 'untrusted', detected: false } })), true);
  assert.equal(recordTainted(r('PostToolUse', { injection: { trust: 'semi', tainted: 'injection' } })), true);
  assert.equal(recordTainted(r('cordon.taint')), true);
  assert.equal(recordTainted(r('PostToolUse', { taint: false, untrusted: false, taints: [] })), false);
  assert.equal(recordTainted(r('PostToolUse', { taint: [] })), false);
  assert.equal(recordTainted(r('PostToolUse', { injection: { trust: 'prompt' } })), false);
  assert.equal(recordTainted(r('PreToolUse')), false);
  assert.equal(isTainted([r('PreToolUse'), r('PostToolUse', { untrusted: 1 })]), true);
  assert.equal(isTainted([r('PreToolUse')]), false);
  assert.equal(isTainted([]), false);
});

test('cordon ui prints a one-time link; requests without it get 403', async (t) => {
  const home = seed();
  const child = spawn(process.execPath, [MAIN, 'ui', '--port', '0', '--no-open', '--exit-after-ms', '60000'], {
    env: { ...process.env, CORDON_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('exit', (code) => reject(new Error(`cordon ui exited (${code}) before printing a link: ${out}${err}`)));
  });
  const port = Number(new URL(url).port);
  assert.equal((await get(port, '/')).status, 403);
  assert.equal((await get(port, '/api/sessions')).status, 403);
  const cookie = await signIn(port, url);
  const sessions = JSON.parse((await get(port, '/api/sessions', { cookie })).body) as { total: number };
  assert.equal(sessions.total, 3);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

/** Fixtures for the review UI tests: a seeded audit store and raw HTTP requests with full control of headers. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import { openAuditStore } from '../../src/audit/index.js';

export const HOSTILE_COMMAND = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
export const HOSTILE_REASON = '<b onmouseover="window.__pwned = 3">bold</b> & <iframe src="https://example.com">';

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'cordon-ui-'));
}

/**
 * Three sessions through the real store: `sess-deny` (a deny and an allow; the deny carries hostile markup),
 * `sess-taint` (a WebFetch whose record marks untrusted ingestion), `sess-plain` (allows only).
 */
export function seed(home = tempHome()): string {
  const s = openAuditStore({ stateDir: home });
  const t0 = Date.now() - 3_600_000;
  s.append({ ts: t0, sessionId: 'sess-deny', event: 'SessionStart', cwd: '/w/deny' });
  s.append({
    ts: t0 + 1_000,
    sessionId: 'sess-deny',
    event: 'PreToolUse',
    tool: 'Bash',
    input: { command: HOSTILE_COMMAND },
    decision: 'deny',
    ruleId: 'git.force-push',
    reason: `force push rewrites shared history; use --force-with-lease ${HOSTILE_REASON}`,
    durationMs: 12,
    cwd: '/w/deny',
  });
  s.append({ ts: t0 + 2_000, sessionId: 'sess-deny', event: 'PreToolUse', tool: 'Edit', input: { file_path: '/w/deny/a.ts' }, decision: 'allow', ruleId: 'core.allow' });
  s.append({ ts: t0 + 10_000, sessionId: 'sess-taint', event: 'PreToolUse', tool: 'WebFetch', input: { url: 'https://example.com/page' }, decision: 'allow' });
  s.append({
    ts: t0 + 11_000,
    sessionId: 'sess-taint',
    event: 'PostToolUse',
    tool: 'WebFetch',
    input: { url: 'https://example.com/page' },
    extra: { untrusted: true, taint: { source: 'WebFetch example.com' } },
  });
  s.append({ ts: t0 + 12_000, sessionId: 'sess-taint', event: 'PreToolUse', tool: 'Bash', input: { command: 'git push' }, decision: 'ask', ruleId: 'taint.sink', reason: 'the session read untrusted content' });
  s.append({ ts: t0 + 20_000, sessionId: 'sess-plain', event: 'PreToolUse', tool: 'Read', input: { file_path: '/w/plain/README.md' }, decision: 'allow' });
  s.append({ ts: t0 + 21_000, sessionId: 'sess-plain', event: 'PreToolUse', tool: 'Bash', input: { command: 'ls -la' }, decision: 'allow' });
  s.close();
  return home;
}

/** Edits a stored record behind the store's back, as an attacker with file access would. */
export function tamper(home: string, id = 2): void {
  const db = new Database(join(home, 'audit.db'));
  try {
    db.pragma('busy_timeout = 5000');
    const n = db.prepare(`UPDATE records SET reason = 'nothing to see here' WHERE id = ?`).run(id).changes;
    if (n !== 1) throw new Error(`tamper: record ${id} not found`);
  } finally {
    db.close();
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET with exactly the headers given (Host defaults to 127.0.0.1:PORT, as a browser would send). */
export function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // An empty Host means "send none at all".
    const all: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers };
    const noHost = all.host === '';
    if (noHost) delete all.host;
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: all, setHost: !noHost, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Swaps a one-time link for the session cookie; returns the `name=value` pair to send back. */
export async function signIn(port: number, url: string): Promise<string> {
  const u = new URL(url);
  const r = await get(port, u.pathname + u.search);
  if (r.status !== 303) throw new Error(`sign-in: expected 303, got ${r.status}: ${r.body}`);
  const set = r.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error('sign-in: no Set-Cookie');
  return first.split(';')[0] as string;
}

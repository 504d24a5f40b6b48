/**
 * The review server: loopback only, read-only, behind a one-time link.
 *
 *   - binds 127.0.0.1 (a random port unless one is given);
 *   - rejects any Host other than 127.0.0.1:PORT / localhost:PORT, so a DNS-rebound name cannot reach it from a page;
 *   - the printed URL carries a 256-bit token that works once: it is swapped for an HttpOnly, SameSite=Strict cookie
 *     holding a different secret, then redirected away, so the token never stays in the address bar or history;
 *   - everything else without that cookie gets 403;
 *   - every response carries a CSP allowing only this origin's own script and style (no inline code at all) and
 *     Trusted Types, so even a slip to innerHTML in the page would throw instead of running record content.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DECISIONS, recordsView, sessionsView, verifyView, type DecisionFilter, type UiFilter } from './data.js';
import { INDEX_HTML, APP_CSS } from './page.js';
import { APP_JS } from './client.js';

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const BASE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface UiServerOptions {
  stateDir: string;
  /** 0 or absent: a free port chosen by the system. */
  port?: number;
}

export interface UiServer {
  /** The one-time link to print: http://127.0.0.1:PORT/?token=… */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  /** Name of the session cookie (per port, since cookies are shared across ports of one host). */
  cookieName: string;
  close(): Promise<void>;
}

const secret = (): string => randomBytes(32).toString('base64url');
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Constant-time comparison of two strings of any length. */
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const text = (res: ServerResponse, status: number, body: string): void => send(res, status, 'text/plain; charset=utf-8', `${body}\n`);
const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

class BadRequest extends Error {}

function filterOf(q: URLSearchParams): UiFilter {
  const f: UiFilter = {};
  const d = q.get('decision');
  if (d !== null && d !== '') {
    if (!(DECISIONS as readonly string[]).includes(d)) throw new BadRequest(`decision must be allow, ask or deny, got ${JSON.stringify(d)}`);
    f.decision = d as DecisionFilter;
  }
  const t = q.get('tool');
  if (t !== null && t !== '') f.tool = t;
  const tainted = q.get('tainted');
  if (tainted === '1' || tainted === 'true') f.tainted = true;
  return f;
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = secret();
  let tokenUsed = false;
  let cookieSecret: string | undefined;
  let port = 0;
  let cookieName = '';
  let hosts = new Set<string>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts.has(host)) return text(res, 403, `forbidden: this server answers only to 127.0.0.1:${port} or localhost:${port}, not ${JSON.stringify(host)}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'read-only: only GET\n', { Allow: 'GET, HEAD' });
    // Browsers say where a request comes from; another site (or another port of this host) has no business here.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return text(res, 403, 'forbidden: cross-site request');

    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return text(res, 400, 'bad request URL');
    }
    const cookie = cookieValue(req.headers.cookie, cookieName);
    const authed = cookieSecret !== undefined && cookie !== undefined && same(cookie, cookieSecret);
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (authed) return send(res, 303, 'text/plain; charset=utf-8', 'see /\n', { Location: '/' });
      if (tokenUsed || !same(offered, token)) {
        return text(res, 403, 'forbidden: this link was already used or belongs to another run; restart `cordon ui` for a new one');
      }
      tokenUsed = true;
      cookieSecret = secret();
      return send(res, 303, 'text/plain; charset=utf-8', 'see /\n', {
        Location: '/',
        'Set-Cookie': `${cookieName}=${cookieSecret}; HttpOnly; SameSite=Strict; Path=/`,
      });
    }
    if (!authed) return text(res, 403, 'forbidden: open the link `cordon ui` printed (it carries a one-time token)');

    try {
      route(url, res);
    } catch (err) {
      if (err instanceof BadRequest) return json(res, 400, { error: err.message });
      json(res, 500, { error: (err as Error).message });
    }
  };

  const route = (url: URL, res: ServerResponse): void => {
    switch (url.pathname) {
      case '/':
      case '/index.html':
        return send(res, 200, 'text/html; charset=utf-8', INDEX_HTML);
      case '/app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', APP_JS);
      case '/app.css':
        return send(res, 200, 'text/css; charset=utf-8', APP_CSS);
      case '/favicon.ico':
        return send(res, 204, 'text/plain', '');
      case '/api/sessions':
        return json(res, 200, sessionsView(opts.stateDir, filterOf(url.searchParams)));
      case '/api/records': {
        const session = url.searchParams.get('session');
        if (session === null || session === '') throw new BadRequest('session is required');
        return json(res, 200, recordsView(opts.stateDir, session, filterOf(url.searchParams)));
      }
      case '/api/verify':
        return json(res, 200, verifyView(opts.stateDir));
      default:
        return text(res, 404, 'not found');
    }
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  cookieName = `cordon_ui_${port}`;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    cookieName,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

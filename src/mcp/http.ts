/**
 * The `http_request` tool's work: an HTTP request whose URL, headers and body may name secrets as
 * `{{secret:NAME}}`. A placeholder is resolved only when the request's host is in that secret's host scope; the
 * response (status, headers, body) is masked before the model sees it, and redirects are returned rather than
 * followed, so a secret never travels to a host the scope did not name.
 */
import { redactText } from '../redact/index.js';
import { stateDir as defaultStateDir } from '../state.js';
import { loadKnownSecrets } from '../secrets/known.js';
import { hostInScope } from '../secrets/scope.js';
import { SecretStore, SecretStoreError } from '../secrets/store.js';

const PLACEHOLDER = /\{\{\s*secret:([A-Za-z0-9_]{1,64})\s*\}\}/g;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const TIMEOUT_MS = 30_000;

export interface HttpRequestInput {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpToolResult {
  ok: boolean;
  /** JSON text of the response, masked; or a one-line refusal. */
  text: string;
}

export interface HttpOptions {
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const refuse = (text: string): HttpToolResult => ({ ok: false, text });

function namesIn(s: string): string[] {
  return [...s.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export async function httpRequest(input: HttpRequestInput, opts: HttpOptions = {}): Promise<HttpToolResult> {
  const env = opts.env ?? process.env;
  const dir = opts.stateDir ?? defaultStateDir(env);
  const method = (input.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) return refuse(`refused: unsupported method ${method.slice(0, 20)}; use one of ${[...METHODS].join(', ')}`);
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(input.url)?.[0] ?? '';
  if (namesIn(authority).length > 0 || authority.includes('{{')) {
    return refuse('refused: a secret placeholder may not appear in the scheme, host or user-info part of the URL; put it in a header, the path or the query');
  }
  let target: URL;
  try {
    target = new URL(input.url.replace(PLACEHOLDER, 'x'));
  } catch {
    return refuse(`refused: ${JSON.stringify(input.url.slice(0, 200))} is not an absolute URL`);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return refuse(`refused: only http and https URLs are supported, not ${target.protocol}`);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const headers = input.headers ?? {};
  const wanted = new Set<string>([...namesIn(input.url), ...namesIn(input.body ?? '')]);
  for (const [k, v] of Object.entries(headers)) for (const n of [...namesIn(k), ...namesIn(String(v))]) wanted.add(n);

  const store = new SecretStore(dir);
  const values = new Map<string, string>();
  try {
    for (const name of wanted) {
      const info = store.get(name);
      if (!info) return refuse(`refused: no secret named ${name}; call list_secrets for the names available`);
      if (!hostInScope(info.scope, host)) {
        const where = info.scope.hosts.length ? `may be sent only to ${info.scope.hosts.join(', ')}` : 'has no host scope';
        return refuse(`refused: secret ${name} ${where}, not ${host}; the human can widen it with \`cordon secrets scope ${name} --scope-host ${host}\``);
      }
      const value = store.resolve(name, env);
      if (value === undefined) return refuse(`refused: secret ${name} is read from $${info.env ?? '?'}, which is not set where cordon mcp runs`);
      values.set(name, value);
    }
  } catch (err) {
    if (err instanceof SecretStoreError) return refuse(`refused: ${err.message}`);
    throw err;
  }
  const fill = (s: string, encode: boolean): string =>
    s.replace(PLACEHOLDER, (_m, n: string) => {
      const v = values.get(n)!;
      return encode ? encodeURIComponent(v) : v;
    });

  let known;
  try {
    known = loadKnownSecrets({ stateDir: dir, env });
  } catch (err) {
    return refuse(`refused: the secret store cannot be read, so the response could not be masked (${(err as Error).message.split('\n')[0]})`);
  }
  const mask = (s: string): string => redactText(known.matcher.replace(s));

  const init: RequestInit = {
    method,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [fill(k, false), fill(String(v), false)])),
  };
  if (input.body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = fill(input.body, false);
  let res: Response;
  try {
    res = await fetch(fill(input.url, true), init);
  } catch (err) {
    const e = err as Error & { cause?: Error };
    const why = [e.message, e.cause?.message].filter(Boolean).join(': ');
    return { ok: false, text: mask(`request failed: ${why}`) };
  }
  for (const n of values.keys()) store.touch(n);
  const { text, truncated } = await readCapped(res);
  const out = {
    status: res.status,
    statusText: res.statusText,
    headers: Object.fromEntries([...res.headers.entries()].map(([k, v]) => [k, mask(v)])),
    body: mask(text),
    ...(truncated ? { truncated: `body cut at ${MAX_RESPONSE_BYTES} bytes` } : {}),
  };
  return { ok: true, text: JSON.stringify(out, null, 2) };
}

async function readCapped(res: Response): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const buf = Buffer.concat(parts).subarray(0, MAX_RESPONSE_BYTES);
  return { text: buf.toString('utf8'), truncated };
}

/**
 * The secrets this process knows the values of, loaded from the store once and reloaded only when the store file
 * changes (a stat per call). Loading also registers every value with the shared redactor, so anything this process
 * redacts (audit records, messages) shows `[secret:NAME]` instead of the value.
 *
 *   containsKnownSecret(text)  → NAME | undefined     a tool input carrying a stored value, in any encoding
 *   scanForLeaks(text)         → { findings }          stored values and common credential formats in tool output
 */
import { registerSecret, unregisterSecret } from '../redact/index.js';
import { PATTERNS, PEM_BEGIN } from '../redact/patterns.js';
import { stateDir as defaultStateDir } from '../state.js';
import { secretForms } from './forms.js';
import { Matcher, type Entry } from './matcher.js';
import { SecretStore, type ResolvedSecret } from './store.js';

export interface KnownSecrets {
  secrets: ResolvedSecret[];
  matcher: Matcher;
  /** True when some value is not ASCII, so streams must be decoded as UTF-8 rather than byte for byte. */
  nonAscii: boolean;
}

let cache: { key: string; dir?: string; stamp?: string; envVars: string[]; known: KnownSecrets } | undefined;
let registered = new Set<string>();

export interface LoadOptions {
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Loads (or reuses) the known secrets. Throws SecretStoreError when the store exists but cannot be read. */
export function loadKnownSecrets(opts: LoadOptions = {}): KnownSecrets {
  const env = opts.env ?? process.env;
  const dir = opts.stateDir ?? defaultStateDir(env);
  const store = new SecretStore(dir);
  const stamp = store.stamp();
  if (stamp === 'none') return remember(`${dir}\0none`, [], []);
  // The fast path is one stat: the store is re-read only when its file changed. env-declared values can change
  // between calls in a long-lived process, so the variables they come from are part of the key.
  if (cache && cache.dir === dir && cache.stamp === stamp && cache.key === keyOf(dir, stamp, cache.envVars, env)) return cache.known;
  const envVars = store
    .list()
    .filter((s) => s.source === 'env' && s.env)
    .map((s) => s.env!);
  return remember(keyOf(dir, stamp, envVars, env), store.resolveAll(env), envVars, dir, stamp);
}

function keyOf(dir: string, stamp: string, envVars: string[], env: NodeJS.ProcessEnv): string {
  return `${dir}\0${stamp}\0${envVars.map((v) => `${v}=${(env[v] ?? '').length}:${hashish(env[v] ?? '')}`).join(',')}`;
}

function hashish(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function remember(key: string, secrets: ResolvedSecret[], envVars: string[], dir?: string, stamp?: string): KnownSecrets {
  if (cache?.key === key) return cache.known;
  const entries: Entry[] = [];
  const now = new Set<string>();
  for (const s of secrets) {
    for (const form of secretForms(s.value)) entries.push({ form, name: s.name });
    registerSecret(s.name, s.value);
    now.add(s.name);
  }
  for (const old of registered) if (!now.has(old)) unregisterSecret(old);
  registered = now;
  const known: KnownSecrets = { secrets, matcher: new Matcher(entries), nonAscii: secrets.some((s) => /[^\x00-\x7f]/.test(s.value)) };
  cache = { key, envVars, known, ...(dir !== undefined ? { dir } : {}), ...(stamp !== undefined ? { stamp } : {}) };
  return known;
}

/** Builds a KnownSecrets from explicit values (tests, and callers that already hold the values). */
export function knownFrom(secrets: ResolvedSecret[]): KnownSecrets {
  const entries: Entry[] = [];
  for (const s of secrets) for (const form of secretForms(s.value)) entries.push({ form, name: s.name });
  return { secrets, matcher: new Matcher(entries), nonAscii: secrets.some((s) => /[^\x00-\x7f]/.test(s.value)) };
}

/**
 * The NAME of the first stored secret whose value (or an encoding of it) appears in `text`; never the value.
 * Uses the store under $CORDON_HOME / ~/.cordon unless `opts` says otherwise.
 */
export function containsKnownSecret(text: string, opts?: LoadOptions): string | undefined {
  if (typeof text !== 'string' || text.length < 6) return undefined;
  return loadKnownSecrets(opts).matcher.first(text);
}

/**
 * containsKnownSecret over every string inside a tool input (keys included), without JSON escaping in the way.
 * `known`: the secrets the caller loaded for this very call, so that they are not checked for a second time.
 */
export function findKnownSecretIn(value: unknown, opts?: LoadOptions, known?: KnownSecrets): string | undefined {
  const m = (known ?? loadKnownSecrets(opts)).matcher;
  if (m.size === 0) return undefined;
  const stack: unknown[] = [value];
  let budget = 100_000;
  while (stack.length > 0 && budget-- > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const hit = v.length >= 6 ? m.first(v) : undefined;
      if (hit) return hit;
    } else if (Array.isArray(v)) {
      stack.push(...v);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) stack.push(k, x);
    }
  }
  return undefined;
}

export interface LeakFinding {
  /** `known-secret` for a stored value, else the credential format's label (`github-token`, `private-key`, …). */
  kind: string;
  /** The stored secret's name, for `known-secret`. */
  name?: string;
  offset: number;
}

/** Stored secret values (any encoding) and common credential formats in tool output; offsets, never values. */
export function scanForLeaks(text: string, opts?: LoadOptions, loaded?: KnownSecrets): { findings: LeakFinding[] } {
  if (typeof text !== 'string' || text === '') return { findings: [] };
  const known = (loaded ?? loadKnownSecrets(opts)).matcher.all(text);
  const findings: LeakFinding[] = known.map((m) => ({ kind: 'known-secret', name: m.name, offset: m.offset }));
  const covered = (at: number): boolean => known.some((m) => at >= m.offset && at < m.offset + m.length);
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (const m of text.matchAll(p.re)) {
      const secret = p.group === 0 ? m[0] : m[p.group];
      if (!secret || (p.accept && !p.accept(secret))) continue;
      const at = (m.index ?? 0) + m[0].length - secret.length;
      if (secret.startsWith('[secret:') || secret.startsWith('[redacted:') || covered(at)) continue;
      findings.push({ kind: p.label, offset: at });
    }
  }
  PEM_BEGIN.lastIndex = 0;
  for (const m of text.matchAll(PEM_BEGIN)) findings.push({ kind: 'private-key', offset: m.index ?? 0 });
  findings.sort((a, b) => a.offset - b.offset);
  return { findings };
}

/** Forgets the cached secrets and unregisters them from the redactor (tests). */
export function resetKnownSecrets(): void {
  for (const n of registered) unregisterSecret(n);
  registered = new Set();
  cache = undefined;
}

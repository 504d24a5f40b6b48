/**
 * Redaction: removes credentials from text and structured values before they are stored or shown.
 *
 *   redactText(s)               known secret values, PEM private keys, token formats, credentials in URLs, headers and
 *                               command lines, `KEY=value` assignments whose key looks secret, high-entropy values
 *   redactValue(v)              deep copy of v with every string redacted and secret-named fields replaced
 *   registerSecret(name, val)   exact values (and their base64, URL-encoded and hex forms) become `[secret:NAME]`
 *
 * Deliberately left readable: git commit hashes and other hex digests, UUIDs, file paths, npm/SRI integrity strings
 * (`sha512-…`, public hashes of published tarballs) and base64 that decodes to printable text (encoded text is not key
 * material; a secret that must not appear in any encoding belongs in the registry).
 *
 * Replacements look like `[redacted:github-token]`; running the redactor again over its own output changes nothing.
 */
import { PATTERNS, PEM_BEGIN } from './patterns.js';
import { isSecretKey, isPasswordKey } from './keys.js';
import { registryReplace } from './registry.js';

export { registerSecret, unregisterSecret, clearSecrets } from './registry.js';
export { isSecretKey } from './keys.js';

const mark = (label: string): string => `[redacted:${label}]`;
const isMarked = (s: string): boolean => s.includes('[redacted:') || s.includes('[secret:');

export function redactText(s: string): string {
  if (typeof s !== 'string' || s.length === 0) return s;
  let out = registryReplace(s);
  out = redactPem(out);
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, (...args: unknown[]) => {
      const match = args[0] as string;
      const secret = (p.group === 0 ? match : (args[p.group] as string | undefined)) ?? '';
      if (secret === '' || isMarked(secret)) return match;
      if (p.accept && !p.accept(secret)) return match;
      if (p.group === 0) return mark(p.label);
      const keep = match.slice(0, match.length - secret.length);
      return keep + mark(p.label);
    });
  }
  return redactAssignments(out);
}

/** Whole PEM private key blocks; a block without its END line is redacted through the end of its base64 body. */
function redactPem(s: string): string {
  if (!s.includes('-----BEGIN ')) return s;
  let out = '';
  let from = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(s); m !== null; m = PEM_BEGIN.exec(s)) {
    const start = m.index;
    const endMarker = `-----END ${m[1] ?? ''}PRIVATE KEY${m[2] ?? ''}-----`;
    const endAt = s.indexOf(endMarker, PEM_BEGIN.lastIndex);
    let stop: number;
    if (endAt >= 0) {
      stop = endAt + endMarker.length;
    } else {
      stop = PEM_BEGIN.lastIndex;
      while (stop < s.length && /[A-Za-z0-9+/=\s\\:-]/.test(s[stop] as string)) stop++;
    }
    out += s.slice(from, start) + mark('private-key');
    from = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  return out + s.slice(from);
}

// key (optionally quoted) · separator · value (double-quoted, single-quoted or bare). Quoted values are bounded and
// stop at line ends so an unterminated quote costs at most one bounded scan per line.
const ASSIGN =
  /(?<![A-Za-z0-9_.-])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1([ \t]{0,8}(?::=|=>|:|=)[ \t]{0,8})(?:"((?:[^"\\\n]|\\.){0,1024})"|'([^'\n]{0,1024})'|([^\s"',;}\]&?]+))/g;

const TYPE_WORDS = new Set(['string', 'number', 'boolean', 'str', 'bytes', 'any', 'unknown', 'int', 'bool', 'none', 'null', 'nil', 'undefined', 'true', 'false', 'required', 'optional', 'bearer', 'basic', 'digest', 'token', 'bot']);

function redactAssignments(s: string): string {
  ASSIGN.lastIndex = 0;
  return s.replace(ASSIGN, (...args: unknown[]) => {
    const m = args[0] as string;
    const q = args[1] as string;
    const key = args[2] as string;
    const sep = args[3] as string;
    const dq = args[4] as string | undefined;
    const sq = args[5] as string | undefined;
    const bare = args[6] as string | undefined;
    const offset = args[7] as number;
    const whole = args[8] as string;
    const value = dq ?? sq ?? bare ?? '';
    // Our own markers ("[secret:NAME]", "[redacted:x]") parse as assignments too.
    if (offset > 0 && whole[offset - 1] === '[' && (key === 'secret' || key === 'redacted')) return m;
    if (value === '' || isMarked(value)) return m;
    let label: string | undefined;
    if (isSecretKey(key)) {
      if (!isTrivialValue(value, key, bare !== undefined)) {
        const compact = key.toLowerCase().replace(/[^a-z0-9]/g, '');
        label = /secretaccesskey|awssecret/.test(compact) ? 'aws-secret-key' : 'secret-assignment';
      }
    } else if (looksHighEntropy(value)) {
      label = 'high-entropy';
    }
    if (label === undefined) return m;
    const r = mark(label);
    const v = dq !== undefined ? `"${r}"` : sq !== undefined ? `'${r}'` : r;
    return q + key + q + sep + v;
  });
}

/** Values under a secret-looking key that are not themselves secrets: references, placeholders, types, flags. */
function isTrivialValue(v: string, key: string, bare: boolean): boolean {
  const t = v.trim();
  if (t === '' || /^[*x.•]+$/i.test(t)) return true;
  if (/^(\$|%[A-Za-z_]+%|\{\{|<[A-Za-z_ -]+>$)/.test(t)) return true;
  if (TYPE_WORDS.has(t.toLowerCase())) return true;
  if (/^-?\d+(\.\d+)?$/.test(t) && !isPasswordKey(key)) return true;
  // Bare code references (process.env.TOKEN, getToken(), os.environ["X"]) are not literal secrets.
  if (bare && (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(t) || t.includes('('))) return true;
  // The name of another variable (TOKEN=GITHUB_TOKEN, `--secret NPM_TOKEN=NODE_AUTH_TOKEN`) is a reference.
  if (bare && /^[A-Z][A-Z_]{2,63}$/.test(t) && t.includes('_')) return true;
  return false;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A random-looking token: long, mixed case and digits, high character entropy, not a digest or encoded text. */
export function looksHighEntropy(v: string): boolean {
  if (v.length < 20 || v.length > 1024) return false;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(v)) return false;
  if (/^[0-9a-fA-F]+$/.test(v) || UUID.test(v)) return false;
  if (/^sha(1|256|384|512)-/.test(v)) return false;
  if (!/[0-9]/.test(v) || !/[A-Z]/.test(v) || !/[a-z]/.test(v)) return false;
  if (decodesToText(v)) return false;
  return shannon(v) >= (v.length < 32 ? 3.7 : 4.0);
}

function shannon(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function decodesToText(v: string): boolean {
  if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return false;
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length === 0) return false;
  for (const b of bytes) {
    if (!(b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f))) return false;
  }
  return true;
}

const MAX_DEPTH = 64;

/**
 * Deep copy with every string redacted. Fields whose names look secret lose their value entirely (numbers and
 * booleans stay unless the field is a password: `token_count: 5` is not a credential). Cycles, functions and
 * excessive depth become short markers so the result is always JSON-serialisable.
 */
export function redactValue(v: unknown): unknown {
  return copy(v, 0, new WeakSet<object>());
}

function copy(v: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined) return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (depth >= MAX_DEPTH) return '[truncated:depth]';
  const obj = v as object;
  if (seen.has(obj)) return '[circular]';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (obj instanceof Uint8Array) return `[binary:${obj.byteLength} bytes]`;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((x) => copy(x, depth + 1, seen));
    if (obj instanceof Map) return copy(Object.fromEntries(obj), depth, seen);
    if (obj instanceof Set) return copy([...obj], depth, seen);
    if (obj instanceof Error) return { name: obj.name, message: redactText(obj.message) };
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(obj)) {
      out[k] = isSecretKey(k) ? secretField(k, val) : copy(val, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

function secretField(key: string, val: unknown): unknown {
  if (val === null || val === undefined || typeof val === 'boolean' || val === '') return val;
  if (typeof val === 'number' && !isPasswordKey(key)) return val;
  if (typeof val === 'string' && isMarked(val) && redactText(val) === val) return val;
  if (typeof val === 'string' && isTrivialValue(val, key, false) && !/^\d/.test(val)) return val;
  return mark('secret-field');
}

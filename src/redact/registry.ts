/**
 * Registry of known secret values (environment credentials, values an issue has flagged). Each value is matched
 * literally in several encodings, because a secret leaves a process as often base64'd into a header, percent-encoded
 * into a URL or hex-dumped as it does verbatim. Base64 is also matched at the three byte alignments it can take
 * inside a longer encoded blob.
 */

const MIN_LENGTH = 6;

/** name → encoded forms, longest first. */
const secrets = new Map<string, string[]>();
/** Every form of every secret paired with its replacement, longest first (so a form never eats part of a longer one). */
let table: [string, string][] = [];

/** The encoded forms of a value that count as the secret (the matcher in src/secrets uses exactly these). */
export function secretForms(value: string): string[] {
  const buf = Buffer.from(value, 'utf8');
  const out = new Set<string>([value]);
  const b64 = buf.toString('base64');
  out.add(b64);
  out.add(b64.replace(/=+$/, ''));
  out.add(buf.toString('base64url'));
  // Inside a longer base64 stream the secret may start 0, 1 or 2 bytes into a 3-byte group: keep only the
  // characters that depend on the secret's bytes alone.
  for (const shift of [0, 1, 2]) {
    const enc = Buffer.concat([Buffer.alloc(shift), buf]).toString('base64');
    const skip = shift === 0 ? 0 : shift === 1 ? 2 : 3;
    const full = Math.floor(((shift + buf.length) * 8) / 6);
    const inner = enc.slice(skip, full);
    if (inner.length >= 8) {
      out.add(inner);
      out.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  out.add(encodeURIComponent(value));
  out.add(buf.toString('hex'));
  out.add(buf.toString('hex').toUpperCase());
  return [...out].filter((f) => f.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
}

function rebuild(): void {
  const all: [string, string][] = [];
  for (const [name, fs] of secrets) for (const f of fs) all.push([f, `[secret:${name}]`]);
  table = all.sort((a, b) => b[0].length - a[0].length);
}

/**
 * Registers a value to be replaced by `[secret:NAME]` wherever it appears. Values shorter than 6 characters are
 * refused (returns false): replacing them would shred ordinary text.
 */
export function registerSecret(name: string, value: string): boolean {
  if (typeof value !== 'string' || value.length < MIN_LENGTH) return false;
  const clean = name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'secret';
  const prev = secrets.get(clean) ?? [];
  secrets.set(clean, [...new Set([...prev, ...secretForms(value)])]);
  rebuild();
  return true;
}

export function unregisterSecret(name: string): void {
  secrets.delete(name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  rebuild();
}

export function clearSecrets(): void {
  secrets.clear();
  table = [];
}

export function registryReplace(s: string): string {
  let out = s;
  for (const [form, repl] of table) {
    if (out.includes(form)) out = out.split(form).join(repl);
  }
  return out;
}

/**
 * The encoded forms of a secret value that count as the secret: verbatim, base64 (standard, unpadded, url-safe, and
 * the inner run that survives at each byte alignment inside a longer base64 blob), percent-encoded and hex.
 *
 * The shared redactor (src/redact/registry.ts) is the authority on forms; this module asks it when it can
 * (`secretForms`), so the matcher used for streams, input checks and leak scans finds exactly what the redactor
 * replaces. Until the registry exposes its forms, the derivation below mirrors it, and a test checks that every form
 * produced here is one the registry replaces.
 */
import * as registry from '../redact/registry.js';

const MIN_FORM = 6;

type FormsFn = (value: string) => string[];
const fromRegistry = (registry as unknown as { secretForms?: FormsFn }).secretForms;

export function secretForms(value: string): string[] {
  if (typeof fromRegistry === 'function') return fromRegistry(value);
  const buf = Buffer.from(value, 'utf8');
  const out = new Set<string>([value]);
  const b64 = buf.toString('base64');
  out.add(b64);
  out.add(b64.replace(/=+$/, ''));
  out.add(buf.toString('base64url'));
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
  return [...out].filter((f) => f.length >= MIN_FORM).sort((a, b) => b.length - a.length);
}

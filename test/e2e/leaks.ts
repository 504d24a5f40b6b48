/**
 * Looking for a secret value where it must not be: derives the forms a value can travel in (verbatim, base64 at
 * every byte alignment, URL-encoded, hex) independently of cordon's own matcher, and searches raw bytes, with and
 * without whitespace (base64 and hex dumps wrap lines, which would hide a form from a plain search).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Form {
  /** e.g. `verbatim`, `base64@1`, `hex`. */
  kind: string;
  text: string;
}

/** The forms of `value` worth searching for. */
export function formsOf(value: string): Form[] {
  const buf = Buffer.from(value, 'utf8');
  const forms: Form[] = [{ kind: 'verbatim', text: value }, { kind: 'url-encoded', text: encodeURIComponent(value) }];
  // Inside a longer base64 blob the value's bytes start at any of three alignments; the characters fully
  // determined by the value alone are the same whatever surrounds it.
  for (const shift of [0, 1, 2]) {
    const enc = Buffer.concat([Buffer.alloc(shift), buf]).toString('base64');
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor(((shift + buf.length) * 8) / 6);
    const inner = enc.slice(start, end);
    forms.push({ kind: `base64@${shift}`, text: inner });
    forms.push({ kind: `base64url@${shift}`, text: inner.replace(/\+/g, '-').replace(/\//g, '_') });
  }
  forms.push({ kind: 'hex', text: buf.toString('hex') });
  forms.push({ kind: 'HEX', text: buf.toString('hex').toUpperCase() });
  const seen = new Set<string>();
  return forms.filter((f) => f.text.length >= 8 && !seen.has(f.text) && (seen.add(f.text), true));
}

/** The forms of the value found in `text` (also after removing whitespace, which line-wrapped dumps insert). */
export function formsIn(text: string, forms: Form[]): string[] {
  const squeezed = text.replace(/\s+/g, '');
  const hits: string[] = [];
  for (const f of forms) {
    if (text.includes(f.text)) hits.push(f.kind);
    else if (squeezed.includes(f.text)) hits.push(`${f.kind} (line-wrapped)`);
  }
  return hits;
}

/** Every regular file under `dir` (symlinks not followed). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A place searched and the forms found there. */
export interface Hit {
  where: string;
  forms: string[];
}

/** Searches the raw bytes of every file under `dir` (as latin1, so any byte sequence is kept as-is). */
export function searchFiles(dir: string, forms: Form[], read: (file: string) => string = (f) => readFileSync(f).toString('latin1')): Hit[] {
  const hits: Hit[] = [];
  for (const f of filesUnder(dir)) {
    const found = formsIn(read(f), forms);
    if (found.length > 0) hits.push({ where: f, forms: found });
  }
  return hits;
}

/** Searches one named text. */
export function searchText(where: string, text: string, forms: Form[]): Hit[] {
  const found = formsIn(text, forms);
  return found.length > 0 ? [{ where, forms: found }] : [];
}

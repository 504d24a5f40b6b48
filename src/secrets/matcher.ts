/**
 * Finds every known secret form in text, fast enough to run on every tool call.
 *
 * Every form is at least 6 characters long, so a rolling hash of 6-character windows picks the few positions worth
 * checking: a 64 Ki-bit filter rejects almost every window without a map lookup, and only hits are compared with
 * `startsWith`. Matching is leftmost-longest, like the redactor's longest-first replacement.
 *
 * `StreamMasker` applies the same matcher to a stream cut into arbitrary chunks: it holds back only the shortest tail
 * that could still be the start of a form, so ordinary output is passed on at once, and a secret split across two
 * writes is still caught.
 */

const W = 6;
const B = 31;
const B_W1 = (() => {
  let p = 1;
  for (let i = 0; i < W - 1; i++) p = Math.imul(p, B);
  return p;
})();

export interface Entry {
  form: string;
  name: string;
}

export interface Match {
  name: string;
  offset: number;
  length: number;
}

function hashAt(s: string, i: number): number {
  let h = 0;
  for (let k = 0; k < W; k++) h = (Math.imul(h, B) + s.charCodeAt(i + k)) | 0;
  return h;
}

export class Matcher {
  readonly maxLength: number;
  readonly size: number;
  private byHash = new Map<number, Entry[]>();
  private filter = new Uint8Array(1 << 13);
  /** Prefixes shorter than the hash window, for deciding whether a short tail may begin a form. */
  private shortPrefixes = new Set<string>();

  constructor(entries: Entry[]) {
    const seen = new Set<string>();
    const list = entries.filter((e) => e.form.length >= W && !seen.has(e.form) && (seen.add(e.form), true));
    list.sort((a, b) => b.form.length - a.form.length);
    this.size = list.length;
    this.maxLength = list.reduce((m, e) => Math.max(m, e.form.length), 0);
    for (const e of list) {
      const h = hashAt(e.form, 0);
      const bucket = this.byHash.get(h);
      if (bucket) bucket.push(e);
      else this.byHash.set(h, [e]);
      this.filter[(h >>> 3) & 0x1fff]! |= 1 << (h & 7);
      for (let k = 1; k < W; k++) this.shortPrefixes.add(e.form.slice(0, k));
    }
  }

  /**
   * Scans `text` from `from`. Calls `onMatch` for each match (leftmost-longest, non-overlapping); stops early when it
   * returns true. Unless `final`, stops at the first position where the rest of the text could be the start of a
   * form and returns that position (the caller keeps the tail for later); otherwise returns text.length.
   */
  scan(text: string, final: boolean, onMatch: (m: Match) => boolean | void): number {
    const L = text.length;
    if (this.size === 0) return L;
    let i = 0;
    let h = L >= W ? hashAt(text, 0) : 0;
    while (i < L) {
      const rest = L - i;
      if (rest < W) {
        if (!final && this.shortPrefixes.has(text.slice(i))) return i;
        i++;
        continue;
      }
      if ((this.filter[(h >>> 3) & 0x1fff]! & (1 << (h & 7))) !== 0) {
        const bucket = this.byHash.get(h);
        if (bucket) {
          let hit: Entry | undefined;
          for (const e of bucket) {
            if (e.form.length > rest) {
              if (!final && e.form.startsWith(text.slice(i))) return i;
              continue;
            }
            if (text.startsWith(e.form, i)) {
              hit = e;
              break;
            }
          }
          if (hit) {
            if (onMatch({ name: hit.name, offset: i, length: hit.form.length }) === true) return L;
            i += hit.form.length;
            if (L - i >= W) h = hashAt(text, i);
            continue;
          }
        }
      }
      if (i + W < L) h = (Math.imul(h - Math.imul(text.charCodeAt(i), B_W1), B) + text.charCodeAt(i + W)) | 0;
      i++;
    }
    return L;
  }

  /** The name of the first secret form found, if any. */
  first(text: string): string | undefined {
    let name: string | undefined;
    this.scan(text, true, (m) => {
      name = m.name;
      return true;
    });
    return name;
  }

  all(text: string): Match[] {
    const out: Match[] = [];
    this.scan(text, true, (m) => {
      out.push(m);
    });
    return out;
  }

  replace(text: string): string {
    let out = '';
    let last = 0;
    this.scan(text, true, (m) => {
      out += text.slice(last, m.offset) + `[secret:${m.name}]`;
      last = m.offset + m.length;
    });
    return last === 0 ? text : out + text.slice(last);
  }
}

/** Masks a stream delivered in arbitrary chunks. */
export class StreamMasker {
  private pending = '';
  constructor(private readonly m: Matcher) {}

  push(chunk: string): string {
    const text = this.pending + chunk;
    let out = '';
    let last = 0;
    const stop = this.m.scan(text, false, (mt) => {
      out += text.slice(last, mt.offset) + `[secret:${mt.name}]`;
      last = mt.offset + mt.length;
    });
    out += text.slice(last, Math.max(last, stop));
    this.pending = text.slice(Math.max(last, stop));
    return out;
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    return this.m.replace(rest);
  }
}

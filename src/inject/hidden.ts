/**
 * Content a human reviewer does not see but a model reads: zero-width and bidi control characters, Unicode tag
 * characters (an invisible copy of ASCII), words spelled with Cyrillic/Greek look-alikes, HTML comments and
 * elements hidden with CSS or attributes.
 *
 * Everything here is a single forward pass or an indexOf loop, so cost stays linear in the input length.
 */

export interface RawFinding {
  id: string;
  offset: number;
  length: number;
  weight: number;
  label?: string;
}

/** A decoded or normalised view of part of the input, to be rescanned for phrases. */
export interface DerivedText {
  text: string;
  /** Original offset of each UTF-16 unit of `text`, or a single block the whole text maps to. */
  map: Int32Array | { offset: number; length: number };
  via: string;
}

const ZW = /[\u200B-\u200F\u2060-\u2064\uFEFF\u180E]/g;
const INVISIBLE_ANY = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC7F]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
const TAG_RUN = /(?:\uDB40[\uDC00-\uDC7F]){2,}/g;

/** Cyrillic and Greek letters that render like Latin ones, mapped to the Latin letter they imitate. */
const CONFUSABLE: Record<string, string> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', І: 'I', Ј: 'J', Ѕ: 'S',
  ο: 'o', α: 'a', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const HAS_CYR_GREEK = /[\u0370-\u03FF\u0400-\u04FF\u0500-\u052F]/;
const WORD = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u052F]{3,}/g;
const LATIN = /[A-Za-z]/;

const isAsciiVisible = (c: number) => c >= 0x21 && c <= 0x7e;

/**
 * Zero-width, bidi and tag characters. Returns findings plus derived texts to rescan: the decoded tag
 * characters, and a normalised copy of the whole input with invisibles removed and look-alikes folded.
 */
export function scanInvisible(text: string, out: RawFinding[], derived: DerivedText[]): void {
  // A leading BOM and ZWJ inside emoji sequences are ordinary; only count invisibles wedged between visible
  // ASCII, which is where they split words to dodge filters or carry a hidden bit stream.
  if (INVISIBLE_ANY.test(text)) {
    let inWord = 0;
    let runStart = -1;
    let runLen = 0;
    let firstAt = -1;
    let longestRun = 0;
    let longestAt = -1;
    ZW.lastIndex = 0;
    for (let m = ZW.exec(text); m; m = ZW.exec(text)) {
      const i = m.index;
      if (i === runStart + runLen) runLen++;
      else {
        runStart = i;
        runLen = 1;
      }
      if (runLen > longestRun) {
        longestRun = runLen;
        longestAt = runStart;
      }
      const before = i > 0 ? text.charCodeAt(runStart - 1) : 0;
      const after = text.charCodeAt(i + 1);
      if (i > 0 && isAsciiVisible(before) && (isAsciiVisible(after) || after === 0x20)) {
        inWord++;
        if (firstAt < 0) firstAt = i;
      }
    }
    if (longestRun >= 8) {
      out.push({ id: 'hidden.zero-width', offset: longestAt, length: longestRun, weight: 0.5, label: `run of ${longestRun} zero-width characters (possible hidden encoding)` });
    } else if (inWord >= 3) {
      out.push({ id: 'hidden.zero-width', offset: firstAt, length: 1, weight: 0.3, label: `${inWord} zero-width characters inside words` });
    } else if (inWord > 0) {
      out.push({ id: 'hidden.zero-width', offset: firstAt, length: 1, weight: 0.15 });
    }

    BIDI.lastIndex = 0;
    let bidi = 0;
    let bidiAt = -1;
    for (let m = BIDI.exec(text); m; m = BIDI.exec(text)) {
      if (bidiAt < 0) bidiAt = m.index;
      bidi++;
    }
    if (bidi > 0) out.push({ id: 'hidden.bidi', offset: bidiAt, length: 1, weight: 0.3, label: `${bidi} bidirectional control character(s)` });

    TAG_RUN.lastIndex = 0;
    for (let m = TAG_RUN.exec(text); m; m = TAG_RUN.exec(text)) {
      let decoded = '';
      for (let j = 1; j < m[0].length; j += 2) decoded += String.fromCharCode(m[0].charCodeAt(j) - 0xdc00);
      const visible = decoded.replace(/[\x00-\x1f\x7f]/g, '');
      if (visible.length >= 4) {
        out.push({ id: 'hidden.tag-chars', offset: m.index, length: m[0].length, weight: 0.55, label: `invisible tag characters decode to "${preview(visible)}"` });
        derived.push({ text: visible, map: { offset: m.index, length: m[0].length }, via: 'tag characters' });
      }
    }
  }
  const norm = normalise(text, out);
  if (norm) derived.push(norm);
}

/** Words mixing Latin letters with Cyrillic/Greek look-alikes, and the normalised copy if anything changed. */
function normalise(text: string, out: RawFinding[]): DerivedText | undefined {
  const hasInvisible = INVISIBLE_ANY.test(text);
  const hasMixed = HAS_CYR_GREEK.test(text);
  if (!hasInvisible && !hasMixed) return undefined;
  const fold = new Map<number, string>();
  if (hasMixed) {
    let count = 0;
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
      const w = m[0];
      if (!LATIN.test(w) || !HAS_CYR_GREEK.test(w)) continue;
      let ok = true;
      for (const ch of w) if (!LATIN.test(ch) && CONFUSABLE[ch] === undefined && !/[\u00C0-\u024F]/.test(ch)) ok = false;
      if (!ok) continue;
      for (let j = 0; j < w.length; j++) {
        const f = CONFUSABLE[w[j]!];
        if (f) fold.set(m.index + j, f);
      }
      if (count++ < 20) out.push({ id: 'hidden.homoglyph', offset: m.index, length: w.length, weight: 0.35, label: `"${w}" mixes Latin with Cyrillic/Greek look-alike letters` });
    }
  }
  if (!hasInvisible && fold.size === 0) return undefined;
  const parts: string[] = [];
  const map = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xad || c === 0x180e || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff) continue;
    if (c === 0xdb40) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdc7f) {
        i++;
        continue;
      }
    }
    parts.push(fold.get(i) ?? text[i]!);
    map[n++] = i;
  }
  return { text: parts.join(''), map: map.subarray(0, n), via: 'normalised text' };
}

/** A region of the input hidden from a human reader of rendered HTML/markdown. */
export interface HiddenRegion {
  id: 'hidden.html-comment' | 'hidden.css-hidden';
  start: number;
  end: number;
}

const HIDDEN_TAG = /<([a-zA-Z][a-zA-Z0-9-]{0,20})\b([^<>]{0,600})>/g;
const HIDDEN_ATTR =
  /\bstyle\s*=\s*["'][^"']{0,400}?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|["'!])|opacity\s*:\s*0(?:\.0+)?\s*(?:;|["'!])|(?:^|;|["'\s])color\s*:\s*(?:#fff(?:fff)?|white|rgba?\(\s*255\s*,\s*255\s*,\s*255)\b|(?:height|width)\s*:\s*0(?:px)?\s*;[^"']{0,100}overflow\s*:\s*hidden|left\s*:\s*-\d{4,}px)|\baria-hidden\s*=\s*["']?true|\shidden(?:\s|$|=)/i;

/** HTML comments and hidden elements. Found with indexOf so an unterminated `<!--` costs one pass, not n². */
export function hiddenRegions(text: string): HiddenRegion[] {
  const regions: HiddenRegion[] = [];
  let from = 0;
  for (;;) {
    const s = text.indexOf('<!--', from);
    if (s < 0) break;
    const e = text.indexOf('-->', s + 4);
    const end = e < 0 ? text.length : e + 3;
    regions.push({ id: 'hidden.html-comment', start: s, end });
    if (e < 0) break;
    from = end;
  }
  if (text.indexOf('<') >= 0) {
    HIDDEN_TAG.lastIndex = 0;
    for (let m = HIDDEN_TAG.exec(text); m; m = HIDDEN_TAG.exec(text)) {
      if (!HIDDEN_ATTR.test(m[2]!)) continue;
      const close = text.indexOf(`</${m[1]}`, m.index + m[0].length);
      // Unclosed hidden elements are bounded so one stray tag cannot mark a whole page as hidden.
      const end = close < 0 ? Math.min(text.length, m.index + m[0].length + 4000) : close;
      regions.push({ id: 'hidden.css-hidden', start: m.index, end });
    }
  }
  return regions;
}

export function preview(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

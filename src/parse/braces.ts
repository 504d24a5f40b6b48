/**
 * Brace expansion (`{a,b}`, `{1..3}`, `{a..c}`) over a word whose characters are marked active (unquoted
 * literal) or not. Results are capped: beyond MAX_BRACE_WORDS the word is reported as dynamic instead.
 */
export const MAX_BRACE_WORDS = 256;
const MAX_BRACE_GROUPS = 16;
const MAX_BRACE_CHARS = 4096;

interface Ch {
  c: string;
  a: boolean;
}

/** Returns the expanded strings, or undefined when the expansion would be too large. */
export function expandBraces(parts: { v: string; active: boolean }[]): string[] | undefined {
  if (!parts.some((p) => p.active && p.v.includes('{'))) return [parts.map((p) => p.v).join('')];
  const chars: Ch[] = [];
  for (const p of parts) for (const c of p.v) chars.push({ c, a: p.active });
  const opens = chars.filter((ch) => ch.a && ch.c === '{').length;
  if (opens === 0) return [chars.map((ch) => ch.c).join('')];
  // Bounded work: many brace groups or very long words are left dynamic.
  if (opens > MAX_BRACE_GROUPS || chars.length > MAX_BRACE_CHARS) return undefined;
  const out: string[] = [];
  return expand(chars, out) ? out : undefined;
}

function expand(chars: Ch[], out: string[]): boolean {
  for (let i = 0; i < chars.length; i++) {
    if (!isActive(chars, i, '{')) continue;
    // Find the matching close brace and top-level commas.
    let depth = 0;
    const commas: number[] = [];
    let close = -1;
    for (let j = i + 1; j < chars.length; j++) {
      if (isActive(chars, j, '{')) depth++;
      else if (isActive(chars, j, '}')) {
        if (depth === 0) {
          close = j;
          break;
        }
        depth--;
      } else if (depth === 0 && isActive(chars, j, ',')) commas.push(j);
    }
    if (close < 0) continue;
    const pre = chars.slice(0, i);
    const post = chars.slice(close + 1);
    let alts: Ch[][];
    if (commas.length > 0) {
      alts = [];
      let start = i + 1;
      for (const c of [...commas, close]) {
        alts.push(chars.slice(start, c));
        start = c + 1;
      }
    } else {
      const seq = sequence(chars.slice(i + 1, close).map((ch) => ch.c).join(''));
      if (seq === undefined) continue;
      if (seq === null) return false;
      alts = seq.map((s) => [...s].map((c) => ({ c, a: false })));
    }
    for (const alt of alts) {
      if (!expand([...pre, ...alt, ...post], out)) return false;
      if (out.length > MAX_BRACE_WORDS) return false;
    }
    return true;
  }
  out.push(chars.map((ch) => ch.c).join(''));
  return out.length <= MAX_BRACE_WORDS;
}

function isActive(chars: Ch[], i: number, c: string): boolean {
  const ch = chars[i]!;
  return ch.a && ch.c === c && (i === 0 || !(chars[i - 1]!.a && chars[i - 1]!.c === '$'));
}

/** `{1..5}`, `{a..e}`, `{1..10..2}`; undefined when not a sequence, null when too large. */
function sequence(body: string): string[] | undefined | null {
  const m = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])(?:\.\.(-?\d+))?$/.exec(body);
  if (!m) return undefined;
  const [, a, b, stepS] = m as unknown as [string, string, string, string | undefined];
  const step = Math.abs(parseInt(stepS ?? '1', 10)) || 1;
  const num = /^-?\d+$/.test(a) && /^-?\d+$/.test(b);
  if (!num && (/\d/.test(a) || /\d/.test(b))) return undefined;
  const x = num ? parseInt(a, 10) : a.charCodeAt(0);
  const y = num ? parseInt(b, 10) : b.charCodeAt(0);
  if (Math.abs(y - x) / step > MAX_BRACE_WORDS) return null;
  const res: string[] = [];
  const dir = y >= x ? 1 : -1;
  for (let v = x; dir > 0 ? v <= y : v >= y; v += dir * step) res.push(num ? String(v) : String.fromCharCode(v));
  return res;
}

/**
 * Prompt-injection detector for untrusted tool output (web pages, search results, MCP results, vendored files).
 *
 * It looks for signals (see patterns.ts, hidden.ts, encoded.ts), each a finding with an id, a label, a
 * position and a weight in 0..1, and turns them into a score:
 *
 *   - Weights are "how likely is this text an injection if this signal were the only one". A signal ≥ 0.5 is
 *     enough on its own for untrusted text; weaker ones (an imperative `run …`, a `Human:` line, a zero-width
 *     character) only count together.
 *   - Findings combine by noisy-OR, 1 − Π(1 − wᵢ), over distinct ids (repeats of one id add nothing), and only
 *     within a window of WINDOW characters around each finding. The score is the strongest such local cluster,
 *     so two unrelated weak hits megabytes apart in a long log do not add up to a verdict.
 *   - Content found hidden (HTML comment, CSS-hidden element, tag characters, base64/hex) is rescanned; a phrase
 *     hit inside hidden content also adds a hidden.* finding, since hiding instructions is itself a tell.
 *   - The verdict is `inject` when the score reaches the threshold of the trust class: untrusted 0.5 (web, MCP),
 *     semi 0.6 (vendored files, repo docs), prompt 0.75 (text the user typed).
 *
 * Offsets and lengths are UTF-16 code-unit indices into the input (JavaScript string indices). Findings that come
 * from decoded or normalised text point at the encoded block or at the original characters.
 *
 * Cost is linear in the input: every pattern is bounded (no nested quantifiers) and rescans are bounded in depth
 * and size, so multi-megabyte outputs are scanned whole.
 */

import { PHRASES, STRUCTURAL_LABELS } from './patterns.js';
import { hiddenRegions, scanInvisible, type DerivedText, type RawFinding } from './hidden.js';
import { decodeBlocks, scanUrls } from './encoded.js';

export type Trust = 'untrusted' | 'semi' | 'prompt';

export interface InjectionFinding {
  id: string;
  label: string;
  offset: number;
  length: number;
  weight: number;
}

export interface InjectionResult {
  verdict: 'inject' | 'clean';
  score: number;
  findings: InjectionFinding[];
}

export const THRESHOLDS: Record<Trust, number> = { untrusted: 0.5, semi: 0.6, prompt: 0.75 };

/** Characters either side of a finding within which other findings reinforce it. */
export const WINDOW = 2000;
const MAX_DEPTH = 2;
/** Findings returned to the caller; scoring still sees all of them. */
const MAX_REPORTED = 200;
/** Hits kept per phrase id, so a pathological input cannot build millions of findings. */
const MAX_PER_ID = 50;

const LABELS: Map<string, string> = new Map([...PHRASES.map((p) => [p.id, p.label] as const), ...Object.entries(STRUCTURAL_LABELS)]);

function runPhrases(text: string, out: RawFinding[]): void {
  for (const p of PHRASES) {
    p.re.lastIndex = 0;
    let n = 0;
    for (let m = p.re.exec(text); m && n < MAX_PER_ID; m = p.re.exec(text)) {
      if (m[0].length === 0) {
        p.re.lastIndex++;
        continue;
      }
      const quoted = QUOTABLE.test(p.id) && isQuoted(text, m.index, m.index + m[0].length);
      out.push(
        quoted
          ? { id: p.id, offset: m.index, length: m[0].length, weight: p.weight * 0.4, label: `${p.label} (quoted, as an example)` }
          : { id: p.id, offset: m.index, length: m[0].length, weight: p.weight },
      );
      n++;
    }
  }
}

const QUOTABLE = /^(?:override|role|addressed)\./;
const OPEN_QUOTES = '"\'“‘«`';
const CLOSE_QUOTES = '"\'”’»`';

/**
 * A phrase written inside quotation marks is usually being talked about (security docs, blog posts about
 * injection), not addressed to the reader. Such hits keep a reduced weight so they still count alongside others.
 */
function isQuoted(text: string, start: number, end: number): boolean {
  const before = text[start - 1];
  if (before === undefined || !OPEN_QUOTES.includes(before)) return false;
  // The quote must close right after the phrase: a CSV cell or JSON string that merely starts with it is data.
  const tail = text.slice(end, end + 3);
  if (![...tail].some((ch) => CLOSE_QUOTES.includes(ch))) return false;
  return DISCUSSION.test(text.slice(Math.max(0, start - 80), start));
}

const DISCUSSION = /\b(?:example|such as|like|phrase|sentence|string|contains?|containing|e\.g\.|called|known as|text|says?|saying|injection|attack|attacker|payload|words|line)\b/i;

/** Maps findings from a derived text back to the input. */
function remap(f: RawFinding, d: DerivedText): RawFinding {
  const label = `${f.label ?? LABELS.get(f.id) ?? f.id} (in ${d.via})`;
  if (d.map instanceof Int32Array) {
    const start = d.map[f.offset] ?? 0;
    const endIdx = Math.min(f.offset + f.length - 1, d.map.length - 1);
    const end = (d.map[endIdx] ?? start) + 1;
    return { ...f, offset: start, length: end - start, label: d.via === 'normalised text' ? f.label : label };
  }
  return { ...f, offset: d.map.offset, length: d.map.length, label };
}

function scan(text: string, depth: number): RawFinding[] {
  const out: RawFinding[] = [];
  runPhrases(text, out);
  scanUrls(text, out);
  const derived: DerivedText[] = [];
  scanInvisible(text, out, derived);
  if (depth < MAX_DEPTH) derived.push(...decodeBlocks(text));

  const seen = new Set(out.map((f) => `${f.id}@${f.offset}`));
  for (const d of derived) {
    const inner = d.via === 'normalised text' ? phrasesOnly(d.text) : scan(d.text, depth + 1);
    let hit = false;
    for (const f of inner) {
      const g = remap(f, d);
      const key = `${g.id}@${g.offset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(g);
      if (f.weight >= 0.2) hit = true;
    }
    if (hit && (d.via === 'base64' || d.via === 'hex')) {
      const id = d.via === 'base64' ? 'encoded.base64' : 'encoded.hex';
      const m = d.map as { offset: number; length: number };
      out.push({ id, offset: m.offset, length: m.length, weight: 0.4, label: `${d.via} block decodes to instruction-like text` });
    }
  }

  // Instruction-like content inside a comment or hidden element: the hiding is a second, independent signal.
  const regions = hiddenRegions(text);
  if (regions.length > 0) {
    const phraseHits = out.filter((f) => f.weight >= 0.2 && !f.id.startsWith('hidden.'));
    for (const r of regions) {
      const inside = phraseHits.find((f) => f.offset >= r.start && f.offset < r.end);
      if (inside) out.push({ id: r.id, offset: r.start, length: r.end - r.start, weight: 0.4 });
    }
  }
  return out;
}

function phrasesOnly(text: string): RawFinding[] {
  const out: RawFinding[] = [];
  runPhrases(text, out);
  return out;
}

/** Strongest local cluster: noisy-OR of the best weight per id among findings within WINDOW of each other. */
export function combine(findings: { id: string; offset: number; weight: number }[]): number {
  if (findings.length === 0) return 0;
  const sorted = [...findings].sort((a, b) => a.offset - b.offset);
  let best = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i]!.offset;
    while (sorted[lo]!.offset < c - WINDOW) lo++;
    while (hi + 1 < sorted.length && sorted[hi + 1]!.offset <= c + WINDOW) hi++;
    const perId = new Map<string, number>();
    for (let j = lo; j <= hi; j++) {
      const f = sorted[j]!;
      perId.set(f.id, Math.max(perId.get(f.id) ?? 0, f.weight));
    }
    let keep = 1;
    for (const w of perId.values()) keep *= 1 - w;
    best = Math.max(best, 1 - keep);
    if (best >= 0.999) break;
  }
  return Math.round(Math.min(best, 0.999) * 1000) / 1000;
}

export function detectInjection(text: string, opts: { trust?: Trust } = {}): InjectionResult {
  const trust = opts.trust ?? 'untrusted';
  const raw = scan(text, 0);
  const score = combine(raw);
  const findings = raw
    .sort((a, b) => a.offset - b.offset || b.weight - a.weight)
    .slice(0, MAX_REPORTED)
    .map((f) => ({ id: f.id, label: f.label ?? LABELS.get(f.id) ?? f.id, offset: f.offset, length: f.length, weight: f.weight }));
  return { verdict: score >= THRESHOLDS[trust] ? 'inject' : 'clean', score, findings };
}

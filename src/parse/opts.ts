/**
 * Getopt-style scanning of a command's leading options, shared by wrapper stripping and nesting detection.
 */
import type { Word } from '../ir/types.js';

export interface OptSpec {
  /** Short options that take an argument (`-u USER`, `-uUSER`). */
  short?: string;
  /** Long options that take an argument (`--user USER`, `--user=USER`). */
  long?: string[];
  /** Short options whose argument is optional and only ever attached (`xargs -e[EOF]`, `-i[R]`, `-l[N]`). */
  optional?: string;
  /** Treat `-<digits>` as an option (nice -10). */
  numeric?: boolean;
  /** Stop at the first word that does not start with `-` (default) — every wrapper here behaves that way. */
}

export interface Opt {
  /** Option name without dashes: `u`, `user`. */
  name: string;
  arg?: Word;
  /** Static argument value, when known. */
  value?: string;
}

export interface OptScan {
  opts: Opt[];
  /** Index of the first operand (argv.length when none). */
  next: number;
  /** False when a dynamic word made the option scan uncertain. */
  certain: boolean;
}

export function wordValue(w: Word | undefined): string | undefined {
  return w?.value;
}

/** Scans options of argv starting at `from`. */
export function scanOpts(argv: Word[], from: number, spec: OptSpec): OptScan {
  const opts: Opt[] = [];
  const short = spec.short ?? '';
  const long = spec.long ?? [];
  const optional = spec.optional ?? '';
  let i = from;
  while (i < argv.length) {
    const w = argv[i]!;
    const v = w.value;
    if (v === undefined) return { opts, next: i, certain: !w.text.startsWith('-') };
    if (v === '--') return { opts, next: i + 1, certain: true };
    if (!v.startsWith('-') || v === '-') break;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const name = eq >= 0 ? v.slice(2, eq) : v.slice(2);
      if (eq >= 0) opts.push({ name, value: v.slice(eq + 1), arg: { ...w, value: v.slice(eq + 1), text: v.slice(eq + 1) } });
      else if (long.includes(name)) {
        const a = argv[i + 1];
        opts.push(a ? { name, arg: a, ...(a.value !== undefined ? { value: a.value } : {}) } : { name });
        i++;
      } else opts.push({ name });
      i++;
      continue;
    }
    if (spec.numeric && /^-\d+$/.test(v)) {
      opts.push({ name: v.slice(1) });
      i++;
      continue;
    }
    let consumedNext = false;
    for (let j = 1; j < v.length; j++) {
      const c = v[j]!;
      if (optional.includes(c)) {
        const rest = v.slice(j + 1);
        opts.push(rest ? { name: c, value: rest, arg: { ...w, value: rest, text: rest } } : { name: c });
        break;
      }
      if (short.includes(c)) {
        const rest = v.slice(j + 1);
        if (rest) opts.push({ name: c, value: rest, arg: { ...w, value: rest, text: rest } });
        else {
          const a = argv[i + 1];
          opts.push(a ? { name: c, arg: a, ...(a.value !== undefined ? { value: a.value } : {}) } : { name: c });
          consumedNext = true;
        }
        break;
      }
      opts.push({ name: c });
    }
    i += consumedNext ? 2 : 1;
  }
  return { opts, next: Math.min(i, argv.length), certain: true };
}

export function has(scan: OptScan, ...names: string[]): boolean {
  return scan.opts.some((o) => names.includes(o.name));
}

export function optValue(scan: OptScan, ...names: string[]): Opt | undefined {
  for (let k = scan.opts.length - 1; k >= 0; k--) if (names.includes(scan.opts[k]!.name)) return scan.opts[k];
  return undefined;
}

export function basename(p: string): string {
  if (!p.includes('/')) return p;
  const s = p.endsWith('/') ? p.replace(/\/+$/, '') : p;
  const i = s.lastIndexOf('/');
  return i >= 0 ? s.slice(i + 1) : s;
}

/**
 * Splits a string into words the way `env -S` and simple command strings are split: whitespace separates,
 * single and double quotes group, backslash escapes.
 */
export function splitSimple(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: '' | "'" | '"' = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q === "'") {
      if (c === "'") q = '';
      else cur += c;
      continue;
    }
    if (q === '"') {
      if (c === '"') q = '';
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** A static word synthesised from `v`, keeping the source word's raw text for evidence. */
export function literalWordOf(v: string, from?: Word): Word {
  return { raw: from?.raw ?? v, value: v, dynamic: false, text: v };
}

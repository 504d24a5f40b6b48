/**
 * Word evaluation: a CST word node → zero or more `Word`s (fields), with quote removal, escapes, `~`, known
 * variables and `$IFS` splitting applied statically. Anything only known at run time makes the word dynamic.
 */
import type { Word } from '../ir/types.js';
import type { CNode } from './cst.js';
import { expandBraces } from './braces.js';

/** A variable as far as the analysis knows it; `value` undefined = set but unknown at analysis time. */
export interface VarInfo {
  value?: string;
  exported: boolean;
}

export interface WordEnv {
  vars: Map<string, VarInfo>;
  cwd?: string;
  home: string;
}

/** Segment kinds: unquoted literal (brace/tilde-active), quoted literal, unquoted expansion (split-active), unknown. */
type Seg =
  | { k: 'lit'; v: string }
  | { k: 'q'; v: string }
  | { k: 'exp'; v: string }
  | { k: 'dyn'; raw: string };

interface Field {
  parts: Seg[];
  quoted: boolean;
  /** An empty field that bash keeps (between two non-whitespace IFS characters). */
  keep: boolean;
}

export interface EvalOut {
  words: Word[];
  /** Command and process substitution nodes met inside the word, for the walker to analyse. */
  subs: CNode[];
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

/** Decodes the body of a `$'…'` string. */
export function decodeAnsiC(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const n = body[++i]!;
    if (n in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[n];
    else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (m) {
        out += String.fromCharCode(parseInt(m[0], 16));
        i += m[0].length;
      } else out += '\\x';
    } else if (n === 'u' || n === 'U') {
      const m = (n === 'u' ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/).exec(body.slice(i + 1));
      if (m) {
        const cp = parseInt(m[0], 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
        i += m[0].length;
      } else out += '\\' + n;
    } else if (n >= '0' && n <= '7') {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (n === 'c' && i + 1 < body.length) {
      out += String.fromCharCode(body.charCodeAt(++i) & 0x1f);
    } else out += '\\' + n;
  }
  return out;
}

/** Unquoted literal: backslash quotes the next character; backslash-newline disappears. */
function unescapeUnquoted(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(\n|[\s\S])?/g, (_m, c: string | undefined) => (c === '\n' ? '' : (c ?? '\\')));
}

/** Inside double quotes a backslash only escapes $ ` " \ and newline. */
function unescapeDouble(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const DEFAULT_IFS = ' \t\n';

/**
 * Splits an unquoted expansion's value on IFS the way bash does: runs of IFS whitespace separate fields softly
 * (no empty fields), while each other IFS character, with the IFS whitespace around it, ends a field even when the
 * field is empty. Returns text pieces and delimiters (`true` = hard, `false` = whitespace only).
 */
export function splitIFS(v: string, ifs: string): (string | boolean)[] {
  if (ifs === '') return [v];
  const out: (string | boolean)[] = [];
  const ws = (c: string | undefined): boolean => (c === ' ' || c === '\t' || c === '\n') && ifs.includes(c);
  let start = 0;
  let i = 0;
  while (i < v.length) {
    if (!ifs.includes(v[i]!)) {
      i++;
      continue;
    }
    if (i > start) out.push(v.slice(start, i));
    while (ws(v[i])) i++;
    let hard = false;
    if (i < v.length && ifs.includes(v[i]!)) {
      hard = true;
      i++;
      while (ws(v[i])) i++;
    }
    out.push(hard);
    start = i;
  }
  if (start < v.length) out.push(v.slice(start));
  return out;
}

export class WordEvaluator {
  /** Field separators in effect; undefined when IFS was set to a value only known at run time. */
  private readonly ifs: string | undefined;

  constructor(
    private readonly src: string,
    private readonly env: WordEnv,
  ) {
    const ifs = env.vars.get('IFS');
    this.ifs = ifs ? ifs.value : DEFAULT_IFS;
  }

  private raw(n: CNode): string {
    return this.src.slice(n.s, n.e);
  }

  /** Looks a variable up; undefined = unknown at analysis time. */
  private lookup(name: string): { v?: string; origin?: string } {
    const known = this.env.vars.get(name);
    if (known) return known.value === undefined ? {} : { v: known.value, origin: `$${name} (${name}=${known.value})` };
    if (name === 'HOME') return { v: this.env.home, origin: '$HOME' };
    if (name === 'PWD') return this.env.cwd === undefined ? {} : { v: this.env.cwd, origin: '$PWD' };
    if (name === 'IFS') return { v: DEFAULT_IFS };
    return {};
  }

  private varName(n: CNode): string | undefined {
    // `$X`, `${X}`: a `$`/`${` token, one variable_name, optional `}` and nothing else.
    const named = n.children.filter((c) => c.named);
    if (named.length !== 1) return undefined;
    const v = named[0]!;
    if (v.type !== 'variable_name') return undefined;
    const others = n.children.filter((c) => !c.named).map((c) => c.type);
    if (others.some((t) => t !== '$' && t !== '${' && t !== '}')) return undefined;
    return this.raw(v);
  }

  private expansion(n: CNode, quoted: boolean, segs: Seg[], origins: string[]): void {
    const name = this.varName(n);
    const r = name === undefined ? {} : this.lookup(name);
    if (r.v === undefined) {
      segs.push({ k: 'dyn', raw: this.raw(n) });
      return;
    }
    if (r.origin) origins.push(r.origin);
    segs.push(quoted ? { k: 'q', v: r.v } : { k: 'exp', v: r.v });
  }

  private collect(n: CNode, segs: Seg[], subs: CNode[], origins: string[], first: boolean): void {
    switch (n.type) {
      case 'word':
      case 'number':
      case 'extglob_pattern': {
        let s = unescapeUnquoted(this.raw(n));
        if (first && s.startsWith('~')) {
          const m = /^~([^/]*)/.exec(s)!;
          const user = m[1]!;
          const rest = s.slice(m[0].length);
          if (user === '') {
            segs.push({ k: 'q', v: this.env.home });
            s = rest;
          } else if (user === '+' && this.env.cwd !== undefined) {
            segs.push({ k: 'q', v: this.env.cwd });
            s = rest;
          } else {
            segs.push({ k: 'dyn', raw: m[0] });
            s = rest;
          }
        }
        if (s) segs.push({ k: 'lit', v: s });
        return;
      }
      case 'brace_expression':
        segs.push({ k: 'lit', v: this.raw(n) });
        return;
      case 'raw_string':
        segs.push({ k: 'q', v: this.raw(n).slice(1, -1) });
        return;
      case 'ansi_c_string':
        segs.push({ k: 'q', v: decodeAnsiC(this.raw(n).slice(2, -1)) });
        return;
      case 'string':
      case 'translated_string': {
        const text = this.raw(n);
        const open = n.type === 'string' ? 1 : 2;
        let pos = n.s + open;
        const end = n.e - (text.endsWith('"') && text.length > open ? 1 : 0);
        for (const c of n.children) {
          if (!c.named || c.type === 'string_content') continue;
          if (c.s > pos) segs.push({ k: 'q', v: unescapeDouble(this.src.slice(pos, c.s)) });
          this.part(c, true, segs, subs, origins);
          pos = c.e;
        }
        if (end > pos) segs.push({ k: 'q', v: unescapeDouble(this.src.slice(pos, end)) });
        if (text === '""' || (segs.length === 0 && end <= pos)) segs.push({ k: 'q', v: '' });
        return;
      }
      case 'concatenation': {
        let f = first;
        for (const c of n.children) {
          this.collect(c, segs, subs, origins, f);
          f = false;
        }
        return;
      }
      default:
        this.part(n, false, segs, subs, origins);
    }
  }

  private part(n: CNode, quoted: boolean, segs: Seg[], subs: CNode[], origins: string[]): void {
    switch (n.type) {
      case 'simple_expansion':
      case 'expansion':
        this.expansion(n, quoted, segs, origins);
        this.findSubs(n, subs);
        return;
      case 'command_substitution':
      case 'process_substitution':
        subs.push(n);
        segs.push({ k: 'dyn', raw: this.raw(n) });
        return;
      case 'string':
      case 'raw_string':
      case 'ansi_c_string':
      case 'translated_string':
      case 'word':
      case 'number':
      case 'concatenation':
      case 'brace_expression':
        this.collect(n, segs, subs, origins, false);
        return;
      default:
        // arithmetic, brace ranges, anything else: only known at run time.
        this.findSubs(n, subs);
        segs.push({ k: 'dyn', raw: this.raw(n) });
    }
  }

  /** Finds substitutions nested in nodes that are otherwise treated as opaque. */
  findSubs(n: CNode, subs: CNode[]): void {
    for (const c of n.children) {
      if (c.type === 'command_substitution' || c.type === 'process_substitution') subs.push(c);
      else if (c.children.length) this.findSubs(c, subs);
    }
  }

  /** A word's parts, the substitutions inside it, its source text and where its variables came from. */
  private segments(n: CNode): { segs: Seg[]; subs: CNode[]; raw: string; origin: string | undefined } {
    const segs: Seg[] = [];
    const subs: CNode[] = [];
    const origins: string[] = [];
    this.collect(n, segs, subs, origins, true);
    return { segs, subs, raw: this.raw(n), origin: origins.length ? origins.join(', ') : undefined };
  }

  /** Evaluates a word in argument position: splitting and brace expansion apply; may yield 0..n words. */
  fields(n: CNode): EvalOut {
    const { segs, subs, raw, origin } = this.segments(n);
    if (segs.some((s) => s.k === 'dyn')) {
      return { words: [dynWord(raw, segs, origin)], subs };
    }
    const ifs = this.ifs;
    if (ifs === undefined && segs.some((s) => s.k === 'exp' && s.v !== '')) {
      // Where a value splits depends on an IFS only known at run time.
      return { words: [dynWord(raw, segs, `${origin ? origin + ', ' : ''}split by an IFS only known at run time`)], subs };
    }
    // Field splitting on unquoted expansion results.
    const fields: Field[] = [];
    let cur: Field | undefined;
    for (const s of segs) {
      if (s.k !== 'exp') {
        cur ??= { parts: [], quoted: false, keep: false };
        cur.parts.push(s);
        if (s.k === 'q') cur.quoted = true;
        continue;
      }
      for (const p of splitIFS(s.v, ifs ?? DEFAULT_IFS)) {
        if (typeof p === 'string') {
          cur ??= { parts: [], quoted: false, keep: false };
          cur.parts.push({ k: 'exp', v: p });
        } else if (cur) {
          fields.push(cur);
          cur = undefined;
        } else if (p) fields.push({ parts: [], quoted: false, keep: true });
      }
    }
    if (cur) fields.push(cur);
    const words: Word[] = [];
    for (const f of fields) {
      if (!f.quoted && !f.keep && f.parts.every((p) => p.k !== 'lit' && (p as { v: string }).v === '')) continue;
      const expanded = expandBraces(f.parts.map((p) => ({ v: (p as { v: string }).v, active: p.k === 'lit' })));
      if (expanded === undefined) {
        words.push({ raw, dynamic: true, text: f.parts.map((p) => (p as { v: string }).v).join('') });
        continue;
      }
      for (const v of expanded) words.push(origin ? { raw, value: v, dynamic: false, text: v, origin } : { raw, value: v, dynamic: false, text: v });
    }
    return { words, subs };
  }

  /** `NAME=value` as one word (declaration arguments such as `export X=$Y`). */
  assignment(n: CNode): { word: Word; subs: CNode[] } {
    const nameNode = n.children.find((c) => c.field === 'name');
    const valNode = n.children.find((c) => c.field === 'value');
    const prefix = this.src.slice(n.s, valNode ? valNode.s : n.e);
    const raw = this.raw(n);
    if (!valNode || !nameNode) return { word: { raw, value: prefix, dynamic: false, text: prefix }, subs: [] };
    const v = this.single(valNode);
    const w: Word = v.word.value !== undefined
      ? { raw, value: prefix + v.word.value, dynamic: false, text: prefix + v.word.value }
      : { raw, dynamic: true, text: prefix + v.word.text };
    if (v.word.origin) w.origin = v.word.origin;
    return { word: w, subs: v.subs };
  }

  /** Evaluates a word where no splitting happens (assignment values, redirect targets, here-strings). */
  single(n: CNode): { word: Word; subs: CNode[] } {
    const { segs, subs, raw, origin } = this.segments(n);
    if (segs.some((s) => s.k === 'dyn')) return { word: dynWord(raw, segs, origin), subs };
    const v = segs.map((s) => (s as { v: string }).v).join('');
    const word: Word = { raw, value: v, dynamic: false, text: v };
    if (origin) word.origin = origin;
    return { word, subs };
  }
}

function dynWord(raw: string, segs: Seg[], origin?: string): Word {
  const text = segs.map((s) => (s.k === 'dyn' ? s.raw : s.v)).join('');
  const w: Word = { raw, dynamic: true, text };
  if (origin) w.origin = origin;
  return w;
}

/** A static word made from a plain string (used for synthesised argv such as `env -S` splits). */
export function literalWord(v: string, raw = v): Word {
  return { raw, value: v, dynamic: false, text: v };
}

/**
 * Redirections: CST redirect nodes → `Redirect`s, and what they mean for a command's stdin and stdout.
 */
import type { Redirect, RedirectOp, StdinSource } from '../ir/types.js';
import type { CNode } from './cst.js';
import type { WordEvaluator } from './words.js';

const OPS = new Set<string>(['>', '>>', '<', '<<', '<<-', '<<<', '>&', '<&', '&>', '&>>', '<>', '>|']);

export interface ParsedRedirects {
  redirects: Redirect[];
  /** Substitutions inside targets and unquoted heredoc bodies. */
  subs: CNode[];
  /** Statements the grammar hangs under a heredoc (`cat <<EOF | sh`, `cat <<EOF && x`). */
  pipeTail: CNode[];
  listTail: CNode[];
  /**
   * Words the grammar hangs on a redirect that are really arguments of the command (`rm -rf 2>/dev/null /`:
   * bash takes only the first word after the operator as the target; `cat <<EOF x`), in source order.
   */
  spill: CNode[];
}

function unescapeHeredoc(s: string): string {
  return s.replace(/\\([$`\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

function heredocBody(src: string, n: CNode, strip: boolean, quoted: boolean, ev: WordEvaluator, subs: CNode[]): string {
  const bodyNode = n.children.find((c) => c.type === 'heredoc_body');
  const endNode = n.children.find((c) => c.type === 'heredoc_end');
  if (!bodyNode) return '';
  let start = bodyNode.s;
  // The grammar starts the body after leading tabs of its first line; take the whole line.
  while (start > 0 && (src[start - 1] === '\t' || src[start - 1] === ' ')) start--;
  const end = endNode ? endNode.s : bodyNode.e;
  let text = '';
  if (quoted) text = src.slice(start, end);
  else {
    let pos = start;
    for (const c of bodyNode.children) {
      if (c.type === 'heredoc_content' || !c.named) continue;
      text += unescapeHeredoc(src.slice(pos, c.s));
      const w = ev.single(c);
      subs.push(...w.subs);
      text += w.word.value ?? w.word.text;
      pos = c.e;
    }
    text += unescapeHeredoc(src.slice(pos, end));
  }
  // Drop the indentation before the end delimiter and the final newline.
  text = text.replace(/[ \t]*$/, '').replace(/\n$/, '');
  if (strip) text = text.replace(/^\t+/gm, '');
  return text;
}

export function parseRedirects(src: string, nodes: CNode[], ev: WordEvaluator): ParsedRedirects {
  const out: ParsedRedirects = { redirects: [], subs: [], pipeTail: [], listTail: [], spill: [] };
  for (const n of nodes) {
    const op = n.children.find((c) => !c.named && OPS.has(c.type))?.type as RedirectOp | undefined;
    const fdNode = n.children.find((c) => c.type === 'file_descriptor');
    const r: Redirect = { op: op ?? (n.type === 'herestring_redirect' ? '<<<' : '>') };
    if (fdNode) {
      const fd = Number(src.slice(fdNode.s, fdNode.e));
      if (Number.isInteger(fd)) r.fd = fd;
    }
    if (n.type === 'heredoc_redirect') {
      const startNode = n.children.find((c) => c.type === 'heredoc_start');
      const delim = startNode ? src.slice(startNode.s, startNode.e) : '';
      r.body = heredocBody(src, n, r.op === '<<-', /['"\\]/.test(delim), ev, out.subs);
      out.redirects.push(r);
      for (const c of n.children) {
        if (c.type === 'file_redirect' || c.type === 'herestring_redirect') {
          const inner = parseRedirects(src, [c], ev);
          out.redirects.push(...inner.redirects);
          out.subs.push(...inner.subs);
          out.spill.push(...inner.spill);
        } else if (c.field === 'argument') out.spill.push(c);
        else if (c.type === 'pipeline') out.pipeTail.push(...c.children.filter((x) => x.named));
        else if (c.field === 'right' || c.type === 'list') out.listTail.push(c);
      }
      continue;
    }
    let target: CNode | undefined;
    for (const c of n.children) {
      if (!c.named || c.type === 'file_descriptor' || (c.field !== 'destination' && n.type !== 'herestring_redirect')) continue;
      if (target === undefined) target = c;
      else out.spill.push(c);
    }
    if (target) {
      const w = ev.single(target);
      out.subs.push(...w.subs);
      r.target = w.word;
      if (r.op === '<<<') r.body = r.target.value ?? r.target.text;
    }
    out.redirects.push(r);
  }
  return out;
}

/** What the redirects make of stdin, or undefined when they leave it alone. */
export function stdinOf(redirects: Redirect[]): StdinSource | undefined {
  let res: StdinSource | undefined;
  for (const r of redirects) {
    if (r.fd !== undefined && r.fd !== 0) continue;
    if (r.op === '<' || r.op === '<>') {
      if (r.target) res = { kind: 'file', path: r.target };
    } else if (r.op === '<<' || r.op === '<<-') res = { kind: 'text', text: r.body ?? '', how: 'heredoc' };
    else if (r.op === '<<<') res = { kind: 'text', text: r.body ?? '', how: 'herestring' };
  }
  return res;
}

/** True when stdout goes to a file. */
export function stdoutToFile(redirects: Redirect[]): boolean {
  let file = false;
  for (const r of redirects) {
    const fd = r.fd ?? 1;
    if (r.op === '&>' || r.op === '&>>') file = true;
    else if ((r.op === '>' || r.op === '>>' || r.op === '>|') && fd === 1) file = true;
    else if (r.op === '>&' && fd === 1) file = r.target?.value !== undefined && !/^(\d+|-)$/.test(r.target.value);
  }
  return file;
}

/**
 * Defensive normalisation of commands before the rules see them, for shapes where the static IR under-reports
 * what runs: words that ended up inside a redirect target (`rm -rf 2>/dev/null /`), xargs options whose value was
 * taken for the command (`xargs -J {} rm …`), and command names produced by a literal `$(echo NAME)`.
 */
import type { Command, Word } from '../ir/types.js';
import { normName } from './util.js';

const ECHO_NAME = /^(?:\$\(\s*echo\s+([\w./+-]+)\s*\)|`\s*echo\s+([\w./+-]+)\s*`)$/;

function lit(s: string): Word {
  const v = s.replace(/^'(.*)'$|^"(.*)"$/s, '$1$2');
  return { raw: s, value: v, text: v, dynamic: /[$`]/.test(s) };
}

/** Split on unquoted blanks. */
function splitWords(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = '';
  for (const ch of raw) {
    if (q) { cur += ch; if (ch === q) q = ''; continue; }
    if (ch === '"' || ch === "'") { q = ch; cur += ch; continue; }
    if (/\s/.test(ch)) { if (cur) out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

export function repair(cmd: Command): Command {
  let c = cmd;
  for (const r of cmd.redirects) {
    if (!r.target || !/\s/.test(r.target.raw) || r.op === '<<<') continue;
    const parts = splitWords(r.target.raw);
    if (parts.length < 2) continue;
    const first = lit(parts[0]!);
    c = {
      ...c,
      argv: [...c.argv, ...parts.slice(1).map(lit)],
      redirects: c.redirects.map((x) => (x === r ? { ...x, target: first } : x)),
    };
  }
  if (c.via[c.via.length - 1] === 'xargs' && c.argv.length > 1 && /^(\{\}|\d+)$/.test(c.argv[0]!.value ?? '')) {
    const argv = c.argv.slice(1);
    c = { ...c, argv, name: argv[0]!.value === undefined ? undefined : normName(argv[0]!.value) };
  }
  if (c.name === undefined && c.argv[0]) {
    const m = ECHO_NAME.exec(c.argv[0].raw);
    if (m) {
      const v = m[1] ?? m[2]!;
      c = { ...c, name: normName(v), argv: [{ raw: c.argv[0].raw, value: v, text: v, dynamic: false, origin: c.argv[0].raw }, ...c.argv.slice(1)] };
    }
  }
  return c;
}

/** Cheap test so the common case allocates nothing. */
export function needsRepair(cmd: Command): boolean {
  if (cmd.name === undefined) return true;
  if (cmd.via.length && cmd.via[cmd.via.length - 1] === 'xargs') return true;
  for (const r of cmd.redirects) if (r.target && /\s/.test(r.target.raw)) return true;
  return false;
}

/**
 * Redirected statements, with the grammar's redirect attachment corrected to bash's:
 *   - `a && b > f`, `a | b > f`, `! a > f`: the grammar hangs the redirect on the whole list or pipeline; bash gives
 *     it to the last command only.
 *   - `rm -rf 2>/dev/null /`: the grammar makes every word after the operator a target; bash takes the first and
 *     the rest are arguments of the command.
 *   - `> file`, `x=1 > file`, `$EMPTY > file`: nothing runs, but the file is still opened (truncated, created).
 *     Such statements become a `:` command carrying the redirects, the same as `: > file`, so rules that look at
 *     redirects see them.
 */
import type { Command, Redirect, Word } from '../ir/types.js';
import type { CNode } from './cst.js';
import { parseRedirects, stdinOf, stdoutToFile } from './redirects.js';
import { emitCommand } from './command.js';
import type { Analyzer, Ctx, Env } from './walk.js';

/** argv[0] of a statement that is only redirects. */
export const REDIRECT_ONLY = 'redirect only';

function colon(): Word {
  return { raw: '', value: ':', dynamic: false, text: ':', origin: REDIRECT_ONLY };
}

/** Emits the `:` command standing for redirects that are performed with no command to run. */
export function emitRedirectOnly(an: Analyzer, redirects: Redirect[], text: string, env: Env, ctx: Ctx): Command {
  return emitCommand(an, { argv: [colon()], assignments: [], redirects, text, subs: [] }, env, ctx);
}

const PUSH_INTO = new Set(['list', 'pipeline', 'negated_command']);

function isRedirect(c: CNode, body: CNode | undefined): boolean {
  return c !== body && (c.field === 'redirect' || (c.named && c.type.endsWith('_redirect')));
}

/** Rebuilds `body` so that `rnodes` hang on its last command (see the module doc). */
function pushDown(body: CNode, rnodes: CNode[], end: number): CNode {
  if (!PUSH_INTO.has(body.type)) {
    return { type: 'redirected_statement', field: body.field, named: true, s: body.s, e: end, children: [{ ...body, field: 'body' }, ...rnodes] };
  }
  let k = body.children.length - 1;
  while (k >= 0 && (!body.children[k]!.named || body.children[k]!.type === 'comment')) k--;
  if (k < 0) return body;
  const children = body.children.slice();
  children[k] = pushDown(children[k]!, rnodes, end);
  return { ...body, e: end, children };
}

/** End of the part of a redirected statement that belongs on one line (heredoc bodies excluded). */
function headEnd(body: CNode | undefined, rnodes: CNode[], spill: CNode[]): number {
  let e = body?.e ?? 0;
  for (const r of rnodes) {
    if (r.type !== 'heredoc_redirect') e = Math.max(e, r.e);
    else for (const c of r.children) if (c.type !== 'heredoc_body' && c.type !== 'heredoc_end' && c.type !== 'pipeline' && c.field !== 'right' && c.type !== 'list') e = Math.max(e, c.e);
  }
  for (const w of spill) e = Math.max(e, w.e);
  return e;
}

export function walkRedirected(an: Analyzer, n: CNode, env: Env, ctx: Ctx): void {
  let body = n.children.find((c) => c.field === 'body');
  let rnodes = n.children.filter((c) => isRedirect(c, body));
  // A statement rebuilt by pushDown may wrap one that already had redirects of its own.
  while (body?.type === 'redirected_statement') {
    const inner: CNode = body;
    body = inner.children.find((c) => c.field === 'body');
    rnodes = [...inner.children.filter((c) => isRedirect(c, body)), ...rnodes];
  }
  if (body && PUSH_INTO.has(body.type)) return an.walk(pushDown(body, rnodes, n.e), env, ctx);

  const pr = parseRedirects(an.src, rnodes, an.evaluator(env));
  const bctx: Ctx = pr.pipeTail.length ? { ...ctx, stdout: 'pipe' } : ctx;
  const start = an.out.length;
  const text = an.src.slice(body?.s ?? n.s, headEnd(body, rnodes, pr.spill));
  if (!body || body.type === 'command') {
    an.command(body, env, bctx, pr.redirects, pr.spill, text);
  } else {
    if (pr.spill.length) {
      // `{ a; } > f x`: bash refuses words after the redirects of a compound command.
      an.invalid = true;
      an.problem(`unexpected word after a redirect: ${an.src.slice(pr.spill[0]!.s, pr.spill[0]!.e)}`);
    }
    const inner: Ctx = {
      ...bctx,
      stdin: stdinOf(pr.redirects) ?? bctx.stdin,
      stdout: stdoutToFile(pr.redirects) ? 'file' : bctx.stdout,
      redirects: [...bctx.redirects, ...pr.redirects],
    };
    an.walk(body, env, inner);
    // `if …; then x=1; fi > f` still opens f.
    if (an.out.length === start && pr.redirects.length) emitRedirectOnly(an, inner.redirects, text, env, bctx);
  }
  an.subs(pr.subs, env, ctx);
  if (pr.pipeTail.length) {
    let from: Command | undefined;
    for (let k = an.out.length - 1; k >= start; k--) if (an.out[k]!.depth === ctx.depth) from = an.out[k];
    an.pipeline(pr.pipeTail, env, ctx, from);
  }
  for (const t of pr.listTail) an.walk(t, env, ctx);
}

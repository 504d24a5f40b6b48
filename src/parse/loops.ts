/**
 * `for NAME in WORDS; do …; done`: when every word is known statically, the body is analysed once per value
 * (`for d in ~ /tmp; do rm -rf "$d"; done` → two rm commands with known targets). Otherwise, or past the bounds
 * below, the body is analysed once with NAME unknown.
 */
import type { Word } from '../ir/types.js';
import type { CNode } from './cst.js';
import { estimateTokens } from './budget.js';
import { LIMITS, type Analyzer, type Ctx, type Env } from './walk.js';

/** Most values a loop is unrolled for. */
export const MAX_LOOP_VALUES = 16;
/** Estimated tokens of extra body analysis all unrolled loops of one input may add together. */
export const MAX_UNROLL_TOKENS = 2_000;

export function walkFor(an: Analyzer, n: CNode, env: Env, ctx: Ctx): void {
  const v = n.children.find((c) => c.field === 'variable');
  const ev = an.evaluator(env);
  const values: Word[] = [];
  const subs: CNode[] = [];
  for (const c of n.children) {
    if (c.field !== 'value') continue;
    const f = ev.fields(c);
    subs.push(...f.subs);
    values.push(...f.words);
  }
  an.countWords(values.length);
  an.subs(subs, env, ctx);
  const rest = n.children.filter((c) => c.field !== 'value' && c.field !== 'variable');
  if (!v) return an.walkSeq(rest, env, ctx);
  const name = an.text(v);
  const exported = env.vars.get(name)?.exported ?? false;
  // `select` reads its choice from the user; `for x; do` iterates over the positional parameters.
  const static_ =
    n.children[0]?.type === 'for' &&
    n.children.some((c) => c.type === 'in') &&
    values.length > 0 &&
    values.length <= MAX_LOOP_VALUES &&
    values.every((w) => w.value !== undefined);
  if (static_ && (values.length === 1 || reserve(an, n, values.length - 1))) {
    // Iterations run in the same shell, one after another: state carries over from one to the next.
    for (const w of values) {
      env.vars.set(name, { value: w.value!, exported });
      an.walkSeq(rest, env, ctx);
    }
  } else {
    env.vars.set(name, { exported });
    an.walkSeq(rest, env, ctx);
  }
  // After `break` the variable may hold any of the values.
  env.vars.set(name, { exported });
}

/** Charges `extra` more walks of the loop body to the shared budgets; false when they do not fit. */
function reserve(an: Analyzer, n: CNode, extra: number): boolean {
  const body = n.children.find((c) => c.field === 'body');
  if (!body) return false;
  const cost = estimateTokens(an.src.slice(body.s, body.e), MAX_UNROLL_TOKENS).tokens * extra;
  // Unrolled bodies must never push ordinary input into the hard limits (which refuse the input outright).
  if (an.unrollTokens + cost > MAX_UNROLL_TOKENS) return false;
  if (an.words + cost * 2 > LIMITS.maxWords / 2 || an.tokens + cost > LIMITS.maxTokens / 2) return false;
  an.unrollTokens += cost;
  return true;
}

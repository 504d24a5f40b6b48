/**
 * Rule packs over the shell IR. A new pack is one file in ./packs/ plus one line in PACKS below.
 *
 * Contract used by the engine:
 *   runRules(ir, ctx): Finding[]   every finding of every pack (and of the IR status: dynamic / invalid / limited
 *                                  input), strongest first. Pure and synchronous.
 *   allRules(): RuleMeta[]         metadata of every rule, for `explain`, docs and policy validation.
 */
import type { Finding, RuleContext, RuleMeta, RulePack, ShellIR } from '../ir/types.js';

export const PACKS: RulePack[] = [];

export function runRules(_ir: ShellIR, _ctx: RuleContext): Finding[] {
  throw new Error('not implemented yet');
}

export function allRules(): RuleMeta[] {
  return PACKS.flatMap((p) => p.rules);
}

/**
 * Rule packs over the shell IR. A new pack is one file in ./packs/ plus one line in PACKS below.
 *
 * Contract used by the engine:
 *   runRules(ir, ctx): Finding[]   every finding of every pack (and of the IR status: dynamic / invalid / limited
 *                                  input), strongest first. Pure and synchronous.
 *   allRules(): RuleMeta[]         metadata of every rule, for `explain`, docs and policy validation.
 */
import type { Command, Finding, RuleContext, RuleMeta, RulePack, ShellIR } from '../ir/types.js';
import { nameOf } from './util.js';
import { selfProtectPack } from '../selfprotect/pack.js';
import { needsRepair, repair } from './repair.js';
import { setNestedRunner } from './nested.js';
import { shellPack, statusFindings } from './packs/shell.js';
import { fsPack } from './packs/fs.js';
import { gitPack } from './packs/git.js';
import { rcePack } from './packs/rce.js';
import { dbPack } from './packs/db.js';
import { infraPack } from './packs/infra.js';
import { svcPack } from './packs/svc.js';
import { credsPack } from './packs/creds.js';
import { privPack } from './packs/priv.js';
import { interpPack } from './packs/interp.js';

export const PACKS: RulePack[] = [
  shellPack,
  fsPack,
  gitPack,
  rcePack,
  dbPack,
  infraPack,
  svcPack,
  credsPack,
  privPack,
  interpPack,
  selfProtectPack,
];

const DECISION_RANK = { deny: 0, ask: 1, allow: 2 } as const;
const SEVERITY_RANK = { catastrophic: 0, high: 1, medium: 2, low: 3 } as const;

// Pre-filter: name → packs that asked for it, plus the packs that see every command. Rebuilt if PACKS grows.
let index: { size: number; byName: Map<string, RulePack[]>; always: RulePack[] } | undefined;
function packIndex(): { byName: Map<string, RulePack[]>; always: RulePack[] } {
  if (index && index.size === PACKS.length) return index;
  const byName = new Map<string, RulePack[]>();
  const always: RulePack[] = [];
  for (const p of PACKS) {
    if (p.heads === '*') always.push(p);
    else for (const h of p.heads) byName.set(h, [...(byName.get(h) ?? []), p]);
  }
  index = { size: PACKS.length, byName, always };
  return index;
}

export function runRules(ir: ShellIR, ctx: RuleContext): Finding[] {
  const c: RuleContext = ctx.ir === ir ? ctx : { ...ctx, ir };
  const cmds = ir.commands.map((c) => (needsRepair(c) ? repair(c) : c));
  const fixed = cmds.some((c, i) => c !== ir.commands[i]) ? { ...ir, commands: cmds } : ir;
  const out: Finding[] = statusFindings(fixed);
  const { byName, always } = packIndex();
  for (const cmd of cmds) {
    for (const p of always) push(out, p, cmd, c);
    const n = nameOf(cmd);
    if (n === undefined) continue;
    const ps = byName.get(n) ?? (/^python[0-9.]*$/.test(n) ? byName.get('python') : undefined);
    if (ps) for (const p of ps) push(out, p, cmd, c);
  }
  return sortFindings(dedupe(out));
}

function push(out: Finding[], p: RulePack, cmd: Command, ctx: RuleContext): void {
  for (const f of p.check(cmd, ctx)) out.push(f);
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = f.ruleId + '\u0000' + (f.evidence ?? '') + '\u0000' + f.reason;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort(
    (a, b) => DECISION_RANK[a.decision] - DECISION_RANK[b.decision] || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
}

/** The strongest decision among findings (`allow` when none fired). */
export function decide(fs: Finding[]): 'allow' | 'ask' | 'deny' {
  if (fs.some((f) => f.decision === 'deny')) return 'deny';
  if (fs.some((f) => f.decision === 'ask')) return 'ask';
  return 'allow';
}

export function allRules(): RuleMeta[] {
  return PACKS.flatMap((p) => p.rules);
}

setNestedRunner(runRules);

/**
 * shell: findings drawn from the IR status rather than from one command. Input that could not be fully
 * analysed never passes silently: a command name only known at run time or text that does not parse needs a
 * human, and input beyond the analysis limits is refused outright.
 */
import type { Command, Finding, RulePack, ShellIR } from '../../ir/types.js';
import { rule } from '../util.js';

export const DYNAMIC = rule('shell.dynamic-command', 'high', 'ask',
  'The command name is only known at run time (variable or command substitution), so what runs cannot be checked.',
  '$CMD -rf build');
export const UNPARSABLE = rule('shell.unparsable', 'high', 'ask',
  'The input does not parse as bash, so it cannot be analysed.', "echo 'unterminated");
export const LIMIT = rule('shell.limit', 'catastrophic', 'deny',
  'The input is too large or too deeply nested to analyse within the limits.');

function mk(meta: typeof DYNAMIC, reason: string, alternative: string, evidence?: string, via?: string[]): Finding {
  const f: Finding = { ruleId: meta.id, decision: meta.decision, severity: meta.severity, reason, alternative };
  if (evidence !== undefined) f.evidence = evidence.length > 200 ? evidence.slice(0, 200) + '…' : evidence;
  if (via && via.length) f.via = via;
  return f;
}

export function statusFindings(ir: ShellIR): Finding[] {
  if (ir.status === 'limited') {
    const why = ir.problems[0] ?? 'analysis limit reached';
    return [mk(LIMIT, `The command is too large or too deeply nested to analyse safely (${why}); it was refused.`,
      'split it into smaller commands or put the logic in a script file in the workspace and run that')];
  }
  const out: Finding[] = [];
  if (ir.status === 'invalid') {
    const why = ir.problems[0] ?? 'syntax error';
    out.push(mk(UNPARSABLE, `The command does not parse as bash (${why}), so cordon cannot tell what it would run.`,
      'fix the quoting or syntax and retry'));
  }
  for (const c of ir.commands) {
    if (c.name === undefined && c.argv.length > 0) out.push(dynamicFinding(c));
  }
  return out;
}

function dynamicFinding(c: Command): Finding {
  const w = c.argv[0]!;
  const from = w.origin ? ` (${w.origin})` : '';
  return mk(DYNAMIC, `The command name ${w.text}${from} is only known at run time, so what it runs cannot be checked.`,
    'write the command name literally', c.text, c.via);
}

export const shellPack: RulePack = {
  id: 'shell',
  rules: [DYNAMIC, UNPARSABLE, LIMIT],
  heads: [],
  check: () => [],
};

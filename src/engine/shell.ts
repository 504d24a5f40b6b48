/**
 * Shell analysis for one command line: parse to IR, run the rule packs, time each stage. `explain` prints the
 * whole result; the hook keeps only the findings.
 */
import type { Finding, ShellIR } from '../ir/types.js';
import type { Policy } from '../policy/schema.js';
import { initShellParser, parseShell } from '../parse/index.js';
import { runRules } from '../rules/index.js';

export interface ShellAnalysis {
  ir: ShellIR;
  findings: Finding[];
  timing: { parseMs: number; rulesMs: number };
}

export interface ShellOptions {
  cwd: string;
  home: string;
  workspace: string;
  policy: Policy;
  stateDir?: string;
  /** performance.now() deadline. */
  deadline: number;
}

export async function analyzeShellCommand(command: string, opts: ShellOptions): Promise<ShellAnalysis> {
  await initShellParser();
  const t0 = performance.now();
  const ir = parseShell(command, { cwd: opts.cwd, home: opts.home, deadline: opts.deadline });
  const t1 = performance.now();
  const findings = runRules(ir, {
    workspace: opts.workspace,
    home: opts.home,
    extraRoots: opts.policy.paths.extraRoots,
    preset: opts.policy.preset,
    ir,
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
  });
  const t2 = performance.now();
  if (t2 > opts.deadline) {
    findings.unshift({
      ruleId: 'cordon.deadline',
      decision: 'deny',
      severity: 'high',
      reason: `analysis of this command took longer than the ${Math.round(opts.policy.hook.deadlineMs)} ms deadline, so it was not allowed`,
      alternative: 'split the command into smaller steps',
    });
  }
  return { ir, findings, timing: { parseMs: t1 - t0, rulesMs: t2 - t1 } };
}

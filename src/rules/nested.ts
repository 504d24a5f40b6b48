/**
 * Analysis of shell text found inside other programs (the string an interpreter passes to `os.system`, a git
 * alias starting with `!`, an awk `system()` call, a heredoc fed to a shell). The text is parsed with the real
 * shell parser and run through every rule, so an indirection never hides what the shell rules would catch.
 */
import type { Command, Finding, RuleContext, ShellIR } from '../ir/types.js';
import { parseShell } from '../parse/index.js';
import { cwdOf } from './util.js';

type Runner = (ir: ShellIR, ctx: RuleContext) => Finding[];
let runner: Runner | undefined;
let depth = 0;
const MAX_DEPTH = 4;

export function setNestedRunner(r: Runner): void {
  runner = r;
}

/**
 * Findings for `src` run as shell code on behalf of `cmd`. `how` names the indirection for `via`
 * (`python -c → os.system`). Text that cannot be analysed yields an `ask` from the shell pack's status rules.
 */
export function analyseNested(src: string, cmd: Command, ctx: RuleContext, how: string): Finding[] {
  if (!runner || depth >= MAX_DEPTH) return [];
  depth++;
  try {
    const ir = parseShell(src, { cwd: cwdOf(cmd, ctx) ?? ctx.workspace, home: ctx.home });
    const inner = runner(ir, { ...ctx, ir });
    return inner.map((f) => ({
      ...f,
      via: [...cmd.via, how, ...(f.via ?? [])],
      evidence: f.evidence ?? src.slice(0, 200),
    }));
  } catch {
    return [];
  } finally {
    depth--;
  }
}

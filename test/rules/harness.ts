/**
 * Shared setup for the rule tests: parse a real command string and run every rule on it.
 */
import { initShellParser, parseShell } from '../../src/parse/index.js';
import { decide, runRules } from '../../src/rules/index.js';
import type { Finding, RuleContext } from '../../src/ir/types.js';

export const WS = '/work/ws/proj';
export const HOME = '/home/dev';

export async function ready(): Promise<void> {
  await initShellParser();
}

export function check(cmd: string, cwd = WS): { decision: 'allow' | 'ask' | 'deny'; findings: Finding[]; status: string } {
  const ir = parseShell(cmd, { cwd, home: HOME });
  const ctx: RuleContext = { workspace: WS, home: HOME, extraRoots: [], preset: 'standard', ir };
  const findings = runRules(ir, ctx);
  return { decision: decide(findings), findings, status: ir.status };
}

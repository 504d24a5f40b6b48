/**
 * `cordon explain`: runs a command through the same decision path as the hook (a synthetic PreToolUse Bash
 * event under the policy in force for the directory) and shows every stage.
 */
import type { Command as IrCommand, Finding } from '../ir/types.js';
import { findWorkspace } from '../hook/handle.js';
import { message } from '../hook/protocol.js';
import { formatProblem, loadPolicy } from '../policy/load.js';
import { defaultPolicy } from '../policy/schema.js';
import { allRules } from '../rules/index.js';
import { TAINT_RULES } from '../taint/index.js';
import { redactText } from '../redact/index.js';
import { homeDir, stateDir } from '../state.js';
import { decide } from './decide.js';

export interface Explanation {
  command: string;
  cwd: string;
  workspace: string;
  policy: { files: string[]; problems: string[] };
  parse?: { status: string; problems: string[]; ms: number; commands: ExplainedCommand[] };
  rules?: { ms: number; findings: Finding[] };
  decision: { decision: string; ruleId: string; reason: string; alternative?: string; message: string };
  totalMs: number;
}

export interface ExplainedCommand {
  argv: { value: string; raw: string; dynamic: boolean; origin?: string }[];
  name?: string;
  via: string[];
  wrappers: string[];
  cwd?: string;
  stdin: string;
  depth: number;
}

function describeStdin(c: IrCommand): string {
  switch (c.stdin.kind) {
    case 'inherit':
      return 'inherited';
    case 'pipe':
      return `pipe from \`${c.stdin.from.text}\``;
    case 'text':
      return c.stdin.how;
    case 'file':
      return `file ${c.stdin.path.text}`;
  }
}

export async function explainCommand(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Explanation> {
  const t0 = performance.now();
  const workspace = findWorkspace(opts.env, opts.cwd);
  const state = stateDir(opts.env);
  const loaded = loadPolicy({ workspace, stateDir: state });
  const policy = loaded.ok ? loaded.policy : defaultPolicy();
  const home = homeDir(opts.env);
  const ev = {
    event: 'PreToolUse' as const,
    sessionId: 'explain',
    cwd: opts.cwd,
    toolName: 'Bash',
    toolInput: { command },
    raw: {},
  };
  const result = await decide(ev, { policy, workspace, home, stateDir: state, deadline: performance.now() + policy.hook.deadlineMs, now: new Date() });
  const shell = result.check?.shell;
  const v = result.verdict;
  const ex: Explanation = {
    command,
    cwd: opts.cwd,
    workspace,
    policy: {
      files: loaded.layers.map((l) => `${l.file} (${l.status})`),
      problems: loaded.ok ? [] : loaded.problems.map(formatProblem),
    },
    decision: {
      decision: v.decision,
      ruleId: v.ruleId,
      reason: v.reason,
      ...(v.alternative ? { alternative: v.alternative } : {}),
      message: message(v),
    },
    totalMs: performance.now() - t0,
  };
  if (shell) {
    ex.parse = {
      status: shell.ir.status,
      problems: shell.ir.problems,
      ms: shell.timing.parseMs,
      commands: shell.ir.commands.map((c) => ({
        argv: c.argv.map((w) => ({ value: w.value ?? w.text, raw: w.raw, dynamic: w.dynamic, ...(w.origin ? { origin: w.origin } : {}) })),
        ...(c.name ? { name: c.name } : {}),
        via: c.via,
        wrappers: c.wrappers,
        ...(c.cwd ? { cwd: c.cwd } : {}),
        stdin: describeStdin(c),
        depth: c.depth,
      })),
    };
    ex.rules = { ms: shell.timing.rulesMs, findings: v.findings };
  }
  // Nothing in an explanation may carry a secret in clear (commands often embed tokens).
  return JSON.parse(redactText(JSON.stringify(ex))) as Explanation;
}

export function renderExplanation(ex: Explanation): string {
  const lines: string[] = [];
  lines.push(`command:   ${ex.command}`);
  lines.push(`cwd:       ${ex.cwd}   workspace: ${ex.workspace}`);
  lines.push(`policy:    ${ex.policy.files.join('; ')}`);
  for (const p of ex.policy.problems) lines.push(`  policy problem (built-in defaults used here; the hook denies until fixed): ${p}`);
  if (ex.parse) {
    lines.push(`parse:     ${ex.parse.status}, ${ex.parse.commands.length} command(s), ${ex.parse.ms.toFixed(3)} ms`);
    for (const p of ex.parse.problems) lines.push(`  note: ${p}`);
    ex.parse.commands.forEach((c, i) => {
      const path = [...c.via, c.name ?? '(dynamic)'].join(' → ');
      lines.push(`  ${i + 1}. ${path}${c.wrappers.length ? `   [wrappers: ${c.wrappers.join(', ')}]` : ''}`);
      lines.push(`     argv: ${c.argv.map((w) => (w.dynamic ? `⟨${w.value}⟩` : JSON.stringify(w.value))).join(' ')}`);
      const origins = c.argv.filter((w) => w.origin).map((w) => `${w.raw} ← ${w.origin}`);
      if (origins.length) lines.push(`     from: ${origins.join('; ')}`);
      lines.push(`     cwd: ${c.cwd ?? 'unknown'}   stdin: ${c.stdin}`);
    });
  }
  if (ex.rules) {
    lines.push(`rules:     ${ex.rules.findings.length} finding(s), ${ex.rules.ms.toFixed(3)} ms`);
    for (const f of ex.rules.findings) {
      lines.push(`  ${f.decision.toUpperCase().padEnd(5)} ${f.ruleId} (${f.severity}): ${f.reason}${f.via?.length ? `   via ${f.via.join(' → ')}` : ''}`);
    }
  }
  lines.push(`decision:  ${ex.decision.decision.toUpperCase()} [${ex.decision.ruleId}]`);
  lines.push(`message:   ${ex.decision.message}`);
  lines.push(`time:      ${ex.totalMs.toFixed(2)} ms in all (including grammar load on first use)`);
  return lines.join('\n');
}

export function listRules(json: boolean): string {
  const rules = [...allRules(), ...TAINT_RULES];
  if (json) return JSON.stringify(rules, null, 2);
  const w = Math.max(...rules.map((r) => r.id.length), 10);
  return rules.map((r) => `${r.id.padEnd(w)}  ${r.decision.padEnd(5)} ${r.severity.padEnd(12)} ${r.description}`).join('\n');
}

/**
 * Capability review: what changes between two policies, each change classed as a widening (the agent may do
 * more) or a narrowing, with a severity and a stable key (`tools.allow+mcp__github__*`). `cordon policy check`
 * fails on widenings that no `acknowledged:` entry in the new policy covers, so widening the agent's reach takes
 * a human's written sign-off in review.
 *
 * Fields this module does not know are still reported (as low-severity widenings to review), so a new policy
 * section cannot widen anything silently.
 */
import { parse as parseYaml } from 'yaml';
import type { Decision, Severity } from '../ir/types.js';
import { globToRegExp } from '../engine/policy-apply.js';
import { allRules } from '../rules/index.js';
import { AcknowledgedSchema, parseDuration, type Acknowledgement, type PhaseDef } from '../phase/schema.js';
import { PolicySchema, type Policy, type PolicyOverride } from './schema.js';

export interface PolicyChange {
  /** Stable key: `field+item`, `field-item` or `field:old->new`. Quoted in `acknowledged:` entries. */
  key: string;
  kind: 'widening' | 'narrowing';
  severity: Severity;
  field: string;
  message: string;
}

type Out = PolicyChange[];
const q = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function push(out: Out, kind: PolicyChange['kind'], severity: Severity, field: string, key: string, message: string): void {
  out.push({ key, kind, severity, field, message });
}

function listDiff(out: Out, field: string, a: string[], b: string[], addIsWidening: boolean, sev: (item: string) => Severity, what: string): void {
  for (const x of b) {
    if (a.includes(x)) continue;
    push(out, addIsWidening ? 'widening' : 'narrowing', addIsWidening ? sev(x) : 'low', field, `${field}+${x}`, `${field} adds ${x}: ${what} ${addIsWidening ? 'more' : 'less'}`);
  }
  for (const x of a) {
    if (b.includes(x)) continue;
    push(out, addIsWidening ? 'narrowing' : 'widening', addIsWidening ? 'low' : sev(x), field, `${field}-${x}`, `${field} removes ${x}: ${what} ${addIsWidening ? 'less' : 'more'}`);
  }
}

/** Scalar on an ordered scale, strictest first. */
function rankDiff<T extends string | boolean | number>(out: Out, field: string, a: T | undefined, b: T | undefined, strictFirst: T[], sev: Severity, what: string): void {
  if (a === b) return;
  const ra = a === undefined ? -1 : strictFirst.indexOf(a);
  const rb = b === undefined ? -1 : strictFirst.indexOf(b);
  const wider = rb > ra;
  push(out, wider ? 'widening' : 'narrowing', wider ? sev : 'low', field, `${field}:${q(a)}->${q(b)}`, `${field} changes from ${q(a)} to ${q(b)}: ${what}`);
}

const OPAQUE = /^(PowerShell|REPL|Workflow|CronCreate|ScheduleWakeup|RemoteTrigger)$/;
const toolSev = (t: string): Severity => (t.includes('*') || OPAQUE.test(t) ? 'high' : 'medium');
const hostSev = (h: string): Severity => (h.includes('*') ? 'high' : 'medium');
const rootSev = (r: string): Severity => (/^(\/|~\/?|\/home\/?|\/Users\/?|\/root\/?|\$HOME\/?)$/.test(r) || r.split('/').filter(Boolean).length <= 1 ? 'high' : 'medium');

const DECISION_RANK: Record<Decision, number> = { deny: 0, ask: 1, allow: 2 };

function ruleDefault(id: string): Decision | undefined {
  try {
    return allRules().find((r) => r.id === id)?.decision;
  } catch {
    return undefined;
  }
}

function overrideId(o: PolicyOverride): string {
  return `${o.rule}${o.command ? ` command=${o.command}` : ''}${o.paths?.length ? ` paths=${o.paths.join(',')}` : ''}`;
}

/** Does this override make its rule more permissive than the rule's own default? */
function lowers(o: PolicyOverride): boolean {
  const d = ruleDefault(o.rule) ?? 'deny';
  return DECISION_RANK[o.decision] > DECISION_RANK[d];
}

function overridesDiff(out: Out, a: PolicyOverride[], b: PolicyOverride[]): void {
  const f = 'bash.overrides';
  const ma = new Map(a.map((o) => [overrideId(o), o]));
  const mb = new Map(b.map((o) => [overrideId(o), o]));
  for (const [id, o] of mb) {
    const old = ma.get(id);
    if (!old) {
      if (lowers(o)) push(out, 'widening', o.decision === 'allow' ? 'high' : 'medium', f, `${f}+${id}`, `new override lowers ${o.rule} to ${o.decision}${o.command ? ` for ${o.command}` : ''} (${o.reason})`);
      else push(out, 'narrowing', 'low', f, `${f}+${id}`, `new override raises ${o.rule} to ${o.decision}`);
      continue;
    }
    if (old.decision !== o.decision) {
      const wider = DECISION_RANK[o.decision] > DECISION_RANK[old.decision];
      push(out, wider ? 'widening' : 'narrowing', wider ? 'high' : 'low', f, `${f}.${id}:${old.decision}->${o.decision}`, `override of ${o.rule} changes from ${old.decision} to ${o.decision}`);
    }
    if (old.expires !== o.expires && lowers(o)) {
      const longer = o.expires === undefined || (old.expires !== undefined && o.expires > old.expires);
      push(out, longer ? 'widening' : 'narrowing', longer ? 'medium' : 'low', f, `${f}.${id}.expires:${old.expires ?? 'never'}->${o.expires ?? 'never'}`, `override of ${o.rule} now expires ${o.expires ?? 'never'} (was ${old.expires ?? 'never'})`);
    }
  }
  for (const [id, o] of ma) {
    if (mb.has(id)) continue;
    if (lowers(o)) push(out, 'narrowing', 'low', f, `${f}-${id}`, `override lowering ${o.rule} removed`);
    else push(out, 'widening', 'medium', f, `${f}-${id}`, `override raising ${o.rule} to ${o.decision} removed: the rule's default applies again`);
  }
}

function phaseDefDiff(out: Out, name: string, a: PhaseDef, b: PhaseDef): void {
  const f = `phases.defs.${name}`;
  listDiff(out, `${f}.tools`, a.tools, b.tools, true, toolSev, `phase ${name} allows`);
  rankDiff(out, `${f}.bash.network`, a.bash.network, b.bash.network, [false, true], 'medium', `Bash network access in phase ${name}`);
  rankDiff(out, `${f}.bash.push`, a.bash.push, b.bash.push, ['none', 'unprotected', 'any'], 'high', `git push in phase ${name}`);
  rankDiff(out, `${f}.bash.writesOutside`, a.bash.writesOutside, b.bash.writesOutside, [false, true], 'high', `writes outside the workspace in phase ${name}`);
  const ta = parseDuration(a.maxTtl) ?? 0;
  const tb = parseDuration(b.maxTtl) ?? 0;
  if (ta !== tb) push(out, tb > ta ? 'widening' : 'narrowing', 'low', `${f}.maxTtl`, `${f}.maxTtl:${a.maxTtl}->${b.maxTtl}`, `phase ${name} may stay in force for ${b.maxTtl} (was ${a.maxTtl})`);
}

/** Does phase b allow anything phase a does not? */
function phaseWider(a: PhaseDef | undefined, b: PhaseDef | undefined): boolean {
  if (!b) return false;
  if (!a) return true;
  const tmp: Out = [];
  phaseDefDiff(tmp, 'x', a, b);
  return tmp.some((c) => c.kind === 'widening' && !c.field.endsWith('maxTtl'));
}

const HANDLED = ['$schema', 'version', 'preset', 'tools', 'paths', 'web', 'bash.overrides', 'hook.onAllow', 'hook.deadlineMs', 'sandbox', 'phases', 'injection.taint', 'secrets', 'audit.retentionDays', 'acknowledged'];

function leaves(v: unknown, path: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
  } else out.set(path, JSON.stringify(v));
}

export function diffPolicies(a: Policy, b: Policy): PolicyChange[] {
  const out: Out = [];
  rankDiff(out, 'preset', a.preset, b.preset, ['paranoid', 'strict', 'standard'], 'high', 'the preset decides how unanalysable and risky commands are treated');
  listDiff(out, 'tools.allow', a.tools.allow, b.tools.allow, true, toolSev, 'tools that may run:');
  listDiff(out, 'tools.ask', a.tools.ask, b.tools.ask, false, () => 'medium', 'tools that need a human:');
  listDiff(out, 'tools.deny', a.tools.deny, b.tools.deny, false, () => 'high', 'tools that never run:');
  rankDiff(out, 'tools.unknown', a.tools.unknown, b.tools.unknown, ['deny', 'ask'], 'medium', 'unlisted tools');
  listDiff(out, 'paths.extraRoots', a.paths.extraRoots, b.paths.extraRoots, true, rootSev, 'directories inside the bounds:');
  rankDiff(out, 'paths.allowTemp', a.paths.allowTemp, b.paths.allowTemp, [false, true], 'medium', 'the temp dir counts as inside the bounds');
  rankDiff(out, 'paths.readOutside', a.paths.readOutside, b.paths.readOutside, ['deny', 'ask', 'allow'], 'medium', 'reads outside the workspace');
  rankDiff(out, 'paths.writeOutside', a.paths.writeOutside, b.paths.writeOutside, ['deny', 'ask'], 'high', 'writes outside the workspace');
  if (a.web.allow.length > 0 && b.web.allow.length === 0) {
    push(out, 'widening', 'high', 'web.allow', 'web.allow:restricted->any', 'web.allow is now empty: WebFetch may reach any domain not denied');
  } else if (a.web.allow.length === 0 && b.web.allow.length > 0) {
    push(out, 'narrowing', 'low', 'web.allow', 'web.allow:any->restricted', `WebFetch is now limited to ${b.web.allow.join(', ')}`);
  } else listDiff(out, 'web.allow', a.web.allow, b.web.allow, true, hostSev, 'domains WebFetch may reach:');
  listDiff(out, 'web.deny', a.web.deny, b.web.deny, false, () => 'medium', 'domains WebFetch may never reach:');
  rankDiff(out, 'web.otherwise', a.web.otherwise, b.web.otherwise, ['deny', 'ask', 'allow'], 'medium', 'domains outside web.allow');
  overridesDiff(out, a.bash.overrides, b.bash.overrides);
  rankDiff(out, 'hook.onAllow', a.hook.onAllow, b.hook.onAllow, ['passthrough', 'allow'], 'medium', "whether Claude Code's own permission rules still apply after cordon allows");

  rankDiff(out, 'sandbox.mode', a.sandbox.mode, b.sandbox.mode, ['on', 'off'], 'high', 'OS confinement of Bash commands');
  listDiff(out, 'sandbox.network.allow', a.sandbox.network.allow, b.sandbox.network.allow, true, hostSev, 'hosts sandboxed commands may reach:');
  listDiff(out, 'sandbox.filesystem.allowWrite', a.sandbox.filesystem.allowWrite, b.sandbox.filesystem.allowWrite, true, rootSev, 'paths sandboxed commands may write:');
  listDiff(out, 'sandbox.filesystem.denyRead', a.sandbox.filesystem.denyRead, b.sandbox.filesystem.denyRead, false, () => 'medium', 'paths sandboxed commands may not read:');
  listDiff(out, 'sandbox.env.scrub', a.sandbox.env.scrub, b.sandbox.env.scrub, false, () => 'low', 'variables removed from the environment:');
  listDiff(out, 'sandbox.env.pass', a.sandbox.env.pass, b.sandbox.env.pass, true, () => 'medium', 'variables passed through despite scrubbing:');

  const pa = a.phases;
  const pb = b.phases;
  if (pa.default !== pb.default) {
    const wider = pb.default === undefined || phaseWider(pa.default === undefined ? undefined : pa.defs[pa.default], pb.defs[pb.default]);
    const noOld = pa.default === undefined;
    push(out, wider && !noOld ? 'widening' : 'narrowing', pb.default === undefined ? 'high' : wider && !noOld ? 'medium' : 'low', 'phases.default', `phases.default:${pa.default ?? 'none'}->${pb.default ?? 'none'}`,
      pb.default === undefined ? 'no phase is in force by default any more: no phase restrictions when none is started' : `the default phase is now ${pb.default} (was ${pa.default ?? 'none'})`);
  }
  for (const n of Object.keys(pb.defs)) {
    if (!pa.defs[n]) push(out, 'widening', 'low', 'phases.defs', `phases.defs+${n}`, `new phase ${n} (tools: ${pb.defs[n]!.tools.join(', ') || 'none'})`);
    else phaseDefDiff(out, n, pa.defs[n]!, pb.defs[n]!);
  }
  for (const n of Object.keys(pa.defs)) if (!pb.defs[n]) push(out, 'narrowing', 'low', 'phases.defs', `phases.defs-${n}`, `phase ${n} removed`);
  listDiff(out, 'phases.protectedBranches', pa.protectedBranches, pb.protectedBranches, false, () => 'medium', 'branches a release phase may not push to:');

  rankDiff(out, 'injection.taint', a.injection.taint, b.injection.taint, ['any-untrusted', 'detection', 'off'], b.injection.taint === 'off' ? 'high' : 'medium', 'when a session is marked tainted');
  rankDiff(out, 'secrets.mask', a.secrets.mask, b.secrets.mask, [true, false], 'medium', 'masking of stored secrets in Bash output');
  rankDiff(out, 'secrets.inputs', a.secrets.inputs, b.secrets.inputs, ['deny', 'ask'], 'medium', 'tool calls that contain a stored secret');
  rankDiff(out, 'secrets.leakScan', a.secrets.leakScan, b.secrets.leakScan, [true, false], 'low', 'scanning tool results for secrets');
  const ra = a.audit.retentionDays || Infinity;
  const rb = b.audit.retentionDays || Infinity;
  if (ra !== rb) push(out, rb < ra ? 'widening' : 'narrowing', 'low', 'audit.retentionDays', `audit.retentionDays:${a.audit.retentionDays}->${b.audit.retentionDays}`, `audit records are kept ${b.audit.retentionDays ? `${b.audit.retentionDays} days` : 'forever'} (was ${a.audit.retentionDays ? `${a.audit.retentionDays} days` : 'forever'})`);

  // Anything else that changed: reported for review rather than judged.
  const la = new Map<string, string>();
  const lb = new Map<string, string>();
  leaves(a, '', la);
  leaves(b, '', lb);
  const handled = (p: string) => HANDLED.some((h) => p === h || p.startsWith(h + '.'));
  for (const k of new Set([...la.keys(), ...lb.keys()])) {
    if (handled(k) || la.get(k) === lb.get(k)) continue;
    push(out, 'widening', 'low', k, `${k}:${la.get(k) ?? 'unset'}->${lb.get(k) ?? 'unset'}`, `${k} changed from ${la.get(k) ?? 'unset'} to ${lb.get(k) ?? 'unset'} (not classified: review it)`);
  }
  return out;
}

export function isAcknowledged(c: PolicyChange, acks: Acknowledgement[]): Acknowledgement | undefined {
  return acks.find((a) => a.change === c.key || (a.change.includes('*') && globToRegExp(a.change).test(c.key)));
}

export type ParsedPolicy = { ok: true; policy: Policy; acknowledged: Acknowledgement[] } | { ok: false; problems: string[] };

/**
 * Parses one policy file's text on its own (an empty text is the built-in defaults). `acknowledged:` is read
 * here whether or not the policy schema itself carries it.
 */
export function parsePolicyText(text: string, file: string): ParsedPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (err) {
    return { ok: false, problems: [`${file}: YAML syntax: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problems: [`${file}: expected a mapping at the top level`] };
  const { acknowledged, ...rest } = raw as Record<string, unknown>;
  const acks = AcknowledgedSchema.safeParse(acknowledged);
  const pol = PolicySchema.safeParse(rest);
  const problems: string[] = [];
  if (!acks.success) problems.push(...acks.error.issues.map((i) => `${file}: acknowledged.${i.path.join('.')}: ${i.message}`));
  if (!pol.success) problems.push(...pol.error.issues.map((i) => `${file}: ${i.path.join('.') || '(top level)'}: ${i.message}`));
  if (!acks.success || !pol.success) return { ok: false, problems };
  return { ok: true, policy: pol.data, acknowledged: acks.data };
}

export interface ReviewedChange extends PolicyChange {
  acknowledged?: { by: string; reason: string };
}

export function review(a: Policy, b: Policy, acks: Acknowledgement[]): ReviewedChange[] {
  const order: Record<Severity, number> = { catastrophic: 0, high: 1, medium: 2, low: 3 };
  return diffPolicies(a, b)
    .map((c) => {
      const ack = c.kind === 'widening' ? isAcknowledged(c, acks) : undefined;
      return ack ? { ...c, acknowledged: { by: ack.by, reason: ack.reason } } : c;
    })
    .sort((x, y) => (x.kind === y.kind ? 0 : x.kind === 'widening' ? -1 : 1) || order[x.severity] - order[y.severity]);
}

export function formatChanges(changes: ReviewedChange[]): string {
  if (changes.length === 0) return 'no capability changes';
  return changes
    .map((c) => `${c.kind === 'widening' ? 'WIDENS ' : 'narrows'}  ${c.severity.padEnd(6)}  ${c.key}\n         ${c.message}${c.acknowledged ? `\n         acknowledged by ${c.acknowledged.by}: ${c.acknowledged.reason}` : ''}`)
    .join('\n');
}

export interface CheckResult {
  base: string;
  file: string;
  changes: ReviewedChange[];
  /** Widenings no `acknowledged:` entry covers; a non-empty list fails the check. */
  unacknowledged: ReviewedChange[];
  /** Acknowledgements that match no widening (stale entries worth removing). */
  unusedAcks: Acknowledgement[];
}

export class PolicyCheckError extends Error {}

/**
 * Compares the working `.cordon/policy.yaml` of the repository at `root` with the same file at git ref `base`.
 * A file missing on either side is the built-in defaults.
 */
export async function checkAgainstBase(o: { root: string; base: string; file?: string }): Promise<CheckResult> {
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const rel = o.file ?? '.cordon/policy.yaml';
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${o.base}^{commit}`], { cwd: o.root, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new PolicyCheckError(`git ref ${o.base} not found in ${o.root}; fetch it first (in CI: actions/checkout with fetch-depth: 0)`);
  }
  let baseText = '';
  try {
    baseText = execFileSync('git', ['show', `${o.base}:${rel}`], { cwd: o.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 8 << 20 });
  } catch {
    // The file does not exist at the base: the base policy is the built-in defaults.
  }
  let headText = '';
  try {
    headText = readFileSync(join(o.root, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const a = parsePolicyText(baseText, `${o.base}:${rel}`);
  const b = parsePolicyText(headText, rel);
  if (!a.ok || !b.ok) throw new PolicyCheckError([...(a.ok ? [] : a.problems), ...(b.ok ? [] : b.problems)].join('; '));
  const changes = review(a.policy, b.policy, b.acknowledged);
  const widenings = changes.filter((c) => c.kind === 'widening');
  return {
    base: o.base,
    file: rel,
    changes,
    unacknowledged: widenings.filter((c) => !c.acknowledged),
    unusedAcks: b.acknowledged.filter((k) => !widenings.some((c) => isAcknowledged(c, [k]))),
  };
}

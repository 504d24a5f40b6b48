/**
 * The `phases:` section of the policy: named tool allowlists with argument bounds, one of which is in force per
 * workspace at a time (least privilege over time), and the `acknowledged:` list that records a human's sign-off
 * on capability widenings (see src/policy/diff.ts).
 *
 * Without `phases.default` and without a started phase nothing is restricted beyond the rest of the policy, so
 * adding phases to a policy changes nothing until someone opts in.
 */
import { z } from 'zod';
import { toolPattern } from '../policy/patterns.js';

const phaseName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a lower-case name of letters, digits, _ and - (e.g. implement)');

/** `30m`, `2h`, `1d`, `90s`: the only forms accepted, so a TTL is read the same way by everyone. */
export const DURATION_RE = /^(\d{1,6})(s|m|h|d)$/;

export function parseDuration(s: string): number | undefined {
  const m = DURATION_RE.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return n > 0 ? n * unit : undefined;
}

const duration = z.string().regex(DURATION_RE, 'a duration such as 30m, 2h or 1d');

/** Tools that only read or organise the conversation; every built-in phase allows them. */
export const READ_ONLY_PHASE_TOOLS = [
  'Read',
  'Glob',
  'Grep',
  'LS',
  'WebFetch',
  'WebSearch',
  'TodoWrite',
  'AskUserQuestion',
  'ExitPlanMode',
  'EnterPlanMode',
  'ToolSearch',
  'ListMcpResourcesTool',
  'ReadMcpResourceTool',
];

export const IMPLEMENT_PHASE_TOOLS = [
  ...READ_ONLY_PHASE_TOOLS,
  'Edit',
  'Write',
  'MultiEdit',
  'NotebookEdit',
  'Bash',
  'BashOutput',
  'KillShell',
  'KillBash',
  'Monitor',
  'Task',
  'Agent',
  'TaskOutput',
  'TaskStop',
  'Skill',
  'SlashCommand',
];

export const DEFAULT_PROTECTED_BRANCHES = ['main', 'master', 'trunk', 'develop', 'production', 'prod', 'stable', 'release', 'release/*', 'release-*'];

const bashBounds = z
  .object({
    network: z.boolean().default(false).describe('Bash commands that reach the network (curl, ssh, npm install, git fetch …) are allowed.'),
    push: z
      .enum(['none', 'unprotected', 'any'])
      .default('none')
      .describe('git push: none refuses every push; unprotected allows pushes to branches not in phases.protectedBranches; any allows all (force pushes still follow the git rules).'),
    writesOutside: z
      .boolean()
      .default(false)
      .describe('Bash commands and file tools may write outside the workspace bounds (workspace, paths.extraRoots, temp when allowed).'),
  })
  .strict()
  .prefault({})
  .describe('Argument bounds for Bash and Monitor in this phase.');

export const PhaseDefSchema = z
  .object({
    description: z.string().optional().describe('What the phase is for; shown by `cordon phase status`.'),
    tools: z.array(toolPattern).default([]).describe('Tools allowed in this phase (exact names or `*` patterns); every other tool is refused while the phase is in force.'),
    bash: bashBounds,
    maxTtl: duration.default('8h').describe('Longest time `cordon phase start` may keep this phase in force; `--ttl` above it is refused.'),
  })
  .strict();

export type PhaseDef = z.infer<typeof PhaseDefSchema>;

export const DEFAULT_PHASE_DEFS: Record<string, z.input<typeof PhaseDefSchema>> = {
  analyze: {
    description: 'Read and search only: no edits, no shell.',
    tools: READ_ONLY_PHASE_TOOLS,
    bash: { network: false, push: 'none', writesOutside: false },
    maxTtl: '8h',
  },
  implement: {
    description: 'Edit inside the workspace and run local commands; no network, no push.',
    tools: IMPLEMENT_PHASE_TOOLS,
    bash: { network: false, push: 'none', writesOutside: false },
    maxTtl: '8h',
  },
  release: {
    description: 'As implement, plus git push to branches that are not protected.',
    tools: IMPLEMENT_PHASE_TOOLS,
    bash: { network: false, push: 'unprotected', writesOutside: false },
    maxTtl: '2h',
  },
};

export const PhasesPolicySchema = z
  .object({
    default: phaseName
      .optional()
      .describe('Phase in force when none is started (and CORDON_PHASE is unset); absent: no phase restrictions.'),
    defs: z
      .record(phaseName, PhaseDefSchema)
      .default(() => structuredClone(DEFAULT_PHASE_DEFS) as Record<string, PhaseDef>)
      .describe('Named phases. Setting this replaces the built-in analyze / implement / release definitions.'),
    protectedBranches: z
      .array(z.string().min(1))
      .default(DEFAULT_PROTECTED_BRANCHES)
      .describe('Branches (or `*` patterns) that a phase with push: unprotected may not push to.'),
  })
  .strict()
  .prefault({})
  .superRefine((v, ctx) => {
    if (v.default !== undefined && !(v.default in v.defs)) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: `phase "${v.default}" is not defined in phases.defs` });
    }
  })
  .describe('Least privilege over time: named phases, one in force per workspace (`cordon phase start NAME`).');

export type PhasesPolicy = z.infer<typeof PhasesPolicySchema>;

/**
 * Top-level `acknowledged:` list (wired into PolicySchema). Each entry is a human's sign-off on one widening that
 * `cordon policy check` reports, so a pull request that widens the agent's capabilities carries its justification.
 */
export const AcknowledgedSchema = z
  .array(
    z
      .object({
        change: z.string().min(1).describe('Change key as printed by `cordon policy diff` (e.g. `tools.allow+mcp__github__*`); `*` matches any run of characters.'),
        reason: z.string().min(3).describe('Why the widening is acceptable.'),
        by: z.string().min(1).describe('Who acknowledged it (a person, not an agent).'),
        date: z.string().optional().describe('When it was acknowledged (ISO date).'),
      })
      .strict(),
  )
  .default([])
  .describe('Capability widenings a human has reviewed; `cordon policy check` fails on widenings not listed here.');

export type Acknowledgement = z.infer<typeof AcknowledgedSchema>[number];

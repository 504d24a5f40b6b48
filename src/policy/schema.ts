/**
 * The policy file's schema. Policy is data: everything a team tunes lives here, validated by zod, and the JSON
 * Schema that editors use for completion is generated from the same definition (scripts/postbuild.mjs).
 *
 * Every field has a default, so an empty file is a valid policy equal to the built-in defaults.
 */
import { z } from 'zod';
import { toolPattern } from './patterns.js';
import { SandboxPolicySchema } from '../sandbox/schema.js';
import { SecretsPolicySchema } from '../secrets/schema.js';
import { AcknowledgedSchema, PhasesPolicySchema } from '../phase/schema.js';
import { InjectionPolicySchema } from '../taint/schema.js';

const decision = z.enum(['allow', 'ask', 'deny']);
const gate = z.enum(['ask', 'deny']).describe('What happens to a call that is not allowed outright.');

export const DEFAULT_ALLOWED_TOOLS = [
  'Bash',
  'Read',
  'Write',
  'Edit',
  'MultiEdit',
  'NotebookEdit',
  'Glob',
  'Grep',
  'LS',
  'WebFetch',
  'WebSearch',
  'TodoWrite',
  'Task',
  'Agent',
  'TaskOutput',
  'TaskStop',
  'BashOutput',
  'KillShell',
  'KillBash',
  'AskUserQuestion',
  'ExitPlanMode',
  'EnterPlanMode',
  'Skill',
  'SlashCommand',
  'ToolSearch',
  'ListMcpResourcesTool',
  'ReadMcpResourceTool',
  'Monitor',
];

const override = z
  .object({
    rule: z.string().min(1).describe('Rule id this override applies to (see `cordon explain --rules`).'),
    decision: decision.describe('Decision to apply instead. Catastrophic findings cannot be lowered.'),
    command: z
      .string()
      .min(1)
      .optional()
      .describe('Only when the command text matches this pattern (`*` matches any run of characters).'),
    paths: z
      .array(z.string().min(1))
      .optional()
      .describe('Only when the command runs in, or names, one of these paths (prefix match after ~ expansion).'),
    reason: z.string().min(3).describe('Why this exception exists; shown in the audit trail.'),
    expires: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?$/, 'an ISO date such as 2026-12-31')
      .optional()
      .describe('After this date the override no longer applies.'),
  })
  .strict();

export const PolicySchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).default(1).describe('Policy format version.'),
    preset: z
      .enum(['standard', 'strict', 'paranoid'])
      .default('standard')
      .describe(
        'standard: rule defaults. strict: commands cordon cannot fully analyse are denied instead of asked. paranoid: every ask becomes a deny.',
      ),
    tools: z
      .object({
        allow: z.array(toolPattern).default(DEFAULT_ALLOWED_TOOLS).describe('Tools that may run (subject to their own checks).'),
        ask: z.array(toolPattern).default(['mcp__*']).describe('Tools that always need a human.'),
        deny: z.array(toolPattern).default([]).describe('Tools that never run.'),
        unknown: gate.default('deny').describe('Decision for a tool listed nowhere.'),
      })
      .strict()
      .prefault({}),
    paths: z
      .object({
        extraRoots: z
          .array(z.string().min(1))
          .default([])
          .describe('Directories that count as inside the bounds besides the workspace (~ allowed).'),
        allowTemp: z.boolean().default(true).describe('Treat the system temp dir as inside the bounds.'),
        readOutside: decision.default('ask').describe('Read/Glob/Grep of paths outside the bounds.'),
        writeOutside: gate.default('deny').describe('Write/Edit/NotebookEdit of paths outside the bounds.'),
      })
      .strict()
      .prefault({}),
    web: z
      .object({
        allow: z.array(z.string().min(1)).default([]).describe('Domains WebFetch may reach (`*.example.com` allowed). Empty: any.'),
        deny: z.array(z.string().min(1)).default([]).describe('Domains WebFetch may never reach; wins over allow.'),
        otherwise: decision.default('ask').describe('Decision for a domain not in a non-empty allow list.'),
      })
      .strict()
      .prefault({}),
    bash: z
      .object({
        overrides: z.array(override).default([]).describe('Per-rule exceptions; they can raise or lower a decision except the catastrophic floor.'),
      })
      .strict()
      .prefault({}),
    hook: z
      .object({
        deadlineMs: z
          .number()
          .int()
          .min(100)
          .max(20000)
          .default(3000)
          .describe('Internal analysis deadline; past it the call is denied. Keep well under the hook timeout.'),
        onAllow: z
          .enum(['passthrough', 'allow'])
          .default('passthrough')
          .describe('passthrough: Claude Code\'s own permission rules still apply to calls cordon allows. allow: cordon\'s allow skips them.'),
      })
      .strict()
      .prefault({}),
    sandbox: SandboxPolicySchema,
    phases: PhasesPolicySchema,
    acknowledged: AcknowledgedSchema,
    injection: InjectionPolicySchema,
    secrets: SecretsPolicySchema,
    audit: z
      .object({
        retentionDays: z.number().int().min(0).default(0).describe('Prune audit records older than this many days (0 keeps all).'),
        sink: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL')
          .optional()
          .describe('A shared PostgreSQL audit log for a team (postgres://…); belongs in the user policy. Absent: the local SQLite store.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyOverride = z.infer<typeof override>;

export function defaultPolicy(): Policy {
  return PolicySchema.parse({});
}

/**
 * The `injection:` section of the policy: which tool results count as untrusted (trust classes), how hard the
 * detector looks at them, when a session becomes tainted, and which actions (sinks) a tainted session may not take
 * without a human.
 */
import { z } from 'zod';
import { toolPattern } from '../policy/patterns.js';

const score = z.number().min(0).max(1);

export const DEFAULT_VENDORED_DIRS = ['node_modules', 'vendor', 'third_party', '.venv', 'venv', 'site-packages', 'bower_components', 'Pods'];

/** MCP tool name patterns that send data somewhere (a message, a comment, an upload). */
export const DEFAULT_SEND_TOOLS = [
  'mcp__*__send_*',
  'mcp__*__post_*',
  'mcp__*__create_*',
  'mcp__*__add_*comment*',
  'mcp__*__reply_*',
  'mcp__*__push_*',
  'mcp__*__publish_*',
  'mcp__*__upload_*',
];

export const InjectionPolicySchema = z
  .object({
    taint: z
      .enum(['off', 'detection', 'any-untrusted'])
      .default('detection')
      .describe('When a session becomes tainted: never, on a detection in untrusted content (standard), or on any untrusted ingestion (strict).'),
    scan: z.boolean().default(true).describe('Run the injection detector on untrusted tool results (PostToolUse).'),
    thresholds: z
      .object({
        untrusted: score.default(0.5).describe('Detector score that counts as an injection in web pages, search results, MCP results and network output.'),
        semi: score.default(0.6).describe('Score for vendored files and files read outside the workspace.'),
        prompt: score.default(0.75).describe('Score for text the user typed or pasted (UserPromptSubmit).'),
      })
      .strict()
      .prefault({}),
    trustedMcpServers: z
      .array(z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'an MCP server name'))
      .default([])
      .describe('MCP servers whose results are trusted (tools mcp__<server>__*). Every other MCP tool result is untrusted, cordon\'s own http_request included.'),
    untrustedTools: z.array(toolPattern).default([]).describe('Further tools whose results are untrusted (besides WebFetch, WebSearch and MCP tools).'),
    vendoredDirs: z
      .array(z.string().min(1))
      .default(DEFAULT_VENDORED_DIRS)
      .describe('Directory names whose files are third-party code: reading them is semi-trusted ingestion.'),
    fetchCommands: z
      .array(z.string().min(1))
      .default([])
      .describe('Further shell commands whose output comes from the network (curl, wget, gh, git fetch … are built in).'),
    spotlight: z
      .enum(['off', 'detection', 'always'])
      .default('detection')
      .describe('Tell the model that an untrusted result is data, not instructions: never, when the detector fires, or for every untrusted result.'),
    prompts: z
      .enum(['off', 'report', 'taint', 'block'])
      .default('report')
      .describe('Text the user submits (a pasted ticket): not scanned, scanned and reported to the model and the audit trail, also taints the session, or blocked.'),
    untrustedIngestion: z
      .enum(['allow', 'ask', 'deny'])
      .default('allow')
      .describe('Decision for calls that would ingest untrusted content (WebFetch, WebSearch, untrusted MCP tools, network fetches in Bash); pipelines set deny for their act step.'),
    sinks: z
      .object({
        decision: z.enum(['ask', 'deny']).default('ask').describe('What happens to an action at a sink in a tainted session (headless runs see ask as a refusal).'),
        sendTools: z.array(toolPattern).default(DEFAULT_SEND_TOOLS).describe('MCP tools that send data out: gated in a tainted session.'),
        secretTools: z
          .array(toolPattern)
          .default(['mcp__cordon__http_request'])
          .describe('Tools that use brokered secrets: gated in a tainted session (`cordon exec --secret` is built in).'),
        protectedPaths: z
          .array(z.string().min(1))
          .default([])
          .describe('Further workspace-relative globs whose edits are gated in a tainted session (CI workflows, git hooks and agent settings are built in).'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type InjectionPolicy = z.infer<typeof InjectionPolicySchema>;

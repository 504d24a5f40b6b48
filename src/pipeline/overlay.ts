/**
 * Policy overlays for the two steps of an ingestion/action pipeline. Each overlay is a policy layer loaded on top
 * of the user's and the project's (CORDON_POLICY_OVERLAY), so it is built from the effective policy: policy lists
 * replace when layers merge, and a user's own denies must survive the overlay.
 *
 *   ingest  reads the untrusted input and nothing else: read-only tools inside a scratch workspace holding only
 *           the input, WebFetch only to the input's host, no Bash, no writes, no MCP, no secrets. Its summary is
 *           the model's final answer, which the runner writes to the summary file, so the step needs no write tool.
 *   act     works in the real workspace with every untrusted ingestion refused (WebFetch, WebSearch, untrusted MCP
 *           tools, network fetches in Bash), acting on the summary as quoted data.
 */
import { stringify } from 'yaml';
import type { Policy } from '../policy/schema.js';

export const INGEST_TOOLS = ['Read', 'Glob', 'Grep', 'LS', 'TodoWrite'];
/** Everything that writes, runs code, delegates or reaches elsewhere. */
export const INGEST_DENY = ['Bash', 'Monitor', 'BashOutput', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'WebSearch', 'Task', 'Agent', 'Skill', 'SlashCommand', 'mcp__*', 'ReadMcpResourceTool', 'ListMcpResourcesTool'];
export const ACT_DENY = ['WebFetch', 'WebSearch', 'ReadMcpResourceTool'];

export interface IngestOverlayOptions {
  /** Host of a URL input; absent for a file input (WebFetch is then denied). */
  host?: string;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

export function ingestOverlay(base: Policy, opts: IngestOverlayOptions): Record<string, unknown> {
  const allow = opts.host ? [...INGEST_TOOLS, 'WebFetch'] : INGEST_TOOLS;
  const deny = uniq([...base.tools.deny, ...INGEST_DENY, ...(opts.host ? [] : ['WebFetch'])]);
  return {
    tools: { allow, ask: [], deny, unknown: 'deny' },
    paths: { extraRoots: [], allowTemp: false, readOutside: 'deny', writeOutside: 'deny' },
    web: opts.host ? { allow: [opts.host], deny: base.web.deny, otherwise: 'deny' } : { allow: [], deny: base.web.deny, otherwise: 'deny' },
    injection: {
      taint: base.injection.taint === 'off' ? 'detection' : base.injection.taint,
      untrustedIngestion: 'allow',
      sinks: { decision: 'deny' },
    },
  };
}

export function actOverlay(base: Policy): Record<string, unknown> {
  return {
    tools: {
      allow: base.tools.allow.filter((t) => !ACT_DENY.includes(t)),
      deny: uniq([...base.tools.deny, ...ACT_DENY]),
    },
    injection: { untrustedIngestion: 'deny' },
  };
}

export function overlayYaml(step: 'ingest' | 'act', overlay: Record<string, unknown>): string {
  return `# cordon pipeline: policy overlay for the ${step} step (generated; loaded via CORDON_POLICY_OVERLAY)\n${stringify(overlay)}`;
}

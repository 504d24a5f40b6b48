/**
 * `cordon mcp`: an MCP server over stdio with two tools, so the model can use secrets it never sees:
 *
 *   list_secrets    names, scopes and sources of the stored secrets
 *   http_request    an HTTP request with `{{secret:NAME}}` placeholders resolved at the boundary (see http.ts)
 *
 * `mcpServerEntry()` is what `cordon init` writes into `.mcp.json`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { stateDir as defaultStateDir } from '../state.js';
import { cliEntry } from '../secrets/mask.js';
import { SecretStore } from '../secrets/store.js';
import { VERSION } from '../version.js';
import { httpRequest } from './http.js';

export const MCP_SERVER_NAME = 'cordon';

/** The `.mcp.json` entry that starts this server: absolute node and absolute CLI entry, so PATH does not matter. */
export function mcpServerEntry(): { command: string; args: string[] } {
  return { command: process.execPath, args: [cliEntry(), 'mcp'] };
}

export interface ServerOptions {
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function createMcpServer(opts: ServerOptions = {}): McpServer {
  const env = opts.env ?? process.env;
  const dir = opts.stateDir ?? defaultStateDir(env);
  const server = new McpServer({ name: MCP_SERVER_NAME, version: VERSION });

  server.registerTool(
    'list_secrets',
    {
      description: 'List the secrets you may use by name (values are never shown). Use a name as {{secret:NAME}} in http_request, within its host scope.',
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    async () => {
      try {
        const list = new SecretStore(dir).list().map((s) => ({
          name: s.name,
          hosts: s.scope.hosts,
          commands: s.scope.commands,
          source: s.source,
          ...(s.lastUsed ? { lastUsed: s.lastUsed } : {}),
        }));
        return { content: [{ type: 'text' as const, text: JSON.stringify({ secrets: list }, null, 2) }] };
      } catch (err) {
        return { isError: true, content: [{ type: 'text' as const, text: `cannot read the secret store: ${(err as Error).message.split('\n')[0]}` }] };
      }
    },
  );

  server.registerTool(
    'http_request',
    {
      description:
        'Make an HTTP request. Headers, body and the URL path/query may contain {{secret:NAME}}; each is filled in only if the URL host is in that secret\'s host scope. The response comes back with secret values shown as [secret:NAME]. Redirects are returned, not followed.',
      inputSchema: {
        method: z.string().optional().describe('HTTP method (default GET)'),
        url: z.string().describe('Absolute http(s) URL'),
        headers: z.record(z.string(), z.string()).optional().describe('Request headers'),
        body: z.string().optional().describe('Request body'),
      },
      annotations: { openWorldHint: true },
    },
    async (args) => {
      const input = { url: args.url, ...(args.method ? { method: args.method } : {}), ...(args.headers ? { headers: args.headers } : {}), ...(args.body !== undefined ? { body: args.body } : {}) };
      const r = await httpRequest(input, { stateDir: dir, env });
      return { ...(r.ok ? {} : { isError: true }), content: [{ type: 'text' as const, text: r.text }] };
    },
  );
  return server;
}

export async function runMcpServer(opts: ServerOptions = {}): Promise<void> {
  const server = createMcpServer(opts);
  await server.connect(new StdioServerTransport());
}

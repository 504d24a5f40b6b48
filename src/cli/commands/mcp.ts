/** `cordon mcp`: the MCP server (stdio) that makes HTTP requests with named secrets resolved at the boundary. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('mcp')
    .description('Serve the secrets MCP tools (http_request, list_secrets) over stdio')
    .action(async () => {
      const { runMcpServer } = await import('../../mcp/server.js');
      await runMcpServer();
    });
}

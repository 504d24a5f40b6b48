/**
 * The MCP server over real stdio, driven by the SDK's own Client: `node dist/src/cli/main.js mcp` with CORDON_HOME
 * set, a local HTTP server that echoes the Authorization header it received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mcpServerEntry } from '../../src/mcp/server.js';
import { SecretStore } from '../../src/secrets/store.js';
import { CLI, encodings, tempHome, uniqueToken } from './helpers.js';

interface ToolText {
  isError?: boolean;
  content: { type: string; text: string }[];
}

const textOf = (r: unknown): string => (r as ToolText).content.map((c) => c.text).join('\n');

test('mcp: list_secrets and http_request over stdio; values resolved only in scope and masked on the way back', async (t) => {
  const home = tempHome();
  const value = uniqueToken();
  const store = new SecretStore(home);
  store.add('GH_TOKEN', { value }, { hosts: ['127.0.0.1'], commands: ['gh'] });
  store.add('ELSEWHERE_KEY', { value: 'elsewhere-' + uniqueToken('') }, { hosts: ['api.example.com'] });

  const received: IncomingHttpHeaders[] = [];
  const bodies: string[] = [];
  const http = createServer((req, res) => {
    received.push(req.headers);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-echo-auth', String(req.headers.authorization ?? ''));
      res.end(JSON.stringify({ authorization: req.headers.authorization, body, url: req.url }));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.after(() => http.close());
  const port = (http.address() as AddressInfo).port;

  const client = new Client({ name: 'cordon-test', version: '1' });
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: { ...(process.env as Record<string, string>), CORDON_HOME: home }, stderr: 'pipe' });
  await client.connect(transport);
  t.after(() => client.close());

  const tools = (await client.listTools()).tools.map((x) => x.name).sort();
  assert.deepEqual(tools, ['http_request', 'list_secrets']);

  const listed = textOf(await client.callTool({ name: 'list_secrets', arguments: {} }));
  const parsed = JSON.parse(listed) as { secrets: { name: string; hosts: string[] }[] };
  assert.deepEqual(parsed.secrets.map((s) => [s.name, s.hosts]), [['ELSEWHERE_KEY', ['api.example.com']], ['GH_TOKEN', ['127.0.0.1']]]);
  assert.equal(listed.includes(value), false);

  const ok = await client.callTool({
    name: 'http_request',
    arguments: { method: 'POST', url: `http://127.0.0.1:${port}/echo?t={{secret:GH_TOKEN}}`, headers: { Authorization: 'Bearer {{secret:GH_TOKEN}}' }, body: 'b64={{secret:GH_TOKEN}}' },
  });
  const out = textOf(ok);
  assert.notEqual((ok as ToolText).isError, true, out);
  assert.equal(received[0]?.authorization, `Bearer ${value}`, 'the server received the real value');
  assert.equal(bodies[0], `b64=${value}`);
  const resp = JSON.parse(out) as { status: number; headers: Record<string, string>; body: string };
  assert.equal(resp.status, 200);
  assert.equal(JSON.parse(resp.body).authorization, 'Bearer [secret:GH_TOKEN]');
  assert.equal(resp.headers['x-echo-auth'], 'Bearer [secret:GH_TOKEN]');
  for (const e of Object.values(encodings(value))) assert.equal(out.includes(e), false);
  assert.ok(new SecretStore(home).get('GH_TOKEN')?.lastUsed);

  const refused = await client.callTool({ name: 'http_request', arguments: { url: `http://127.0.0.1:${port}/x`, headers: { 'X-Api-Key': '{{secret:ELSEWHERE_KEY}}' } } });
  assert.equal((refused as ToolText).isError, true);
  assert.match(textOf(refused), /^refused: secret ELSEWHERE_KEY may be sent only to api\.example\.com, not 127\.0\.0\.1/);
  const inHost = await client.callTool({ name: 'http_request', arguments: { url: `http://{{secret:GH_TOKEN}}.127.0.0.1.nip.io/` } });
  assert.match(textOf(inHost), /may not appear in the scheme, host/);
  const unknown = await client.callTool({ name: 'http_request', arguments: { url: `http://127.0.0.1:${port}/`, headers: { A: '{{secret:NOPE}}' } } });
  assert.match(textOf(unknown), /no secret named NOPE/);
  assert.equal(received.length, 1, 'refused requests were never sent');
});

test('mcpServerEntry names absolute node and the CLI entry', () => {
  const e = mcpServerEntry();
  assert.equal(e.command, process.execPath);
  assert.deepEqual(e.args.slice(-1), ['mcp']);
  assert.ok(e.args[0]!.endsWith('/dist/src/cli/main.js'));
});

test('http_request returns redirects instead of following them, so a secret does not travel to another host', async (t) => {
  const { httpRequest } = await import('../../src/mcp/http.js');
  const home = tempHome();
  const value = uniqueToken();
  new SecretStore(home).add('GH_TOKEN', { value }, { hosts: ['127.0.0.1'] });
  let other = 0;
  const target = createServer((_req, res) => {
    other++;
    res.end('moved here');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const redirector = createServer((_req, res) => {
    res.writeHead(307, { location: `http://localhost:${(target.address() as AddressInfo).port}/steal` });
    res.end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  t.after(() => {
    target.close();
    redirector.close();
  });
  const r = await httpRequest(
    { method: 'POST', url: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`, headers: { authorization: 'token {{secret:GH_TOKEN}}' }, body: '{{secret:GH_TOKEN}}' },
    { stateDir: home, env: {} },
  );
  assert.equal(r.ok, true, r.text);
  assert.equal((JSON.parse(r.text) as { status: number }).status, 307);
  assert.equal(other, 0);
});

/**
 * cordon's MCP server driven by the real Claude Code CLI: `cordon init --mcp` registers it in `.mcp.json`, a secret
 * is stored with a host scope, and the scripted model asks `mcp__cordon__http_request` to call a local listener with
 * `{{secret:API_TOKEN}}` in a header, then lists the secrets. The listener must receive the real value; the model
 * must only ever see the placeholder, the mask `[secret:API_TOKEN]` and the name.
 *
 * Loading the server offline: with `-p` the CLI (2.1.332) starts the project's `.mcp.json` servers without an
 * approval step, so the run needs no MCP flag; `--mcp-config .mcp.json` would load the same file explicitly.
 *
 * The policy is written before `cordon init`: init turns the policy's tools.ask into Claude Code `permissions.ask`
 * rules, and an ask rule there outranks both bypass mode and a hook's allow, so the template's `mcp__*` would keep
 * the tools from running in -p even after the policy allows them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startFakeModel, toolResultsOf, type CapturedRequest, type Step } from '../../src/testkit/fake-model.js';
import { runClaude } from '../../src/testkit/claude-run.js';
import { startRecordingListener } from '../../src/testkit/listeners.js';
import { policyTemplate } from '../../src/install/policy-template.js';
import { auditLog, initProject, SKIP_NO_CLAUDE, type Project } from './project.js';
import { filesUnder, formsOf, searchFiles, searchText, type Hit } from './leaks.js';

const SKIP = SKIP_NO_CLAUDE || (existsSync('/usr/bin/bwrap') ? false : 'bubblewrap missing (apt-get install bubblewrap socat ripgrep)');

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomToken = (): string => 'tok_' + Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join('');

/** A scratch repo whose policy trusts cordon's own MCP tools, then `cordon init --yes --mcp`. */
function mcpProject(): Project {
  const p = initProject({
    initArgs: ['--mcp'],
    beforeInit: (repo) => {
      const policy = parse(policyTemplate()) as { tools: { allow: string[]; ask: string[] } };
      policy.tools.allow.push('mcp__cordon__*');
      policy.tools.ask = policy.tools.ask.filter((t) => t !== 'mcp__*');
      mkdirSync(join(repo, '.cordon'));
      writeFileSync(join(repo, '.cordon', 'policy.yaml'), stringify(policy));
    },
  });
  const settings = JSON.parse(readFileSync(join(p.repo, '.claude', 'settings.json'), 'utf8')) as { permissions?: { ask?: string[] } };
  assert.ok(!(settings.permissions?.ask ?? []).some((r) => r.startsWith('mcp__')), `a Claude Code ask rule still gates MCP tools: ${JSON.stringify(settings.permissions)}`);
  return p;
}

test('mcp__cordon__http_request sends the real secret to its scoped host; the model sees only names and masks', { skip: SKIP, timeout: 120_000 }, async () => {
  const p = mcpProject();
  const value = randomToken();
  // The listener echoes the Authorization header back: the response would carry the value unless cordon masks it.
  const api = await startRecordingListener((req) => ({ type: 'application/json', body: JSON.stringify({ ok: true, youSent: req.headers.authorization ?? null }) }));
  try {
    const mcpJson = JSON.parse(readFileSync(join(p.repo, '.mcp.json'), 'utf8')) as { mcpServers?: Record<string, { type?: string; command?: string; args?: string[] }> };
    const entry = mcpJson.mcpServers?.cordon;
    assert.equal(entry?.type, 'stdio', JSON.stringify(mcpJson));
    assert.deepEqual(entry?.args?.slice(-1), ['mcp'], JSON.stringify(mcpJson));

    const add = p.cordon(['secrets', 'add', 'API_TOKEN', '--scope-host', '127.0.0.1'], value + '\n');
    assert.equal(add.code, 0, `cordon secrets add failed:\n${add.stdout}\n${add.stderr}`);
    assert.equal((add.stdout + add.stderr).includes(value), false, 'cordon secrets add echoed the value');

    const steps: Step[] = [
      { tool: 'mcp__cordon__http_request', input: { method: 'GET', url: `${api.url}/x`, headers: { Authorization: 'Bearer {{secret:API_TOKEN}}' } } },
      { tool: 'mcp__cordon__list_secrets', input: {} },
    ];
    const model = await startFakeModel((_req: CapturedRequest, n: number) => steps[n] ?? { text: 'done' });
    let run;
    try {
      run = await runClaude({ cwd: p.repo, home: p.home, prompt: 'call the API with the token', modelUrl: model.url, permissionMode: 'bypass', env: p.env });
    } finally {
      await model.close();
    }
    assert.equal(run.timedOut, false, 'claude -p timed out');
    assert.equal(run.code, 0, `claude -p failed (${run.code}):\n${run.stderr}\n${run.stdout}`);
    const offered = (model.mainRequests()[0]?.body?.tools ?? []).map((t) => String((t as { name?: unknown }).name));
    assert.ok(
      offered.includes('mcp__cordon__http_request') && offered.includes('mcp__cordon__list_secrets'),
      `the CLI did not load cordon's server from .mcp.json (try --mcp-config .mcp.json); tools: ${offered.join(',')}`,
    );
    const results = toolResultsOf(model.requests);
    assert.equal(results.length, steps.length, JSON.stringify(results, null, 1));

    // ---- The scoped host got the real value. --------------------------------------------------------------------
    assert.equal(api.received.length, 1, `listener requests: ${api.received.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    assert.equal(api.received[0]!.method, 'GET');
    assert.equal(api.received[0]!.url, '/x');
    assert.equal(api.received[0]!.headers.authorization, `Bearer ${value}`);

    // ---- The model saw the response with the value masked. ------------------------------------------------------
    const http = results[0]!;
    assert.equal(http.isError, false, `http_request failed: ${http.content}`);
    assert.equal(http.content.includes(value), false, 'the response handed the value to the model');
    const response = JSON.parse(http.content) as { status: number; body: string };
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), { ok: true, youSent: 'Bearer [secret:API_TOKEN]' });

    // ---- list_secrets: the name and scope, never the value. -----------------------------------------------------
    const list = results[1]!;
    assert.equal(list.isError, false, `list_secrets failed: ${list.content}`);
    assert.equal(list.content.includes(value), false, 'list_secrets showed the value');
    const listed = (JSON.parse(list.content) as { secrets: { name: string; hosts: string[]; source: string }[] }).secrets;
    assert.deepEqual(listed.map((s) => [s.name, s.hosts, s.source]), [['API_TOKEN', ['127.0.0.1'], 'store']]);

    // ---- The value, in any form, is nowhere but in the listener and the sealed store. ---------------------------
    const forms = formsOf(value);
    const hits: Hit[] = [
      ...model.requests.flatMap((r, i) => searchText(`model request #${i} (${r.kind} ${r.url})`, JSON.stringify(r.body ?? null), forms)),
      // The store keeps the value sealed, so not even it may hold a readable form.
      ...searchFiles(p.cordonHome, forms),
      ...searchFiles(p.home, forms),
      ...searchFiles(p.repo, forms),
      ...searchText('claude stdout', run.stdout, forms),
      ...searchText('claude stderr', run.stderr, forms),
    ];
    assert.deepEqual(hits, [], `the secret value leaked:\n${hits.map((h) => `  ${h.where}: ${h.forms.join(', ')}`).join('\n')}`);
    const stateFiles = filesUnder(p.cordonHome);
    assert.ok(stateFiles.includes(join(p.cordonHome, 'secrets', 'store.json')), `no secret store in ${stateFiles.join(', ')}`);
    assert.ok(stateFiles.some((f) => /audit/.test(f)), 'no audit database in the state dir');
    assert.ok(filesUnder(p.home).some((f) => f.endsWith('.jsonl')), 'no transcript under the temp HOME');
    assert.ok(searchText('listener bytes', api.rawBytes().toString('latin1'), forms).length > 0, 'the search finds the value where it went');

    // ---- The audit trail: both calls went through cordon's hook and were allowed by the project policy. ---------
    const rows = auditLog(p, String(run.json?.session_id));
    const pre = rows.filter((r) => r.event === 'PreToolUse');
    assert.deepEqual(pre.map((r) => [r.tool, r.decision]), [['mcp__cordon__http_request', 'allow'], ['mcp__cordon__list_secrets', 'allow']]);
    // The Authorization header is redacted as a credential field even though it held only the placeholder.
    assert.equal((pre[0]!.input as { url?: string } | undefined)?.url, `${api.url}/x`, JSON.stringify(pre[0]));
  } finally {
    await api.close();
    p.cleanup();
  }
});

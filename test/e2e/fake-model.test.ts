/**
 * The fake model server on its own (no CLI): step choice by assistant-message count, side calls, the SSE event
 * order, non-model routes, and the readers that tests use to see what the model was shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeModel, systemMessagesOf, toolResultsOf } from '../../src/testkit/fake-model.js';

const TOOLS = [{ name: 'Bash', input_schema: { type: 'object' } }];

async function post(url: string, body: unknown): Promise<{ events: { event: string; data: Record<string, unknown> }[] }> {
  const res = await fetch(`${url}/v1/messages?beta=true`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((b) => {
      const [ev, data] = b.split('\n');
      return { event: (ev ?? '').replace(/^event: /, ''), data: JSON.parse((data ?? '').replace(/^data: /, '')) as Record<string, unknown> };
    });
  return { events };
}

test('replies follow the script by assistant-message count, then end with "done"', async () => {
  const m = await startFakeModel([
    { tool: 'Bash', input: { command: 'ls' } },
    { calls: [{ tool: 'Bash', input: { command: 'a' } }, { tool: 'Bash', input: { command: 'b' } }] },
  ]);
  try {
    const first = await post(m.url, { stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(
      first.events.map((e) => e.event),
      ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    const start = first.events[1]?.data.content_block as Record<string, unknown>;
    assert.equal(start.type, 'tool_use');
    assert.equal(start.name, 'Bash');
    const delta = first.events[2]?.data.delta as Record<string, unknown>;
    assert.equal(delta.type, 'input_json_delta');
    assert.deepEqual(JSON.parse(String(delta.partial_json)), { command: 'ls' });
    assert.equal((first.events[4]?.data.delta as Record<string, unknown>).stop_reason, 'tool_use');

    const history = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }] },
      { role: 'system', content: 'PostToolUse:Bash hook additional context: hello' },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'nope' }], is_error: true }] },
    ];
    const second = await post(m.url, { stream: true, tools: TOOLS, messages: history });
    assert.equal(second.events.filter((e) => e.event === 'content_block_start').length, 2);

    const third = await post(m.url, { stream: true, tools: TOOLS, messages: [...history, { role: 'assistant', content: 'x' }] });
    const text = third.events.find((e) => e.event === 'content_block_delta')?.data.delta as Record<string, unknown>;
    assert.deepEqual(text, { type: 'text_delta', text: 'done' });
    assert.equal((third.events.find((e) => e.event === 'message_delta')?.data.delta as Record<string, unknown>).stop_reason, 'end_turn');

    // A side call (no tools) does not consume a step.
    await post(m.url, { stream: true, messages: [{ role: 'user', content: 'summarise' }] });
    assert.deepEqual(
      m.requests.map((r) => [r.kind, r.step]),
      [['main', 0], ['main', 1], ['main', 2], ['side', undefined]],
    );
    // Readers look at the last main-loop request, which carries the whole conversation.
    assert.deepEqual(toolResultsOf(m.requests.slice(0, 2)), [{ toolUseId: 't1', content: 'nope', isError: true }]);
    assert.deepEqual(systemMessagesOf(m.requests.slice(0, 2)), ['PostToolUse:Bash hook additional context: hello']);
  } finally {
    await m.close();
  }
});

test('non-model routes answer 200 and are recorded', async () => {
  const m = await startFakeModel([]);
  try {
    assert.equal((await fetch(`${m.url}/api/hello`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${m.url}/anything`)).status, 200);
    assert.deepEqual(m.requests.map((r) => [r.method, r.kind]), [['HEAD', 'other'], ['GET', 'other']]);
  } finally {
    await m.close();
  }
});

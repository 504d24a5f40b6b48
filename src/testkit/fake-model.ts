/**
 * A scripted stand-in for the Anthropic Messages API, so the real Claude Code CLI can be driven offline.
 *
 * The server is stateless: for a main-loop request (one that carries a non-empty `tools` array) it picks the reply
 * by counting the assistant messages already in `messages`, so step N answers the (N+1)-th model turn. Requests
 * without tools are side calls (titles, page summaries) and get a short text reply. Every request body is kept,
 * parsed, so a test can read what the model was shown next: tool_result blocks and `role:"system"` hook messages.
 *
 * Replies are streamed as server-sent events in the order the CLI expects: message_start, per block
 * content_block_start / content_block_delta / content_block_stop, message_delta (stop_reason), message_stop.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One tool call the scripted model makes. */
export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/**
 * One scripted model turn: a single tool call, several tool calls in one message, or plain text (which ends the
 * turn). `text` beside tool calls is sent as a text block before them.
 */
export type Step =
  | (ToolCall & { text?: string })
  | { calls: ToolCall[]; text?: string }
  | { text: string };

export interface CapturedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; `undefined` for bodiless requests or when the body is not JSON. */
  body?: MessagesBody;
  /** `main` for main-loop turns (non-empty tools), `side` for other model calls, `other` for non-model requests. */
  kind: 'main' | 'side' | 'other';
  /** For main-loop turns: the step index that was answered (= assistant messages already present). */
  step?: number;
}

/** The parts of a Messages API request body the tests read. */
export interface MessagesBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  system?: unknown;
  messages?: ApiMessage[];
  [k: string]: unknown;
}

export interface ApiMessage {
  role: string;
  content: string | ContentBlock[];
}

export interface ContentBlock {
  type: string;
  [k: string]: unknown;
}

export type Script = Step[] | ((req: CapturedRequest, step: number) => Step);

export interface FakeModelOptions {
  /** Text of the final reply once the script has run out. */
  finalText?: string;
  /** Text for side calls (requests without tools), or a function of the side request (e.g. a page summariser). */
  sideText?: string | ((req: CapturedRequest) => string);
}

export interface FakeModel {
  url: string;
  port: number;
  requests: CapturedRequest[];
  /** Main-loop requests only, in arrival order. */
  mainRequests(): CapturedRequest[];
  close(): Promise<void>;
}

export async function startFakeModel(script: Script, opts: FakeModelOptions = {}): Promise<FakeModel> {
  const requests: CapturedRequest[] = [];
  let nextId = 1;
  const newId = (prefix: string): string => `${prefix}_fake${String(nextId++).padStart(6, '0')}`;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch((err: unknown) => {
        // Answer something rather than hang the CLI until its own timeout.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
      });
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    let body: MessagesBody | undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as MessagesBody;
      } catch {
        body = undefined;
      }
    }
    const isMessages = method === 'POST' && /^\/v1\/messages(\?|$)/.test(url);
    const captured: CapturedRequest = { method, url, headers: req.headers, body, kind: 'other' };
    requests.push(captured);

    if (!isMessages) {
      if (method === 'POST' && url.startsWith('/v1/messages/count_tokens')) {
        sendJson(res, 200, { input_tokens: 100 });
      } else if (method === 'GET' || method === 'HEAD') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(method === 'HEAD' ? undefined : '{}');
      } else {
        sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${method} ${url}` } });
      }
      return;
    }

    const isMain = Array.isArray(body?.tools) && body.tools.length > 0;
    let step: Step;
    if (isMain) {
      const n = countAssistant(body?.messages ?? []);
      captured.kind = 'main';
      captured.step = n;
      step = pick(script, captured, n, opts.finalText ?? 'done');
    } else {
      captured.kind = 'side';
      const side = opts.sideText;
      step = { text: typeof side === 'function' ? side(captured) : side ?? 'ok' };
    }
    const message = buildMessage(step, body?.model ?? 'claude-fake', newId);
    if (body?.stream === false) sendJson(res, 200, message);
    else streamMessage(res, message);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mainRequests: () => requests.filter((r) => r.kind === 'main'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function pick(script: Script, req: CapturedRequest, n: number, finalText: string): Step {
  if (typeof script === 'function') return script(req, n);
  return script[n] ?? { text: finalText };
}

function countAssistant(messages: ApiMessage[]): number {
  return messages.filter((m) => m.role === 'assistant').length;
}

interface BuiltMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'tool_use' | 'end_turn';
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

function buildMessage(step: Step, model: string, newId: (p: string) => string): BuiltMessage {
  const content: ContentBlock[] = [];
  if (step.text !== undefined && step.text !== '') content.push({ type: 'text', text: step.text });
  const calls: ToolCall[] = 'calls' in step ? step.calls : 'tool' in step ? [{ tool: step.tool, input: step.input }] : [];
  for (const c of calls) content.push({ type: 'tool_use', id: newId('toolu'), name: c.tool, input: c.input });
  // A step that is neither text nor tool would leave the CLI with an empty turn; say something instead.
  if (content.length === 0) content.push({ type: 'text', text: '' });
  return {
    id: newId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 20 },
  };
}

function streamMessage(res: ServerResponse, msg: BuiltMessage): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': `req_${msg.id}`,
  });
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('message_start', {
    type: 'message_start',
    message: { ...msg, content: [], stop_reason: null, usage: { input_tokens: msg.usage.input_tokens, output_tokens: 1 } },
  });
  msg.content.forEach((block, index) => {
    if (block.type === 'tool_use') {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    } else {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: msg.stop_reason, stop_sequence: null },
    usage: { output_tokens: msg.usage.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading what the model saw
// ---------------------------------------------------------------------------------------------------------------

export interface ToolResultSeen {
  toolUseId: string;
  /** The result text (text blocks joined with newlines when the CLI sent an array). */
  content: string;
  isError: boolean;
}

/** The last main-loop request: it carries the whole conversation so far. Falls back to the last request. */
export function lastMainRequest(requests: CapturedRequest[]): CapturedRequest | undefined {
  const main = requests.filter((r) => r.kind === 'main');
  return main[main.length - 1] ?? requests[requests.length - 1];
}

/** The tool_result blocks of the last main-loop request, in conversation order. */
export function toolResultsOf(requests: CapturedRequest[]): ToolResultSeen[] {
  const out: ToolResultSeen[] = [];
  for (const m of lastMainRequest(requests)?.body?.messages ?? []) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content) {
      if (b.type !== 'tool_result') continue;
      out.push({ toolUseId: String(b.tool_use_id ?? ''), content: blockText(b.content), isError: b.is_error === true });
    }
  }
  return out;
}

/** The text of every `role:"system"` message (hook messages, environment block) in the last main-loop request. */
export function systemMessagesOf(requests: CapturedRequest[]): string[] {
  return (lastMainRequest(requests)?.body?.messages ?? [])
    .filter((m) => m.role === 'system')
    .map((m) => blockText(m.content));
}

/** Every text the model was shown in the last main-loop request (all roles), for loose "did it see X" checks. */
export function allTextOf(requests: CapturedRequest[]): string {
  return (lastMainRequest(requests)?.body?.messages ?? []).map((m) => blockText(m.content)).join('\n');
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined ? '' : JSON.stringify(content);
  return content
    .map((b: unknown) => {
      if (b && typeof b === 'object') {
        const o = b as Record<string, unknown>;
        if (typeof o.text === 'string') return o.text;
        if (o.type === 'tool_result') return blockText(o.content);
        if (o.type === 'tool_use') return JSON.stringify(o.input);
      }
      return typeof b === 'string' ? b : '';
    })
    .join('\n');
}

/** Every text in one request's messages (all roles), e.g. the page a side call was asked to summarise. */
export function requestText(req: CapturedRequest): string {
  return (req.body?.messages ?? []).map((m) => blockText(m.content)).join('\n');
}

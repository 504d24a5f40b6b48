#!/usr/bin/env node
/**
 * The hook entry point Claude Code runs: `[env -u NODE_OPTIONS …] node client.cjs <EventName>` with the event
 * JSON on stdin.
 *
 * Every tool call pays for this process, so it is one self-contained CommonJS file that loads node built-ins only
 * (measured, Node 20: an ES module graph costs milliseconds; each further file of our own about half of one). It
 * also carries the hook's wire contract (what it prints, where the daemon listens), which the rest of cordon
 * imports through wire.cts, so there is one definition of it.
 *
 * It hands the event to the per-user daemon (warm parser, open database) over a unix socket and prints the
 * answer. The connection is opened while stdin is still arriving. On Node 20 both go through node's own pipe
 * handles rather than node:net, whose stream machinery costs about 7 ms per call to load and set up (see rawIo).
 * When no daemon answers (first call, stale build, crash), it starts one in the background and decides this call
 * in-process with the very same code, so no call is ever decided without analysis.
 *
 * Whatever happens, it prints one decision and exits 0 (or 2 for an unknown event) before its hard deadline:
 * Claude Code runs the tool when a hook crashes or times out.
 */
import { join } from 'node:path';
import { readlinkSync, writeSync } from 'node:fs';
import type { HookEventName, Verdict } from '../ir/types.js';

/**
 * This build's id: scripts/postbuild.mjs writes the same hash here and into build-id.cjs. A client never takes an
 * answer from a daemon of another build (a stale daemon after an upgrade).
 */
export const CLIENT_BUILD_ID: string = 'dev'; // build-id: stamped by scripts/postbuild.mjs

// ---------------------------------------------------------------------------------------------------------------
// The wire contract: what the hook prints
// ---------------------------------------------------------------------------------------------------------------

export const HOOK_EVENTS: readonly HookEventName[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'SessionStart'];

/** Largest stdin cordon reads; anything longer is refused (a tool input that large is itself suspicious). */
export const MAX_STDIN_BYTES = 4 * 1024 * 1024;

export function isHookEvent(s: unknown): s is HookEventName {
  return typeof s === 'string' && (HOOK_EVENTS as readonly string[]).includes(s);
}

export interface HookOutput {
  stdout: string;
  exitCode: number;
  /** Only with exit code 2, where Claude Code reads the reason from stderr. */
  stderr?: string;
}

/** The message the model and the human read. */
export function message(v: Pick<Verdict, 'decision' | 'ruleId' | 'reason' | 'alternative'>): string {
  const head = v.decision === 'deny' ? 'cordon denied this' : v.decision === 'ask' ? 'cordon needs a human to approve this' : 'cordon';
  const trim = (s: string) => s.trim().replace(/[.\s]+$/, '');
  const alt = v.alternative ? ` Instead: ${trim(v.alternative)}.` : '';
  return `${head}: ${trim(v.reason)} [${v.ruleId}].${alt}`.replace(/[\r\n]+/g, ' ');
}

export function formatVerdict(event: HookEventName, v: Verdict, onAllow: 'passthrough' | 'allow'): HookOutput {
  switch (event) {
    case 'PreToolUse': {
      const out: Record<string, unknown> = { hookEventName: event };
      // passthrough: no decision, so Claude Code's own permission rules still apply (updatedInput is honoured
      // without a decision too).
      if (v.decision !== 'allow' || onAllow === 'allow') {
        out.permissionDecision = v.decision;
        out.permissionDecisionReason = message(v);
      }
      if (v.updatedInput && v.decision !== 'deny') out.updatedInput = v.updatedInput;
      if (v.context) out.additionalContext = v.context;
      return json(Object.keys(out).length > 1 ? { hookSpecificOutput: out } : {});
    }
    case 'PostToolUse':
    case 'PostToolUseFailure':
    case 'UserPromptSubmit': {
      const out: Record<string, unknown> = {};
      if (v.decision !== 'allow') {
        out.decision = 'block';
        out.reason = message(v);
      }
      if (v.context) out.hookSpecificOutput = { hookEventName: event, additionalContext: v.context };
      return json(out);
    }
    case 'SessionStart':
      return json(v.context ? { hookSpecificOutput: { hookEventName: event, additionalContext: v.context } } : {});
  }
}

/**
 * The answer when cordon itself failed or the input was unusable. For tool calls this is a deny; for prompts a
 * block; for events that cannot block, a warning to the user. With no known event, a generic block plus exit 2,
 * which every blocking event honours.
 */
export function failClosed(event: HookEventName | undefined, ruleId: string, reason: string, fix?: string): HookOutput {
  const v: Verdict = { decision: 'deny', ruleId, reason, findings: [], ...(fix ? { alternative: fix } : {}) };
  if (!event) {
    return { stdout: JSON.stringify({ decision: 'block', reason: message(v) }), exitCode: 2, stderr: message(v) };
  }
  if (event === 'SessionStart') return json({ systemMessage: message(v) });
  return formatVerdict(event, v, 'passthrough');
}

function json(o: unknown): HookOutput {
  return { stdout: JSON.stringify(o), exitCode: 0 };
}

// ---------------------------------------------------------------------------------------------------------------
// The wire contract: where the daemon listens, and what crosses the socket
// ---------------------------------------------------------------------------------------------------------------

/** Unix socket paths are limited to ~107 bytes; longer state dirs fall back to in-process decisions. */
const MAX_SOCKET_PATH = 100;

export function socketDir(env: NodeJS.ProcessEnv): string {
  // node:os only when HOME is unset: loading it costs every call a third of a millisecond.
  const home = () => env.HOME || (require('node:os') as typeof import('node:os')).homedir();
  const state = env.CORDON_HOME && env.CORDON_HOME !== '' ? env.CORDON_HOME : join(home(), '.cordon');
  return join(state, 'run');
}

/** The socket of the daemon built from this very code; undefined when the path would be too long. */
export function socketPath(env: NodeJS.ProcessEnv): string | undefined {
  const p = join(socketDir(env), `hookd-${CLIENT_BUILD_ID}.sock`);
  return p.length <= MAX_SOCKET_PATH ? p : undefined;
}

/** Variables besides cordon's own that decisions read: home, project, session, temp dir, headless or not. */
const FORWARDED = new Set(['HOME', 'CLAUDE_PROJECT_DIR', 'CLAUDE_CODE_SESSION_ID', 'TMPDIR', 'CLAUDE_CODE_ENTRYPOINT']);

/**
 * The part of the hook's environment that decisions depend on. Secrets in the user's environment never cross
 * the socket: the daemon has no use for them.
 */
export function forwardedEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('CORDON_') || FORWARDED.has(k)) out[k] = v;
  }
  return out;
}

/** The daemon starts with a minimal environment, not the user's (which may hold credentials). */
export function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'CORDON_HOME', 'CORDON_DAEMON_IDLE_MS', 'CORDON_DEBUG', 'TMPDIR', 'LANG']) {
    if (env[k] !== undefined) out[k] = env[k];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The hook process
// ---------------------------------------------------------------------------------------------------------------

interface Wire {
  event?: string;
  stdin: string;
  truncated: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}

// ---------------------------------------------------------------------------------------------------------------
// Moving the bytes: node:net streams, or node's pipe handles directly
// ---------------------------------------------------------------------------------------------------------------

/** Collects stdin up to the size limit and calls `done` once; `chunk` returns false when reading should stop. */
function stdinCollector(done: (text: string, truncated: boolean) => void): { chunk(c: Buffer): boolean; end(): void } {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (text: string, truncated: boolean) => {
    if (finished) return;
    finished = true;
    done(text, truncated);
  };
  return {
    chunk(c) {
      if (finished) return false;
      size += c.length;
      if (size > MAX_STDIN_BYTES) {
        chunks.length = 0;
        finish('', true);
        return false;
      }
      chunks.push(c);
      return true;
    },
    // At EOF, and on a read error with what arrived before it (which then fails to parse: a refusal).
    end: () => finish(Buffer.concat(chunks).toString('utf8'), false),
  };
}

/** A connection to the daemon as the link below uses it. */
interface Conn {
  send(line: string): void;
  close(): void;
}

/** What a connection reports: bytes from the daemon, or that it failed or closed. */
interface ConnEvents {
  data(b: Buffer): void;
  down(): void;
}

interface HookIo {
  /**
   * Reads all of stdin and calls `done` once. Never through fs.read on fd 0: a read blocked in the thread pool
   * keeps the process from exiting, and the hard deadline must be able to answer and exit while a misbehaving
   * caller still holds stdin open.
   */
  readStdin(done: (text: string, truncated: boolean) => void): void;
  connect(sock: string, ev: ConnEvents): Conn;
}

/** The public API: process.stdin and node:net (about 7 ms of loading and set-up on Node 20, measured). */
const streamIo: HookIo = {
  readStdin(done) {
    const c = stdinCollector(done);
    const stdin = process.stdin;
    stdin.on('data', (b: Buffer) => {
      if (!c.chunk(b)) stdin.destroy();
    });
    // Ahead of the stream's own 'end' handling: the request goes to the daemon before node tears the stdin socket
    // down, not after (measured: about a millisecond sooner).
    stdin.prependListener('end', c.end);
    stdin.on('error', c.end);
  },
  connect(sock, ev) {
    const s = (require('node:net') as typeof import('node:net')).connect(sock);
    s.on('data', (b: Buffer) => ev.data(b));
    s.on('error', ev.down);
    s.on('close', ev.down);
    return { send: (line) => void s.write(line), close: () => void s.destroy() };
  },
};

interface RawReq {
  oncomplete?: (status: number) => void;
  handle?: unknown;
  async?: boolean;
}

interface RawPipe {
  onread: ((buf: ArrayBuffer | undefined) => void) | null;
  open(fd: number): number;
  connect(req: RawReq, path: string): number;
  readStart(): number;
  readStop(): number;
  writeUtf8String(req: RawReq, s: string): number;
  close(): void;
}

interface RawBindings {
  Pipe: new (type: number) => RawPipe;
  PipeConnectWrap: new () => RawReq;
  WriteWrap: new () => RawReq;
  SOCKET: number;
  state: Int32Array;
  kRead: number;
  kOffset: number;
}

/**
 * Node's own pipe handles, the ones node:net wraps, as Node 20 defines them. They are not a stable API: rawIo
 * passes them exactly the arguments Node 20's lib/net.js passes, and a wrong one would abort the process (which
 * Claude Code would take as "run the tool"). So this is undefined on any other version or platform than the one it
 * was written and tested on (Node 20, Linux), with CORDON_HOOK_IO=streams, or when anything is not as expected;
 * the hook then uses node:net.
 */
function rawBindings(env: NodeJS.ProcessEnv): RawBindings | undefined {
  if (env.CORDON_HOOK_IO === 'streams' || !/^20\./.test(process.versions.node) || process.platform !== 'linux') return undefined;
  // process.binding() is a deprecated API: under --throw-deprecation, touching it would throw.
  if ((process as { throwDeprecation?: boolean }).throwDeprecation) return undefined;
  try {
    const binding = (process as unknown as { binding?: (name: string) => Record<string, unknown> }).binding;
    if (typeof binding !== 'function') return undefined;
    const pipe = binding('pipe_wrap');
    const stream = binding('stream_wrap');
    const Pipe = pipe.Pipe as RawBindings['Pipe'] | undefined;
    const SOCKET = (pipe.constants as { SOCKET?: unknown } | undefined)?.SOCKET;
    const { PipeConnectWrap } = pipe;
    const { WriteWrap, streamBaseState, kReadBytesOrError, kArrayBufferOffset } = stream;
    if (typeof Pipe !== 'function' || typeof PipeConnectWrap !== 'function' || typeof WriteWrap !== 'function' || typeof SOCKET !== 'number') return undefined;
    if (!(streamBaseState instanceof Int32Array) || typeof kReadBytesOrError !== 'number' || typeof kArrayBufferOffset !== 'number') return undefined;
    const proto = Pipe.prototype as unknown as Record<string, unknown>;
    for (const m of ['open', 'connect', 'readStart', 'readStop', 'writeUtf8String', 'close']) if (typeof proto[m] !== 'function') return undefined;
    return {
      Pipe,
      PipeConnectWrap: PipeConnectWrap as RawBindings['PipeConnectWrap'],
      WriteWrap: WriteWrap as RawBindings['WriteWrap'],
      SOCKET,
      state: streamBaseState,
      kRead: kReadBytesOrError,
      kOffset: kArrayBufferOffset,
    };
  } catch {
    return undefined;
  }
}

/**
 * The same I/O without loading node:net and the stream machinery: about 7 ms less per call (measured, Node 20).
 * stdin is read this way only when it is an anonymous socket or pipe (what Claude Code and shells give a hook);
 * anything else goes through process.stdin.
 */
function rawIo(B: RawBindings): HookIo {
  /** Bytes of one read, as a view on the buffer node allocated for it (what lib/net.js does too). */
  const bytes = (buf: ArrayBuffer | undefined, n: number) => Buffer.from(buf!, B.state[B.kOffset]!, n);
  return {
    readStdin(done) {
      // What fd 0 is, from its /proc link (cheaper than fstat's Stats): an anonymous socket or pipe can be polled;
      // files and character devices cannot (libuv would abort), and named FIFOs are left to the stream path.
      let link: string;
      try {
        link = readlinkSync('/proc/self/fd/0');
      } catch {
        return streamIo.readStdin(done);
      }
      if (!/^(socket|pipe):\[\d+\]$/.test(link)) return streamIo.readStdin(done);
      const h = new B.Pipe(B.SOCKET);
      let err: number;
      try {
        err = h.open(0);
      } catch {
        err = -1;
      }
      if (err !== 0) {
        h.close();
        return streamIo.readStdin(done);
      }
      const c = stdinCollector(done);
      h.onread = (buf) => {
        const n = B.state[B.kRead]!;
        if (n > 0) {
          if (!c.chunk(bytes(buf, n))) h.readStop();
        } else if (n < 0) {
          h.readStop();
          c.end();
        }
      };
      if (h.readStart() !== 0) c.end();
    },
    connect(sock, ev) {
      const h = new B.Pipe(B.SOCKET);
      let connected = false;
      let closed = false;
      let queued: string | undefined;
      const pending: RawReq[] = [];
      const down = () => {
        if (!closed) ev.down();
      };
      const write = (line: string) => {
        const w = new B.WriteWrap();
        w.handle = h;
        w.async = false;
        w.oncomplete = (status) => {
          if (status < 0) down();
        };
        // Kept referenced until the process exits: a write that did not complete at once finishes later.
        pending.push(w);
        if (h.writeUtf8String(w, line) !== 0) down();
      };
      const req = new B.PipeConnectWrap();
      req.oncomplete = (status) => {
        if (closed) return;
        if (status < 0) return down();
        connected = true;
        h.onread = (buf) => {
          const n = B.state[B.kRead]!;
          if (n > 0) ev.data(bytes(buf, n));
          else if (n < 0) down();
        };
        if (h.readStart() !== 0) return down();
        if (queued !== undefined) write(queued);
        queued = undefined;
      };
      if (h.connect(req, sock) !== 0) process.nextTick(down);
      return {
        send: (line) => (connected ? write(line) : (queued = line)),
        close: () => {
          if (closed) return;
          closed = true;
          h.close();
        },
      };
    },
  };
}

/** A connection to the daemon, opened before the request is known. */
interface DaemonLink {
  /**
   * Sends the request and calls `done` once: with the daemon's answer, or with undefined when it cannot answer
   * (absent, stale, broken, slow).
   */
  ask(req: Wire, timeoutMs: number, done: (out: HookOutput | undefined) => void): void;
}

/** Connects to the daemon; `onDown` runs once if the connection fails before a request was sent. */
function openDaemon(io: HookIo, sock: string, onDown: () => void): DaemonLink {
  let settled = false;
  let failedEarly = false;
  let reply: ((out: HookOutput | undefined) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const chunks: Buffer[] = [];
  function finish(v: HookOutput | undefined): void {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    // An answer is printed at once and the process exits: closing the connection first would only delay it.
    if (v === undefined) conn.close();
    if (reply) reply(v);
    else {
      failedEarly = true;
      onDown();
    }
  }
  const conn = io.connect(sock, {
    data(b) {
      if (settled) return;
      chunks.push(b);
      // The answer is one line; a newline byte never occurs inside a multi-byte UTF-8 character.
      if (b.indexOf(0x0a) < 0) return;
      const all = Buffer.concat(chunks);
      try {
        const o = JSON.parse(all.subarray(0, all.indexOf(0x0a)).toString('utf8')) as HookOutput & { build?: string };
        // A daemon of another build must not decide for this one, and only an answer to our request counts.
        if (!reply || o.build !== CLIENT_BUILD_ID || typeof o.stdout !== 'string' || typeof o.exitCode !== 'number') return finish(undefined);
        finish({ stdout: o.stdout, exitCode: o.exitCode, ...(o.stderr ? { stderr: o.stderr } : {}) });
      } catch {
        finish(undefined);
      }
    },
    down: () => finish(undefined),
  });
  return {
    ask(req, timeoutMs, done) {
      if (failedEarly) return done(undefined);
      reply = done;
      timer = setTimeout(() => finish(undefined), timeoutMs);
      // Sent once connected if need be.
      conn.send(JSON.stringify({ build: CLIENT_BUILD_ID, ...req }) + '\n');
    },
  };
}

function startDaemon(): void {
  try {
    // Required here, not at the top: only the first call of a session pays for loading child_process.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [join(__dirname, '..', 'daemon', 'main.js')], { detached: true, stdio: 'ignore', env: daemonEnv(process.env) });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The in-process path still decides this call.
  }
}

/**
 * Writes all of `text` to fd 1 or 2 synchronously (no stream to set up). Returns what is left when the
 * descriptor is non-blocking and full (EAGAIN), for the stream API to finish; undefined otherwise (written, or the
 * reader is gone and nothing can be delivered).
 */
function writeFd(fd: 1 | 2, text: string): Buffer | undefined {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EAGAIN' ? buf.subarray(off) : undefined;
  }
}

/**
 * Runs one hook call for `eventArg` (the event the hook was registered for) and exits the process. `fastIo`: the
 * process is the hook process itself (nothing else of it touches stdin), so it may read fd 0 through its own handle.
 */
export function runHookClient(eventArg: string | undefined, opts: { fastIo?: boolean } = {}): void {
  const env = process.env;
  const raw = opts.fastIo ? rawBindings(env) : undefined;
  const io = raw ? rawIo(raw) : streamIo;
  const event = isHookEvent(eventArg) ? eventArg : undefined;
  /** Hard stop: well under the timeout `cordon init` registers (30 s), and far above a normal call (~1 ms). */
  const HARD_MS = Number(env.CORDON_HOOK_HARD_MS) > 0 ? Number(env.CORDON_HOOK_HARD_MS) : 10_000;

  let answered = false;
  function answer(out: HookOutput): void {
    if (answered) return;
    answered = true;
    if (out.stderr) {
      const rest = writeFd(2, out.stderr + '\n');
      if (rest) process.stderr.write(rest);
    }
    const rest = writeFd(1, out.stdout + '\n');
    if (rest) process.stdout.write(rest, () => process.exit(out.exitCode));
    else process.exit(out.exitCode);
  }
  const fail = (err: unknown) => answer(failClosed(event, 'cordon.internal-error', `cordon's hook failed (${firstLine(err)})`, 'run `cordon doctor`'));

  const hard = setTimeout(() => {
    answer(failClosed(event, 'cordon.timeout', `cordon did not finish within ${HARD_MS} ms, so the call was refused`, 'retry; run `cordon doctor` if it keeps happening'));
  }, HARD_MS);
  hard.unref();
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);

  const mode = env.CORDON_DAEMON;
  const sock = mode !== 'off' ? socketPath(env) : undefined;
  // With no daemon to ask, the analysis code loads while stdin is still arriving. A failed load is seen (and
  // answered with a deny) where it is awaited.
  let analysis: Promise<typeof import('./handle.js')> | undefined;
  const loadAnalysis = () => {
    if (!analysis) {
      analysis = import('./handle.js') as Promise<typeof import('./handle.js')>;
      analysis.catch(() => undefined);
    }
    return analysis;
  };
  let autostarted = false;
  const autostart = () => {
    if (autostarted || mode === 'no-autostart') return;
    autostarted = true;
    startDaemon();
  };
  // Connecting now overlaps the connection set-up with reading stdin.
  const daemon = sock
    ? openDaemon(io, sock, () => {
        autostart();
        void loadAnalysis();
      })
    : undefined;
  if (!daemon) void loadAnalysis();

  io.readStdin((text, truncated) => {
    const req: Wire = { stdin: text, truncated, cwd: process.cwd(), env: forwardedEnv(env) };
    if (eventArg !== undefined) req.event = eventArg;
    const inProcess = async () => {
      const { handleHook, HookRuntime } = await loadAnalysis();
      const rt = new HookRuntime();
      const out = await handleHook(req, rt);
      rt.close();
      answer(out);
    };
    if (!daemon) return void inProcess().catch(fail);
    // A healthy daemon answers in a few ms; a hung one must leave time to decide in-process.
    daemon.ask(req, Math.min(1500, HARD_MS / 3), (viaDaemon) => {
      if (viaDaemon) return answer(viaDaemon);
      autostart();
      inProcess().catch(fail);
    });
  });
}

if (require.main === module) runHookClient(process.argv[2], { fastIo: true });

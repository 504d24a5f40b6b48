/**
 * The per-session sandbox helper: `node helper.js <plan.json>`. It initialises @anthropic-ai/sandbox-runtime once
 * (filtering proxies, socat bridges, seccomp helper) and then answers each client with the confinement for its
 * working directory. Keeping the proxies warm is what makes a confined command cost tens of milliseconds instead
 * of hundreds. Two kinds of client:
 *
 * - entry.sh, what every rewritten Bash call runs, over loopback TCP with a token (see serveEntry): it gets a
 *   script to source that scrubs the environment and starts bubblewrap;
 * - exec.js (cordon run, probes, cordon exec) and cordon's control requests, over a unix socket next to the plan
 *   file, in JSON: they get the confined argv and environment.
 *
 * The socket, the port file with the token and the scripts live in the state dir, which confined commands can
 * neither read nor write, so nothing inside the sandbox can ask for a different confinement. The helper exits
 * after a quiet period, or as soon as another helper has taken over its socket path.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scrubEnv, SECRET_WORKSPACE_GLOBS, withShellLevel, type SandboxPlan } from './plan.js';
import { preflight, which } from './preflight.js';
import { placeholderTargets, writeGitExcludes } from './git-exclude.js';
import { Placeholders, Snapshot, SCAN_DEPTH } from './prewrap.js';
import { MAX_ENV_CMD, writeCommandFile } from './cmdfile.js';

const IDLE_MS = Number(process.env.CORDON_SANDBOX_IDLE_MS) > 0 ? Number(process.env.CORDON_SANDBOX_IDLE_MS) : 20 * 60_000;
const MAX_LINE = 4 * 1024 * 1024;
/** A prepared wrap older than this is recomputed even when nothing it depends on changed. */
const PREPARED_MAX_AGE_MS = 10 * 60_000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The first `n` NUL-terminated fields of `buf`, or undefined while fewer have arrived. */
export function nulFields(buf: Buffer, n: number): string[] | undefined {
  const out: string[] = [];
  let from = 0;
  while (out.length < n) {
    const z = buf.indexOf(0, from);
    if (z < 0) return undefined;
    out.push(buf.subarray(from, z).toString('utf8'));
    from = z + 1;
  }
  return out;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The fixed script the library wraps; the model's command reaches it through $CORDON_SBX_CMD, so its text is
 * never re-quoted by anyone.
 *
 * - The library starts the in-sandbox socat listeners in the background just before this script, and 0.0.78 does
 *   not wait for them: the first request of a fast command failed in a few percent of runs. Wait (bounded, ~2 s)
 *   until port 3128 listens: its LISTEN line in the namespace's /proc/net/tcp (connecting to find out made socat
 *   fork a child and open a connection to the proxy on every call; the connect is the fallback where /proc/net is
 *   unreadable). The pause between tries is a read with a timeout on a UDP socket nobody sends to:
 *   a sleep without starting a process (about half the commands need one pause, and starting `sleep` cost more
 *   than the pause itself).
 * - It exports TMPDIR=/tmp/claude, a directory it never creates; use the session temp dir instead.
 * - Its NO_PROXY lists loopback and private ranges, which inside the empty network namespace go nowhere and fail
 *   with "connection refused". Routing everything through the proxy makes allow-listed local servers reachable
 *   and gives every refused host the proxy's explicit "blocked by sandbox" answer.
 */
export function innerScript(tmpDir: string): string {
  return [
    'if [ -n "${HTTP_PROXY:-}" ] && [ -z "${CORDON_SBX_OFFLINE:-}" ]; then __cordon_i=0; __cordon_w=; { exec {__cordon_w}<>/dev/udp/127.0.0.1/9; } 2>/dev/null || __cordon_w=',
    '  __cordon_up() { local l; [ -r /proc/net/tcp ] || { : <>/dev/tcp/127.0.0.1/3128; return; }',
    '    while IFS= read -r l; do [[ $l == *:0C38\\ 00000000:0000\\ 0A* ]] && return 0; done </proc/net/tcp; return 1; } 2>/dev/null',
    '  while [ "$__cordon_i" -lt 1000 ] && ! __cordon_up; do __cordon_i=$((__cordon_i+1))',
    '    if [ -n "$__cordon_w" ]; then read -r -t 0.002 -u "$__cordon_w" __cordon_x; else sleep 0.002; fi; done',
    '  if [ -n "$__cordon_w" ]; then exec {__cordon_w}>&-; fi; unset __cordon_i __cordon_w __cordon_x; unset -f __cordon_up; fi',
    `export TMPDIR=${shq(tmpDir)} NO_PROXY= no_proxy= CORDON_SANDBOXED=1; unset CORDON_SBX_OFFLINE`,
    // Placeholder mounts must not look like untracked files to git (see git-exclude.ts).
    'if [ -n "${CORDON_SBX_GITEXCL:-}" ]; then export GIT_CONFIG_PARAMETERS="${GIT_CONFIG_PARAMETERS:+$GIT_CONFIG_PARAMETERS }\'core.excludesfile=$CORDON_SBX_GITEXCL\'"; fi; unset CORDON_SBX_GITEXCL',
    'eval "unset CORDON_SBX_CMD',
    '$CORDON_SBX_CMD"',
  ].join('\n');
}

/** Creates the per-session temp dir, refusing a parent that someone else planted (shared /tmp). */
function ensureTmpDir(dir: string): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const st = lstatSync(parent);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new Error(`${parent} is not a directory owned by this user`);
  }
  chmodSync(parent, 0o700);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * 0.0.78 looks up the shell (and socat/rg) with `spawnSync('which', …)` on every wrap, 5–10 ms per command under
 * load, unless it runs under Bun, where it asks `Bun.which`. Nothing else in the library or its dependencies
 * looks at `globalThis.Bun`, so a memoised PATH lookup under that name removes the process start.
 */
function installWhichShim(): void {
  const g = globalThis as { Bun?: unknown };
  if (g.Bun !== undefined) return;
  const memo = new Map<string, string | null>();
  g.Bun = {
    which(bin: string): string | null {
      if (!memo.has(bin)) memo.set(bin, bin.startsWith('/') ? bin : (which(bin, process.env) ?? null));
      return memo.get(bin)!;
    },
  };
}

/** The built-in `.env*` globs, which the snapshot covers (workspace root and its first-level directories). */
function builtinGlob(p: string, workspace: string): boolean {
  return SECRET_WORKSPACE_GLOBS.some((g) => join(workspace, g) === p);
}

/**
 * The built-in `.env*` globs, expanded here to the files that exist: the library expands a glob by mounting
 * every directory the pattern could match beneath (one mount per first-level directory of the workspace, about
 * 0.2 ms each), where literal files cost one mount per secret file.
 */
export function expandBuiltinGlobs(denyRead: string[], workspace: string): string[] {
  const out: string[] = [];
  const envFiles = (dir: string) => {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.name.startsWith('.env') && !e.isDirectory()) out.push(join(dir, e.name));
    } catch {
      // Unreadable or gone: nothing to hide.
    }
  };
  for (const p of denyRead) {
    if (p === join(workspace, '.env*')) envFiles(workspace);
    else if (p === join(workspace, '*/.env*')) {
      try {
        for (const e of readdirSync(workspace, { withFileTypes: true })) if (e.isDirectory() && e.name !== 'node_modules') envFiles(join(workspace, e.name));
      } catch {
        // As above.
      }
    } else out.push(p);
  }
  return out;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The library hides a read-denied directory under an empty tmpfs, which is writable: a write into ~/.ssh or
 * cordon's state dir "succeeds" and is silently discarded. Remounting those tmpfs read-only makes such writes
 * fail visibly. Only unquoted paths are rewritten (the library leaves paths of plain characters unquoted); any
 * other keeps the library's behaviour, which still never reaches the real directory.
 */
export function readOnlyTmpfs(arg: string, denyRead: string[]): string {
  let out = arg;
  for (const p of denyRead) {
    if (!/^[A-Za-z0-9_@%+=:,./-]+$/.test(p)) continue;
    out = out.split(` --tmpfs ${p} `).join(` --tmpfs ${p} --remount-ro ${p} `);
  }
  return out;
}

/**
 * The end of the library's bwrap line, `-- <shell> -c '<script>'`, with the script unquoted, or undefined when the
 * line does not end that way. The library quotes with single quotes and `'"'"'` for a quote, nothing else.
 */
function bwrapScript(line: string): { head: string; shell: string; script: string } | undefined {
  const m = / -- (\/[^\s']+) -c '((?:[^']|'"'"')*)'$/.exec(line);
  return m ? { head: line.slice(0, m.index), shell: m[1]!, script: m[2]!.replace(/'"'"'/g, "'") } : undefined;
}

function withScript(head: string, shell: string, script: string): string {
  return `${head} -- ${shell} -c '${script.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The library's bwrap line ends `-- <shell> -c '<shell> -c '"'"'<script>'"'"''`: a shell whose only job is to
 * start the same shell again. Running the inner one directly saves a shell start on every command. Only that
 * exact shape is rewritten; any other line is returned as it was.
 */
export function dropRelayShell(line: string): string {
  const b = bwrapScript(line);
  if (!b || !b.script.startsWith(`${b.shell} -c '`)) return line;
  const inner = bwrapScript(` -- ${b.script}`);
  if (!inner || inner.shell !== b.shell || inner.head !== '') return line;
  return withScript(b.head, b.shell, inner.script);
}

/**
 * The same bwrap line without the network bridges, for a command that cannot use the network (offline.ts): the
 * script bubblewrap runs is `socat … &`, `socat … &`, the trap that stops them, then the seccomp launcher; only
 * the launcher is kept. The namespace stays as empty as before. Any other shape is returned unchanged (the
 * bridges stay).
 */
export function withoutBridges(line: string): string {
  const b = bwrapScript(line);
  if (!b) return line;
  // The launcher's own argument (the inner script) spans lines: split off the first three only.
  const lines: string[] = [];
  let from = 0;
  for (let i = 0; i < 3; i++) {
    const nl = b.script.indexOf('\n', from);
    if (nl < 0) return line;
    lines.push(b.script.slice(from, nl));
    from = nl + 1;
  }
  if (
    !/^\S*socat TCP-LISTEN:3128,\S* UNIX-CONNECT:\S+ >\/dev\/null 2>&1 &$/.test(lines[0]!) ||
    !/^\S*socat TCP-LISTEN:1080,\S* UNIX-CONNECT:\S+ >\/dev\/null 2>&1 &$/.test(lines[1]!) ||
    !lines[2]!.startsWith('trap ')
  ) {
    return line;
  }
  return withScript(b.head, b.shell, b.script.slice(from));
}

function alive(sock: string): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(sock);
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

/**
 * Sends one control request (`shutdown`, `advertise`) to the helper on `sock`. True when it answered; false when
 * nothing listens or no answer came within `timeoutMs`.
 */
export function helperRequest(sock: string, msg: object, timeoutMs = 2000): Promise<boolean> {
  return new Promise((res) => {
    let answered = false;
    const s = connect(sock);
    const t = setTimeout(() => s.destroy(), timeoutMs);
    s.once('connect', () => s.write(JSON.stringify(msg) + '\n'));
    s.once('data', () => {
      answered = true;
      s.destroy();
    });
    s.once('error', () => undefined);
    s.once('close', () => {
      clearTimeout(t);
      res(answered);
    });
  });
}

async function main(planPath: string): Promise<void> {
  const sockPath = planPath.replace(/\.json$/, '.sock');
  const logPath = planPath.replace(/\.json$/, '.log');
  const log = (msg: string) => {
    try {
      appendFileSync(logPath, `${new Date().toISOString()} ${msg}\n`, { mode: 0o600 });
    } catch {
      // Nowhere to report; the client reports the timeout.
    }
  };
  try {
    writeFileSync(logPath, '', { mode: 0o600 });
  } catch {
    // Same as above.
  }
  if (await alive(sockPath)) {
    // Another helper serves this plan. It may have lost the race for the port file to a helper that since left:
    // ask it to name itself there again, so that entries find it.
    await helperRequest(sockPath, { op: 'advertise' });
    return;
  }
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as SandboxPlan;
  if (plan.version !== 2) throw new Error(`unknown plan version ${String(plan.version)}`);
  const pre = preflight(process.env);
  if (!pre.ok) throw new Error(`${pre.error}; ${pre.fix}`);
  ensureTmpDir(plan.tmpDir);

  installWhichShim();
  const { SandboxManager } = await import('@anthropic-ai/sandbox-runtime');
  await SandboxManager.initialize({
    network: { allowedDomains: plan.networkAllow, deniedDomains: [] },
    filesystem: { denyRead: plan.denyRead, allowWrite: plan.allowWrite, denyWrite: plan.denyWrite },
    ...(pre.bwrap ? { bwrapPath: pre.bwrap } : {}),
    ...(pre.socat ? { socatPath: pre.socat } : {}),
    // The library's scan for files to write-protect (nested .git/hooks, .git/config, shell rc files) stops at
    // depth 3 by default, which misses the hooks of a repository nested one level down (a/.git/hooks/x is depth
    // 4), and honours .gitignore, which misses ignored vendored repositories. Depth 5 and --no-ignore cover
    // both; prepared wraps (prewrap.ts) keep the cost off the command's path.
    mandatoryDenySearchDepth: SCAN_DEPTH,
    ripgrep: { command: pre.rg ?? 'rg', args: ['--no-ignore'] },
  });
  const inner = innerScript(plan.tmpDir);
  const ownEnv = new Set(Object.keys(process.env));

  // The library reads process.cwd() for the files it protects in the command's directory, so wraps run one at
  // a time, each after a chdir.
  let queue: Promise<unknown> = Promise.resolve();
  let shutdown: (why: string) => Promise<void> = async () => undefined;
  let shuttingDown = false;
  let active = 0;
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    if (idle) clearTimeout(idle);
    idle = active > 0 ? undefined : setTimeout(() => void shutdown('idle'), IDLE_MS);
  };

  /** One library wrap for `cwd`; each must be balanced by one cleanupAfterCommand(). */
  const wrapRaw = async (cwd: string) => {
    process.chdir(cwd);
    // A deny under a directory that does not exist makes the library mount over the first missing component:
    // denying .git/hooks before `git init` would make .git itself an empty read-only directory.
    const denyWrite = plan.denyWrite.filter((p) => !p.includes('/.git/') || isDir(dirname(p)));
    const fsConfig = { denyRead: expandBuiltinGlobs(plan.denyRead, plan.workspace), allowWrite: plan.allowWrite, denyWrite };
    const r = await SandboxManager.wrapWithSandboxArgv(inner, 'bash', { filesystem: fsConfig }, undefined, cwd);
    const argv = r.argv.map((a) => readOnlyTmpfs(a, plan.denyRead));
    if (argv.length > 0) argv[argv.length - 1] = dropRelayShell(argv[argv.length - 1]!);
    return { argv, libEnv: r.env };
  };

  // Wraps prepared after a command ends, for the next command in the same directory (see prewrap.ts).
  const prepared = new Map<string, { snap: Snapshot; r: Awaited<ReturnType<typeof wrapRaw>>; at: number }>();
  const literal = [...plan.denyRead, ...plan.denyWrite, ...plan.allowWrite].filter((p) => !/[*?[]/.test(p));
  literal.push(join(plan.home, '.config', 'git', 'ignore'));
  const prewrapOff = process.env.CORDON_SANDBOX_PREWRAP === '0' || plan.denyRead.some((p) => /[*?[]/.test(p) && !builtinGlob(p, plan.workspace));
  const take = async (cwd: string) => {
    const p = prepared.get(cwd);
    prepared.delete(cwd);
    if (p) {
      if (Date.now() - p.at < PREPARED_MAX_AGE_MS && p.snap.unchanged()) return p.r;
      SandboxManager.cleanupAfterCommand();
    }
    return wrapRaw(cwd);
  };
  const prepare = (cwd: string) => {
    if (prewrapOff) return;
    queue = queue
      .then(async () => {
        if (prepared.has(cwd) || prepared.size >= 8 || shuttingDown) return;
        const snap = Snapshot.capture(cwd, plan.workspace, literal);
        if (!snap) return;
        prepared.set(cwd, { snap, r: await wrapRaw(cwd), at: Date.now() });
      })
      .catch(() => undefined);
  };
  const placeholders = new Placeholders();

  /**
   * What both protocols add to a wrap: the variables the library set on top of its own environment (it returns
   * process.env plus additions), the excludes file for its placeholders (when in a git work tree), and the
   * placeholders themselves. `gitEnv` holds what finding the user's global excludes reads (XDG_CONFIG_HOME).
   */
  const additions = (r: Awaited<ReturnType<typeof wrapRaw>>, cwd: string, gitEnv: Record<string, string | undefined>) => {
    const rendered = r.argv[r.argv.length - 1] ?? '';
    const added = Object.entries(r.libEnv).filter((e): e is [string, string] => !ownEnv.has(e[0]) && e[1] !== undefined);
    // Next to the session temp dir, not in it: readable inside the sandbox but not writable, so no confined
    // command can plant a symlink where the helper writes.
    const excl = writeGitExcludes(rendered, cwd, dirname(plan.tmpDir), `${basename(plan.tmpDir)}-`, plan.home, gitEnv);
    return { rendered, added, excl: excl && !excl.includes("'") ? excl : undefined, targets: placeholderTargets(rendered) };
  };

  const finish = (r: Awaited<ReturnType<typeof wrapRaw>>, env: Record<string, string | undefined>, cwd: string) => {
    const out = withShellLevel(scrubEnv(env, plan).env);
    // Variables the rewritten command drops only to start node faster (see wrap.ts) come back here.
    for (const [k, v] of Object.entries(plan.restoreEnv ?? {})) if (out[k] === undefined) out[k] = v;
    const a = additions(r, cwd, env);
    for (const [k, v] of a.added) out[k] = v;
    delete out.CORDON_SBX_GITEXCL;
    if (a.excl) out.CORDON_SBX_GITEXCL = a.excl;
    return { argv: r.argv, env: out, targets: a.targets };
  };

  /**
   * One wrap through the queue (the library works in process.cwd(), so wraps run one at a time). `format` turns
   * the library's result into what the client gets; the returned `end` (idempotent) is called when the command
   * ended: it removes the placeholders nothing else still holds and prepares the next wrap for the directory.
   */
  const wrapJob = <T extends { targets: string[] }>(cwd: string, format: (r: Awaited<ReturnType<typeof wrapRaw>>) => T): Promise<{ out: T; end: () => void }> => {
    const job = queue.then(async () => format(await take(cwd)));
    queue = job.catch(() => undefined);
    return job.then((out) => {
      const held = placeholders.begin(out.targets);
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        placeholders.end(held);
        SandboxManager.cleanupAfterCommand();
        prepare(cwd);
      };
      return { out, end };
    });
  };
  const wrapFailed = (cwd: string, err: unknown): { error: string; fix: string } => {
    const m = err instanceof Error ? err.message : String(err);
    log(`wrap failed in ${cwd}: ${m}`);
    return { error: `cannot confine the command (${m.split('\n')[0]})`, fix: 'run `cordon sandbox check`' };
  };

  /** The JSON protocol of exec.js (cordon run, probes, cordon exec) and of cordon's own control requests. */
  const serve = (conn: Socket) => {
    let buf = '';
    let wrapped = false;
    active++;
    touch();
    // After the wrap, the client's next line ("done") says the command ended; the reply waits for the cleanup,
    // so the host holds no placeholder by the time the command's caller sees it exit.
    let onDone: (() => void) | undefined;
    let after = '';
    conn.on('data', (d) => {
      if (wrapped) {
        after += d.toString('utf8');
        if (after.includes('\n') && onDone) {
          onDone();
          onDone = undefined;
          conn.end(JSON.stringify({ ok: true }) + '\n');
        }
        return;
      }
      buf += d.toString('utf8');
      if (buf.length > MAX_LINE) return conn.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      wrapped = true;
      let msg: { op?: string; cwd?: string; env?: Record<string, string> };
      try {
        msg = JSON.parse(buf.slice(0, nl)) as typeof msg;
      } catch {
        return conn.end(JSON.stringify({ ok: false, error: 'malformed request' }) + '\n');
      }
      if (msg.op === 'shutdown') {
        conn.end(JSON.stringify({ ok: true }) + '\n');
        return void shutdown('asked to stop');
      }
      if (msg.op === 'advertise') {
        // A helper that lost the start-up race asks the winner to name itself in the port file again.
        advertise();
        return conn.end(JSON.stringify({ ok: true }) + '\n');
      }
      if (msg.op !== 'wrap' || typeof msg.cwd !== 'string' || !msg.cwd.startsWith('/') || typeof msg.env !== 'object') {
        return conn.end(JSON.stringify({ ok: false, error: 'malformed request' }) + '\n');
      }
      const { cwd, env } = msg as { cwd: string; env: Record<string, string> };
      wrapJob(cwd, (r) => finish(r, env, cwd)).then(
        ({ out, end }) => {
          if (conn.destroyed) return end();
          conn.write(JSON.stringify({ ok: true, argv: out.argv, env: out.env, tmpDir: plan.tmpDir }) + '\n');
          // The client holds the connection for the command's lifetime: "done", or its close, means it ended.
          onDone = end;
          if (after.includes('\n')) {
            onDone = undefined;
            end();
            conn.end(JSON.stringify({ ok: true }) + '\n');
          }
          conn.once('close', end);
        },
        (err: unknown) => conn.end(JSON.stringify({ ok: false, ...wrapFailed(cwd, err) }) + '\n'),
      );
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => {
      active--;
      touch();
    });
  };

  // -------------------------------------------------------------------------------------------------------------
  // The entry's protocol (entry.sh, every rewritten Bash call): loopback TCP, because bash opens TCP connections
  // itself (/dev/tcp) and a unix socket would need another process per command. Anyone on the machine can
  // connect, so a request counts only with the token from the port file, which sits in cordon's state dir
  // (mode 0700; unreadable inside the sandbox, whose own loopback is another network namespace anyway).
  // -------------------------------------------------------------------------------------------------------------
  const token = randomBytes(24).toString('hex');
  const tokenBuf = Buffer.from(token);
  const portFile = planPath.replace(/\.json$/, '.port');
  const scriptDir = join(dirname(planPath), 'w');
  mkdirSync(scriptDir, { recursive: true, mode: 0o700 });
  // The reply names a script in it on one line of tab-separated fields.
  const scriptDirUnusable = /[\t\r\n]/.test(scriptDir);
  let port = 0;
  const advertise = () => {
    if (port === 0 || shuttingDown) return;
    const tmp = `${portFile}.${process.pid}`;
    writeFileSync(tmp, `${port} ${token}\n`, { mode: 0o600 });
    renameSync(tmp, portFile);
  };

  /** The command text a payload stands for (base64, or @file in the plan's cmd dir, removed once read). */
  const commandOf = (payload: string): string => {
    if (payload.startsWith('@')) {
      const file = payload.slice(1);
      if (dirname(file) !== join(dirname(planPath), 'cmd') || !/^[0-9a-f]{24}\.sh$/.test(basename(file))) throw new Error('command file outside the state dir');
      const text = readFileSync(file, 'utf8');
      unlinkSync(file);
      return text;
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new Error('malformed command payload');
    return Buffer.from(payload, 'base64').toString('utf8');
  };

  /**
   * The script entry.sh sources: unset what the plan scrubs (by name: the entry sends names, never values), export
   * what the sandbox adds, hand over the command, start bubblewrap. Returns the files to remove when it ended.
   */
  const writeScript = (r: Awaited<ReturnType<typeof wrapRaw>>, cwd: string, names: string[], xdg: string, command: string, offline: boolean) => {
    const lines: string[] = [];
    const present: Record<string, string> = {};
    for (const n of names) present[n] = '';
    const removed = scrubEnv(present, plan).removed;
    if (removed.length > 0) lines.push(`unset ${removed.join(' ')}`);
    const { rendered, added, excl, targets } = additions(r, cwd, xdg ? { XDG_CONFIG_HOME: xdg } : {});
    for (const [k, v] of added) if (ENV_NAME.test(k)) lines.push(`export ${k}=${shq(v)}`);
    lines.push(excl ? `export CORDON_SBX_GITEXCL=${shq(excl)}` : 'unset CORDON_SBX_GITEXCL');
    const files: string[] = [];
    if (Buffer.byteLength(command) > MAX_ENV_CMD) {
      const f = writeCommandFile(plan.tmpDir, command);
      files.push(f.file);
      lines.push(`export CORDON_SBX_CMD=${shq(f.value)}`);
    } else lines.push(`export CORDON_SBX_CMD=${shq(command)}`);
    if (offline) lines.push('export CORDON_SBX_OFFLINE=1');
    else lines.push('unset CORDON_SBX_OFFLINE');
    // The library's argv is `bash -c <bwrap command line>`: run that line here rather than in one more bash.
    const [a0, a1] = r.argv;
    lines.push(r.argv.length === 3 && /(^|\/)bash$/.test(a0 ?? '') && a1 === '-c' ? (offline ? withoutBridges(rendered) : rendered) : r.argv.map(shq).join(' '));
    const script = join(scriptDir, `${randomBytes(12).toString('hex')}.sh`);
    writeFileSync(script, lines.join('\n') + '\n', { mode: 0o600, flag: 'wx' });
    files.unshift(script);
    return { script, files, targets };
  };
  const removeFiles = (files: string[]) => {
    for (const f of files) {
      try {
        unlinkSync(f);
      } catch {
        // The command removed it itself, or it was never written.
      }
    }
  };

  const serveEntry = (conn: Socket) => {
    let buf: Buffer = Buffer.alloc(0);
    let state: 'request' | 'wrapping' | 'running' = 'request';
    let end: (() => void) | undefined;
    let early = false;
    active++;
    touch();
    const refuse = (error: string, fix?: string) => conn.end(`ERR\t${`${error}${fix ? `; ${fix}` : ''}`.replace(/[\t\r\n]+/g, ' ')}\n`);
    conn.on('data', (d: Buffer) => {
      if (state === 'running') {
        if (d.includes(0x0a) && end) {
          end();
          end = undefined;
          conn.end('OK\n');
        }
        return;
      }
      if (state === 'wrapping') {
        early ||= d.includes(0x0a);
        return;
      }
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (buf.length > MAX_LINE || (buf.length >= 3 && buf.subarray(0, 3).toString('latin1') !== 'W1\0')) return conn.destroy();
      const fields = nulFields(buf, 7);
      if (!fields) return;
      state = 'wrapping';
      const [, tok, payload, rawCwd, xdg, mode, nameList] = fields as [string, string, string, string, string, string, string];
      const t = Buffer.from(tok);
      if (t.length !== tokenBuf.length || !timingSafeEqual(t, tokenBuf)) return conn.destroy();
      let cwd: string;
      let command: string;
      try {
        cwd = realpathSync(rawCwd);
        command = commandOf(payload);
      } catch (err) {
        return refuse(`cannot read the request (${(err as Error).message.split('\n')[0]})`);
      }
      if (scriptDirUnusable) return refuse(`cordon's state dir path cannot be passed to the entry (${scriptDir})`, 'set CORDON_HOME to a plainer path');
      const names = nameList.split('\n').filter((n) => ENV_NAME.test(n));
      let files: string[] = [];
      wrapJob(cwd, (r) => {
        const s = writeScript(r, cwd, names, xdg, command, mode === 'offline');
        files = s.files;
        return s;
      }).then(
        ({ out, end: ended }) => {
          end = () => {
            ended();
            removeFiles(files);
          };
          if (conn.destroyed) {
            end();
            end = undefined;
            return;
          }
          state = 'running';
          conn.write(`OK\t${out.script}\n`);
          conn.once('close', () => end?.());
          if (early && end) {
            end();
            end = undefined;
            conn.end('OK\n');
          }
        },
        (err: unknown) => {
          removeFiles(files);
          const f = wrapFailed(cwd, err);
          refuse(f.error, f.fix);
        },
      );
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => {
      active--;
      touch();
    });
  };

  const server = createServer(serve);
  // Bind under a private name and rename into place: two helpers racing for the same plan cannot both serve it,
  // and the loser notices (its socket is no longer at the path) and exits.
  const tmpSock = `${sockPath}.${process.pid}`;
  try {
    unlinkSync(tmpSock);
  } catch {
    // Nothing stale.
  }
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(tmpSock, () => res());
  });
  chmodSync(tmpSock, 0o600);
  const tcp = createServer(serveEntry);
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(0, '127.0.0.1', () => res());
  });
  port = (tcp.address() as AddressInfo).port;
  renameSync(tmpSock, sockPath);
  const ino = statSync(sockPath).ino;
  advertise();
  log(`serving ${sockPath} and 127.0.0.1:${port} (pid ${process.pid})`);

  shutdown = async (why: string) => {
    shuttingDown = true;
    log(`exiting: ${why}`);
    server.close();
    tcp.close();
    try {
      if (statSync(sockPath).ino === ino) unlinkSync(sockPath);
    } catch {
      // Already gone.
    }
    try {
      if (readFileSync(portFile, 'utf8').startsWith(`${port} ${token}`)) unlinkSync(portFile);
    } catch {
      // Already gone, or another helper's.
    }
    // 0.0.78 leaves its bridge socket files behind after reset(); remove them.
    const leaked = [SandboxManager.getLinuxHttpSocketPath(), SandboxManager.getLinuxSocksSocketPath()];
    try {
      await SandboxManager.reset();
    } finally {
      for (const f of leaked) {
        try {
          if (f) unlinkSync(f);
        } catch {
          // Already removed.
        }
      }
      // Sessions stopped on purpose (probes, tests) leave nothing behind; an idle session keeps its temp files
      // for when it resumes.
      if (why === 'asked to stop') {
        rmSync(plan.tmpDir, { recursive: true, force: true });
        const parent = dirname(plan.tmpDir);
        const prefix = `${basename(plan.tmpDir)}-`;
        try {
          for (const f of readdirSync(parent)) if (f.startsWith(prefix)) rmSync(join(parent, f), { force: true });
        } catch {
          // Nothing left to remove.
        }
      }
      process.exit(0);
    }
  };
  setInterval(() => {
    let mine = false;
    try {
      mine = statSync(sockPath).ino === ino;
    } catch {
      mine = false;
    }
    if (!mine && active === 0) void shutdown('socket taken over or removed');
  }, 5_000).unref();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown(sig));
  touch();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const planPath = process.argv[2];
  if (!planPath) process.exit(2);
  main(planPath).catch((err: unknown) => {
    try {
      appendFileSync(planPath.replace(/\.json$/, '.log'), `${new Date().toISOString()} cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    } catch {
      // Nothing more to do.
    }
    process.exit(1);
  });
}

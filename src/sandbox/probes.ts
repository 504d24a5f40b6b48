/**
 * Live probes: run small hostile commands inside the sandbox and check, from outside, that each one failed.
 * They use the real policy and state dir with a throwaway HOME and workspace holding decoy secrets, so running
 * them touches nothing of the user's. A positive control comes first: if the sandbox cannot run a harmless
 * command, every "blocked" result would be meaningless, so all probes then fail.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Policy } from '../policy/schema.js';
import { defaultPolicy } from '../policy/schema.js';
import type { SandboxContext } from './plan.js';
import { runCommand, stopHelper, type RunOutcome } from './run.js';
import { shellQuote } from './wrap.js';

export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ProbeContext extends Omit<SandboxContext, 'home' | 'workspace'> {
  policy?: Policy;
  /** Defaults to a fresh temp dir; probes write a decoy `.env` there, so never point it at a real project. */
  workspace?: string;
  home?: string;
}

/**
 * Raw HTTP through the in-sandbox proxy with bash alone (curl may be missing): credentials come from $HTTP_PROXY
 * (percent-encoded userinfo), the status line is printed. A direct connection is tried too.
 */
function networkProbeScript(port: number): string {
  return [
    `if { exec 3<>/dev/tcp/127.0.0.1/${port}; } 2>/dev/null; then echo DIRECT-CONNECTED; exec 3>&-; fi`,
    'p=${HTTP_PROXY#http://}; cred=${p%@*}; cred=$(printf "%b" "${cred//%/\\\\x}")',
    'if [ -n "${HTTP_PROXY:-}" ] && { exec 4<>/dev/tcp/127.0.0.1/3128; } 2>/dev/null; then',
    `  printf 'GET http://127.0.0.1:${port}/probe HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\nProxy-Authorization: Basic %s\\r\\nConnection: close\\r\\n\\r\\n' "$(printf %s "$cred" | base64 -w0)" >&4`,
    '  head -n 1 <&4; exec 4>&-',
    'else echo NO-PROXY; fi',
  ].join('\n');
}

function listen(server: Server): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      res(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

function brief(o: RunOutcome): string {
  const err = (o.stderr ?? '').trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
  return `exit ${o.exitCode}${err ? `, "${err.slice(0, 140)}"` : ''}`;
}

export async function runProbes(ctx: ProbeContext): Promise<ProbeResult[]> {
  const policy = ctx.policy ?? defaultPolicy();
  const base = mkdtempSync(join(tmpdir(), 'cordon-probe-'));
  const home = ctx.home ?? join(base, 'home');
  const workspace = ctx.workspace ?? join(base, 'ws');
  const outside = join(base, 'outside');
  const token = `cordon-probe-${randomBytes(8).toString('hex')}`;
  for (const d of [home, workspace, outside, join(home, '.ssh')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${token}\n-----END OPENSSH PRIVATE KEY-----\n`);
  writeFileSync(join(workspace, '.env'), `API_SECRET=${token}\n`);
  mkdirSync(ctx.stateDir, { recursive: true, mode: 0o700 });

  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('reached');
  });
  const port = await listen(server);
  const sctx = { ...ctx, home, workspace, env: { ...ctx.env, HOME: home, GITHUB_TOKEN: token, CORDON_PROBE_API_KEY: token } };
  const run = (command: string) => runCommand(command, { ...sctx, policy, cwd: workspace, stdio: 'pipe' });
  const results: ProbeResult[] = [];
  try {
    const control = await run(`echo ok > probe-write.txt && cat probe-write.txt`);
    const works = control.exitCode === 0 && control.stdout?.trim() === 'ok' && existsSync(join(workspace, 'probe-write.txt'));
    results.push({
      name: 'sandbox runs commands',
      ok: works,
      detail: works ? 'a harmless command ran and wrote inside the workspace' : `${control.error ? `${control.error}; ${control.fix}` : brief(control)}`,
    });
    if (!works) {
      for (const name of ['write outside workspace', 'read decoy secret', 'read workspace .env', 'reach non-allowlisted host', 'see planted credential', 'write state dir']) {
        results.push({ name, ok: false, detail: 'not tried: the sandbox does not run commands' });
      }
      return results;
    }

    const outFile = join(outside, 'escaped.txt');
    const w = await run(`echo x > ${shellQuote(outFile)}`);
    results.push({ name: 'write outside workspace', ok: !existsSync(outFile), detail: `blocked (${brief(w)})` });

    const r = await run('cat ~/.ssh/id_rsa');
    results.push({ name: 'read decoy secret', ok: !(r.stdout ?? '').includes(token), detail: `~/.ssh/id_rsa unreadable (${brief(r)})` });

    const e = await run('cat .env');
    results.push({ name: 'read workspace .env', ok: !(e.stdout ?? '').includes(token), detail: `.env unreadable (${brief(e)})` });

    const n = await run(networkProbeScript(port));
    const nOut = (n.stdout ?? '').trim().replace(/\s+/g, ' ');
    results.push({
      name: 'reach non-allowlisted host',
      ok: hits.length === 0 && !nOut.includes('DIRECT-CONNECTED'),
      detail: hits.length === 0 ? `refused (${nOut || brief(n)})` : `a request reached 127.0.0.1:${port} from inside`,
    });

    const v = await run('env');
    const leaked = (v.stdout ?? '').split('\n').filter((l) => l.includes(token)).map((l) => l.split('=')[0]);
    results.push({
      name: 'see planted credential',
      ok: v.exitCode === 0 && leaked.length === 0,
      detail: leaked.length === 0 ? 'GITHUB_TOKEN and CORDON_PROBE_API_KEY scrubbed' : `visible inside: ${leaked.join(', ')}`,
    });

    const stateFile = join(ctx.stateDir, `probe-${token}`);
    const s = await run(`echo x > ${shellQuote(stateFile)}; ls ${shellQuote(ctx.stateDir)}`);
    const listed = (s.stdout ?? '').trim().split('\n').filter(Boolean);
    results.push({
      name: 'write state dir',
      ok: !existsSync(stateFile),
      detail: `state dir untouched${listed.length <= 1 ? ' and unlisted' : ''} (${brief(s)})`,
    });
    return results;
  } finally {
    server.close();
    await stopHelper(policy, { ...sctx }).catch(() => false);
    try {
      if (existsSync(join(ctx.stateDir, `probe-${token}`))) rmSync(join(ctx.stateDir, `probe-${token}`));
    } catch {
      // Reported above.
    }
    rmSync(base, { recursive: true, force: true });
  }
}

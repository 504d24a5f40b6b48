// A throwaway PostgreSQL server on loopback for the tests of the shared audit sink.
//
//   const pg = await startPgServer();       // { url, port, dir, createDatabase(name) → url, stop() }
//   await startPgServerOrReason()           // the same, or a string saying why there is no server here
//   … pg.stop();                            // also runs on process exit
//
// initdb into a temp dir, trust authentication on 127.0.0.1 only, a random port, the unix socket inside the temp
// dir. As root the server runs as the `postgres` OS user (PostgreSQL refuses to run as root). When the binaries are
// missing, startPgServer throws PgServerUnavailable so tests can skip with its message.
//
// Run directly (`node scripts/pg-test-server.mjs`) it prints the URL and serves until interrupted.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class PgServerUnavailable extends Error {}

/** The directory holding initdb, pg_ctl and postgres: $PG_BIN, pg_config --bindir, or the newest Debian install. */
export function findPgBin() {
  const ok = (d) => d && ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(d, b)));
  if (ok(process.env.PG_BIN)) return process.env.PG_BIN;
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (cfg.status === 0 && ok(cfg.stdout.trim())) return cfg.stdout.trim();
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (ok(join(base, v, 'bin'))) return join(base, v, 'bin');
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server. Options: fsync (default false: tests do not need durability, and it keeps them fast).
 * Throws PgServerUnavailable when the binaries are missing or the server does not come up.
 */
export async function startPgServer(opts = {}) {
  const bin = findPgBin();
  if (!bin) throw new PgServerUnavailable('PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install the `postgresql` package or set PG_BIN');
  const asRoot = process.getuid?.() === 0;
  let uid;
  let gid;
  if (asRoot) {
    const u = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (u.status !== 0) throw new PgServerUnavailable('running as root and there is no `postgres` OS user to run the server as');
    uid = Number(u.stdout.trim());
    gid = Number(g.stdout.trim());
  }
  const dir = mkdtempSync(join(tmpdir(), 'cordon-pg-'));
  if (asRoot) chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const run = (cmd, args) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return spawnSync(full[0], full[1], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  };
  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  const init = run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.status !== 0) {
    cleanup();
    throw new PgServerUnavailable(`initdb failed: ${(init.stderr || init.stdout || String(init.error)).trim().split('\n').pop()}`);
  }
  // Loopback only, trust only there: the server never accepts a connection from another host.
  const settings = [
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${dir}`,
    `-c fsync=${opts.fsync ? 'on' : 'off'}`,
    `-c synchronous_commit=${opts.fsync ? 'on' : 'off'}`,
    `-c full_page_writes=${opts.fsync ? 'on' : 'off'}`,
    `-c max_connections=200`,
  ].join(' ');
  let port;
  let started;
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    started = run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port} ${settings}`, 'start']);
    if (started.status === 0) break;
  }
  if (started.status !== 0) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : started.stderr.trim();
    cleanup();
    throw new PgServerUnavailable(`PostgreSQL did not start: ${tail}`);
  }

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    cleanup();
  };
  process.on('exit', stop);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    stop,
    /** Creates a fresh database and returns its URL (one per test keeps tests independent). */
    async createDatabase(name) {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
  };
}

/** The server, or the reason it cannot start here (tests skip with it); other failures still throw. */
export async function startPgServerOrReason(opts = {}) {
  try {
    return await startPgServer(opts);
  } catch (err) {
    if (err instanceof PgServerUnavailable) return `PostgreSQL test server unavailable: ${err.message}`;
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const srv = await startPgServer({ fsync: process.argv.includes('--fsync') });
    console.log(srv.url);
    const quit = () => {
      srv.stop();
      process.exit(0);
    };
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
    setInterval(() => undefined, 1 << 30);
  } catch (err) {
    console.error(`pg-test-server: ${err.message}`);
    process.exit(err instanceof PgServerUnavailable ? 3 : 1);
  }
}

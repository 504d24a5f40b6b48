/**
 * One simple command → `Command`: wrapper stripping, name resolution, stdin/stdout, working directory, the
 * command's effect on the shell state (cd, pushd, read) and its nested executions.
 */
import path from 'node:path';
import type { Command, Redirect, Word } from '../ir/types.js';
import type { CNode } from './cst.js';
import { findNested } from './nest.js';
import { basename } from './opts.js';
import { stdinOf, stdoutToFile } from './redirects.js';
import { unwrap } from './wrappers.js';
import { cloneEnv, LIMITS, type Analyzer, type Ctx, type Env } from './walk.js';

export interface RawCommand {
  argv: Word[];
  assignments: { name: string; value: Word }[];
  redirects: Redirect[];
  text: string;
  subs: CNode[];
}

const WHICH = /^"?(?:\$\(|`)\s*(?:which|command\s+-[vV]|type\s+-[pP]|whence\s+-p|where)\s+([\w.+@-]+)\s*(?:\)|`)"?$/;

/** `$(echo rm)`: a substitution that only prints one literal name. */
const ECHO = /^"?(?:\$\(\s*echo\s+([\w.+@/-]+)\s*\)|`\s*echo\s+([\w.+@/-]+)\s*`)"?$/;

/**
 * `$(which rm)` or `$(echo rm)` as a command name → `rm`: the lookup only locates a program, it does not change
 * which one; the echo prints the name as written.
 */
function resolveLookup(argv: Word[]): Word[] {
  const w = argv[0];
  if (!w || w.value !== undefined) return argv;
  const e = ECHO.exec(w.raw.trim());
  if (e) {
    const v = e[1] ?? e[2]!;
    return [{ raw: w.raw, value: v, dynamic: false, text: v, origin: w.raw }, ...argv.slice(1)];
  }
  const m = WHICH.exec(w.raw.trim());
  if (!m) return argv;
  return [{ raw: w.raw, value: m[1]!, dynamic: false, text: m[1]!, origin: w.raw }, ...argv.slice(1)];
}

const GLOB = /[*?]|\[.*\]/;

/**
 * True when pathname expansion applies to the word (`/bin/r?`, `$X` holding `/bin/r*`): which program runs then
 * depends on the files present. Conservative: any unquoted `$` or glob character in the source counts.
 */
function globbed(w: Word): boolean {
  if (w.value === undefined || !GLOB.test(w.value)) return false;
  let q = '';
  for (let i = 0; i < w.raw.length; i++) {
    const c = w.raw[i]!;
    if (q === "'") {
      if (c === "'") q = '';
    } else if (c === '\\') i++;
    else if (q === '"') {
      if (c === '"') q = '';
    } else if (c === "'" || c === '"') q = c;
    else if (c === '$' || c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function resolveDir(base: string | undefined, dir: string): string | undefined {
  if (path.posix.isAbsolute(dir)) return path.posix.normalize(dir);
  return base === undefined ? undefined : path.posix.resolve(base, dir);
}

export function emitCommand(an: Analyzer, raw: RawCommand, env: Env, ctx: Ctx): Command {
  let argv = resolveLookup(raw.argv);
  const u = unwrap(argv);
  argv = resolveLookup(u.argv);
  const v0 = argv[0]?.value;
  let cwd = env.cwd;
  if (u.chdir !== undefined) cwd = u.chdir === null || u.chdir.value === undefined ? undefined : resolveDir(env.cwd, u.chdir.value);
  const cmd: Command = {
    argv,
    assignments: [...raw.assignments, ...u.assignments],
    redirects: raw.redirects,
    wrappers: [...ctx.wrappers, ...u.wrappers],
    via: ctx.via,
    stdin: stdinOf(raw.redirects) ?? ctx.stdin,
    stdout: stdoutToFile(raw.redirects) ? 'file' : ctx.stdout,
    text: raw.text,
    depth: ctx.depth,
  };
  if (v0 !== undefined && !globbed(argv[0]!)) cmd.name = basename(v0);
  else an.note(`command name is only known at run time: ${argv[0]?.text ?? ''}`);
  if (cwd !== undefined) cmd.cwd = cwd;
  an.out.push(cmd);

  an.subs(raw.subs, env, ctx, cmd);
  for (const n of findNested(argv, cmd.stdin)) {
    if (ctx.depth + 1 > LIMITS.maxDepth) an.limit(`nesting deeper than ${LIMITS.maxDepth} levels (${n.via})`);
    const nctx: Ctx = {
      via: [...ctx.via, n.via],
      depth: ctx.depth + 1,
      wrappers: cmd.wrappers,
      stdin: cmd.stdin,
      stdout: cmd.stdout,
      redirects: [],
    };
    if (n.kind === 'code') {
      if (n.dynamic) {
        an.note(`code run by ${n.what} is only known at run time${n.code ? `: ${truncate(n.code)}` : ''}`);
        if (n.sameShell) unknownIfs(env);
      }
      if (!n.code) continue;
      let nenv: Env;
      if (n.sameShell) nenv = env;
      else {
        // A new shell sees exported variables only, and sets IFS afresh whatever it inherits.
        nenv = { vars: new Map([...env.vars].filter(([k, v]) => v.exported && k !== 'IFS')), dirs: [], ...(cwd !== undefined ? { cwd } : {}) };
      }
      an.analyse(n.code, nenv, nctx, n.what);
    } else {
      const nenv = cloneEnv(env);
      if (n.chdirUnknown) delete nenv.cwd;
      else if (cwd !== undefined) nenv.cwd = cwd;
      else delete nenv.cwd;
      an.countWords(n.argv.length);
      emitCommand(an, { argv: n.argv, assignments: [], redirects: [], text: n.argv.map((w) => w.raw).join(' '), subs: [] }, nenv, nctx);
    }
  }
  effects(an, cmd, env);
  return cmd;
}

function truncate(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** The command's effect on the state later commands in the same shell see. */
function effects(an: Analyzer, cmd: Command, env: Env): void {
  const name = cmd.name;
  if (cmd.wrappers.some((w) => w !== 'builtin' && w !== 'command')) return;
  const args = cmd.argv.slice(1);
  switch (name) {
    case 'cd':
    case 'pushd': {
      let i = 0;
      while (i < args.length && /^-[LPe@]+$/.test(args[i]!.value ?? '')) i++;
      if (args[i]?.value === '--') i++;
      const target = args[i];
      const prev = env.cwd;
      if (!target) {
        if (name === 'cd') env.cwd = an.home;
        else {
          // pushd alone swaps the top two directories.
          const top = env.dirs.pop();
          env.dirs.push(prev);
          setCwd(env, top);
        }
        return;
      }
      if (target.value === undefined || target.value === '-' || /^[+-]\d+$/.test(target.value)) setCwd(env, undefined);
      else setCwd(env, resolveDir(prev, target.value));
      if (name === 'pushd') env.dirs.push(prev);
      return;
    }
    case 'popd':
      setCwd(env, env.dirs.length ? env.dirs.pop() : undefined);
      return;
    case 'read':
    case 'mapfile':
    case 'readarray':
    case 'getopts':
    case 'printf':
      for (const w of args) {
        const v = w.value;
        if (v && /^[A-Za-z_]\w*$/.test(v)) {
          const prev = env.vars.get(v);
          if (name === 'printf' && !cmd.argv.some((x) => x.value === '-v')) continue;
          env.vars.set(v, { exported: prev?.exported ?? false });
        }
      }
      return;
    case 'source':
    case '.':
      // A sourced file may set anything; variables known so far stay as the best guess, except IFS, which would
      // silently change how every later expansion splits.
      unknownIfs(env);
      return;
  }
}

function unknownIfs(env: Env): void {
  env.vars.set('IFS', { exported: env.vars.get('IFS')?.exported ?? false });
}

function setCwd(env: Env, dir: string | undefined): void {
  if (dir === undefined) delete env.cwd;
  else env.cwd = dir;
}

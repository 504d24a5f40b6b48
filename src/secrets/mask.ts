/**
 * Output masking for Bash calls. The hook rewrites the command the Bash tool runs into
 *
 *   '<node>' '<cordon>/dist/src/secrets/mask-main.js' --b64 <base64 of the command, in ≤ 64 KiB pieces>
 *
 * (the same as `cordon mask --b64 …`, through a direct entry that skips loading the whole CLI: about 35 ms less per call)
 * which runs the command with `bash -c` and passes its stdout and stderr on separately, each with every stored
 * secret value replaced by `[secret:NAME]`. Base64 keeps the original out of any quoting question (it is one plain
 * word per piece), and the pieces keep each argument under Linux's 128 KiB per-argument limit.
 *
 * The wrapper must run outside any sandbox (inside it the secret store is unreadable), so it is applied last: the
 * command it receives is the already-sandboxed one, `maskWrap(sandboxWrap(original))`.
 */
import { fileURLToPath } from 'node:url';
import { stateDir as defaultStateDir } from '../state.js';
import { loadKnownSecrets, type KnownSecrets } from './known.js';
import { runMasked } from './run.js';
import { withShellLevel } from '../sandbox/plan.js';
import { SecretStore } from './store.js';

const PIECE = 64 * 1024;
/**
 * Longest command maskWrap accepts. The Bash tool hands the whole rewritten command to the shell as one argument,
 * which Linux caps at 128 KiB; base64 grows the command by a third.
 */
export const MASK_MAX_COMMAND = 90 * 1024;

export interface MaskContext {
  /** Node binary to run (default: the one running now). */
  node?: string;
  /** Run through this cordon CLI entry (`<entry> mask …`) instead of the direct mask entry. */
  entry?: string;
  /** Shell the command is run with (default: bash from PATH). */
  shell?: string;
  /** State dir to pass explicitly ($CORDON_HOME otherwise applies as inherited). */
  stateDir?: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function cliEntry(): string {
  return fileURLToPath(new URL('../cli/main.js', import.meta.url));
}

export function maskEntry(): string {
  return fileURLToPath(new URL('./mask-main.js', import.meta.url));
}

/** The shell command that runs `command` under `cordon mask`. */
export function maskWrap(command: string, ctx: MaskContext = {}): string {
  if (Buffer.byteLength(command, 'utf8') > MASK_MAX_COMMAND) {
    throw new RangeError(`the command is longer than ${MASK_MAX_COMMAND} bytes, too long to run with its output masked; split it into smaller commands`);
  }
  const b64 = Buffer.from(command, 'utf8').toString('base64');
  const pieces: string[] = [];
  for (let i = 0; i < b64.length; i += PIECE) pieces.push(b64.slice(i, i + PIECE));
  if (pieces.length === 0) pieces.push("''");
  const parts = [quote(ctx.node ?? process.execPath), ...(ctx.entry ? [quote(ctx.entry), 'mask'] : [quote(maskEntry())])];
  if (ctx.shell) parts.push('--shell', quote(ctx.shell));
  if (ctx.stateDir) parts.push('--state-dir', quote(ctx.stateDir));
  parts.push('--b64', ...pieces);
  return parts.join(' ');
}

/** True when output masking has something to mask: the store holds at least one secret (or cannot be read). */
export function maskNeeded(env: NodeJS.ProcessEnv = process.env, stateDir?: string): boolean {
  return new SecretStore(stateDir ?? defaultStateDir(env)).has();
}

export interface MaskRequest {
  /** Base64 pieces of a shell command (joined), or … */
  b64?: string[];
  /** … a program and its arguments, run directly. */
  argv?: string[];
  shell?: string;
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function decodeCommand(pieces: string[]): string {
  const joined = pieces.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined)) throw new Error('the --b64 argument is not base64');
  return Buffer.from(joined, 'base64').toString('utf8');
}

export async function runMask(req: MaskRequest): Promise<number> {
  let env = req.env ?? process.env;
  let file: string;
  let args: string[];
  if (req.b64 && req.b64.length > 0) {
    let command: string;
    try {
      command = decodeCommand(req.b64);
    } catch (err) {
      process.stderr.write(`cordon mask: ${(err as Error).message}; the hook's rewrite is damaged\n`);
      return 2;
    }
    file = req.shell ?? 'bash';
    args = ['-c', command];
    // This shell runs outside the sandbox: no ~/.bashrc for it (see withShellLevel).
    env = withShellLevel(env);
  } else if (req.argv && req.argv.length > 0) {
    file = req.argv[0]!;
    args = req.argv.slice(1);
  } else {
    process.stderr.write('cordon mask: nothing to run; use `cordon mask -- CMD ARGS…` or `--b64 PIECES…`\n');
    return 2;
  }
  let known: KnownSecrets;
  try {
    known = loadKnownSecrets({ ...(req.stateDir ? { stateDir: req.stateDir } : {}), env });
  } catch (err) {
    // Running unmasked could print a secret; refusing is the safe failure.
    process.stderr.write(`cordon mask: the command was not run because the secret store cannot be read (${(err as Error).message.split('\n')[0]}); run \`cordon secrets list\` to see the problem\n`);
    return 126;
  }
  return runMasked(file, args, { env, known });
}

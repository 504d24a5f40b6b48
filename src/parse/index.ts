/**
 * Shell parsing: bash source → ShellIR (see src/ir/types.ts).
 *
 * Contract used by the engine (src/engine) and the rule packs (src/rules):
 *   await initShellParser()            loads the grammar once per process (idempotent, cheap when already loaded)
 *   parseShell(src, options): ShellIR  synchronous after init; never throws for bad input (status 'invalid' or
 *                                      'limited' instead); honours options.deadline cooperatively.
 *   commandLine(cmd): string           argv rendered for messages.
 *
 * Choices worth knowing when writing rules:
 *   - Brace expansion is performed (`rm {a,b}` → argv rm a b); globs stay as written in `value` (`*` is static).
 *   - Unknown arguments make only the word dynamic; status becomes 'partial' when a command name or code that runs
 *     (eval, bash -c, …) is only known at run time.
 *   - The target of `xargs` is a nested command whose last `via` entry is `xargs`: its arguments are extended
 *     from stdin at run time.
 *   - A statement of redirects only (`> f`, `x=1 > f`, `{ x=1; } > f`) is a command named `:` whose argv[0] has
 *     origin 'redirect only', so every rule that reads redirects sees them.
 *   - A redirect after a list or pipeline (`a | b > f`) belongs to its last command; words after a redirect
 *     target (`rm -rf 2>/dev/null /`) are arguments.
 *   - Unquoted expansions split on the IFS assigned in the input; an IFS only known at run time makes them dynamic.
 *   - `for x in WORDS` over at most 16 static words is analysed once per value (within a global budget).
 *   - A command name subject to pathname expansion (`/bin/r?`) is only known at run time.
 */
import type { Command, ShellIR } from '../ir/types.js';
import { grammarLoaded, loadGrammar } from './cst.js';
import { Analyzer, LIMITS, Limited } from './walk.js';

export { LIMITS } from './walk.js';

export interface ParseOptions {
  /** Absolute working directory the command starts in. */
  cwd: string;
  /** The user's home directory (for `~` and `$HOME`). */
  home: string;
  /** performance.now() value after which the parser stops with status 'limited'. */
  deadline?: number;
}

export async function initShellParser(): Promise<void> {
  await loadGrammar();
}

export function parseShell(src: string, options: ParseOptions): ShellIR {
  if (typeof src !== 'string') return { status: 'invalid', commands: [], problems: ['input is not a string'] };
  if (src.length > LIMITS.maxInputBytes || Buffer.byteLength(src, 'utf8') > LIMITS.maxInputBytes) {
    return { status: 'limited', commands: [], problems: [`input larger than ${LIMITS.maxInputBytes / 1024} KiB`] };
  }
  if (!grammarLoaded()) {
    return { status: 'limited', commands: [], problems: ['shell parser not initialised (call initShellParser first)'] };
  }
  const an = new Analyzer(options.home, options.deadline);
  try {
    an.analyse(src, { vars: new Map(), cwd: options.cwd, dirs: [] }, { via: [], depth: 0, wrappers: [], stdin: { kind: 'inherit' }, stdout: 'inherit', redirects: [] }, 'input');
  } catch (e) {
    if (!(e instanceof Limited)) {
      an.limited = true;
      // Deep recursion or an unexpected shape: fail safe rather than throw.
      an.problem(e instanceof RangeError ? 'input nested too deeply' : `analysis failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { status: an.status(), commands: an.out, problems: an.problems };
}

/** Quotes a word for display only when it would be ambiguous. */
function show(w: Command['argv'][number]): string {
  const v = w.value ?? w.text;
  if (w.value === undefined) return v;
  if (v === '') return "''";
  return /^[\w@%+=:,./~{}*?[\]-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Renders a command's argv as a one-line shell-like string for messages. */
export function commandLine(cmd: Command): string {
  const s = cmd.argv.map(show).join(' ');
  return s.length > 300 ? s.slice(0, 297) + '...' : s;
}

/**
 * Shell parsing: bash source → ShellIR (see src/ir/types.ts).
 *
 * Contract used by the engine (src/engine) and the rule packs (src/rules):
 *   await initShellParser()            loads the grammar once per process (idempotent, cheap when already loaded)
 *   parseShell(src, options): ShellIR  synchronous after init; never throws for bad input (status 'invalid' or
 *                                      'limited' instead); honours options.deadline cooperatively.
 */
import type { ShellIR } from '../ir/types.js';

export interface ParseOptions {
  /** Absolute working directory the command starts in. */
  cwd: string;
  /** The user's home directory (for `~` and `$HOME`). */
  home: string;
  /** performance.now() value after which the parser stops with status 'limited'. */
  deadline?: number;
}

export async function initShellParser(): Promise<void> {
  throw new Error('not implemented yet');
}

export function parseShell(_src: string, _options: ParseOptions): ShellIR {
  throw new Error('not implemented yet');
}

/** Test helpers: parse with fixed options and read argv values compactly. */
import { initShellParser, parseShell } from '../../src/parse/index.js';
import type { Command, ShellIR } from '../../src/ir/types.js';

export const HOME = '/home/u';
export const CWD = '/work/proj';

await initShellParser();

export function parse(src: string): ShellIR {
  return parseShell(src, { cwd: CWD, home: HOME });
}

/** argv values; dynamic words as `?text`. */
export function av(c: Command | undefined): string[] {
  if (!c) return [];
  return c.argv.map((w) => w.value ?? `?${w.text}`);
}

export function byName(ir: ShellIR, name: string, nth = 0): Command | undefined {
  return ir.commands.filter((c) => c.name === name)[nth];
}

export function names(ir: ShellIR): (string | undefined)[] {
  return ir.commands.map((c) => c.name);
}

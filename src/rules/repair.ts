/**
 * Normalisation of commands before the rules see them, for shapes where the static IR under-reports what runs.
 *
 * The parser now handles what used to be repaired here (words after a redirect are arguments, xargs options that
 * take a value, `$(echo NAME)` command names, IFS splitting), so nothing needs repairing; the hook stays so that a
 * future gap can be bridged in one place without touching the packs.
 */
import type { Command } from '../ir/types.js';

export function repair(cmd: Command): Command {
  return cmd;
}

/** Cheap test so the common case allocates nothing. */
export function needsRepair(_cmd: Command): boolean {
  return false;
}

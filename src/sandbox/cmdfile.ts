/**
 * A command too large for the environment (one variable holds at most 128 KiB on Linux) reaches the inner script
 * as a file instead. Shared by the helper (entry.sh's calls) and exec.js (cordon's own callers); node built-ins
 * only, since exec.js loads it.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Commands larger than this travel in a file next to the session temp dir instead of the environment. */
export const MAX_ENV_CMD = 96 * 1024;

/**
 * Writes `command` next to the session temp dir (readable inside the sandbox, not writable), created exclusively
 * under a random name, so that no confined command can plant a symlink that would redirect the write. Returns the
 * file and the value of CORDON_SBX_CMD that sources it.
 */
export function writeCommandFile(tmpDir: string, command: string): { file: string; value: string } {
  const file = join(dirname(tmpDir), `${basename(tmpDir)}-cmd-${randomBytes(12).toString('hex')}.sh`);
  writeFileSync(file, command, { mode: 0o600, flag: 'wx' });
  return { file, value: `. '${file.replace(/'/g, `'\\''`)}'` };
}

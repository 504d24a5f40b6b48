/**
 * Creating a private key file exactly once, even when several processes race on first use: the content goes to a
 * private temp file (mode 0600, exclusive create) which is then hard-linked into place. link() fails when the name
 * exists, so every racer ends up reading the one key that won, and nobody ever reads a half-written file.
 * The audit key, the shared sink key, the secrets key and the approval key are all made this way.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/** The key file's bytes, or undefined when it does not exist; any other read error is thrown. */
export function readKeyFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `content` to `path` unless the file exists already; true when this call created it. */
export function createKeyFileOnce(path: string, content: Buffer | string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

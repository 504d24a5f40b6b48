/**
 * Creating a private key file exactly once, even when several processes race on first use: the content goes to a
 * private temp file (mode 0600, exclusive create) which is then hard-linked into place. link() fails when the name
 * exists, so every racer ends up reading the one key that won, and nobody ever reads a half-written file.
 * The audit key, the shared sink key, the secrets key and the approval key are all made this way.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';

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

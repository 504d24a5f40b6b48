/**
 * Encryption at rest for the secret store: AES-256-GCM with a random 96-bit nonce per value, the secret's name bound
 * in as additional data (so an entry copied under another name fails to decrypt rather than silently swapping values).
 *
 * The key lives in `<stateDir>/keys/secrets.key`, apart from the data in `<stateDir>/secrets/`, so that a copy of the
 * store alone (a backup, a file shown to the model by mistake) is not enough to read it. It is created exclusively on
 * first use: written to a private temporary file and hard-linked into place, so two processes racing to create it
 * both end up with the one key that won, never a half-written one.
 */
import { createKeyFileOnce } from '../keyfile.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;

export class SecretStoreError extends Error {}

export function keyPath(stateDir: string): string {
  return join(stateDir, 'keys', 'secrets.key');
}

export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch {
    // Not ours to change; the files inside carry mode 0600.
  }
}

/** Reads the key, creating it when `create` is set and it does not exist yet. */
export function loadKey(stateDir: string, create: boolean): Buffer | undefined {
  const path = keyPath(stateDir);
  if (!existsSync(path)) {
    if (!create) return undefined;
    privateDir(join(stateDir, 'keys'));
    createKeyFileOnce(path, randomBytes(KEY_BYTES));
  }
  const st = statSync(path);
  if ((st.mode & 0o077) !== 0) {
    throw new SecretStoreError(`the secret key ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``);
  }
  const key = readFileSync(path);
  if (key.length !== KEY_BYTES) throw new SecretStoreError(`the secret key ${path} is damaged (${key.length} bytes, expected ${KEY_BYTES})`);
  return key;
}

export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

const aad = (name: string): Buffer => Buffer.from(`cordon-secret:v1:${name}`, 'utf8');

export function seal(key: Buffer, name: string, value: string): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(name));
  const data = Buffer.concat([c.update(value, 'utf8'), c.final()]);
  return { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function unseal(key: Buffer, name: string, s: Sealed): string {
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
    d.setAAD(aad(name));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new SecretStoreError(`the stored value of ${name} does not decrypt with the key in ${'keys/secrets.key'}; the key or the store was changed. Remove it with \`cordon secrets rm ${name}\` and add it again`);
  }
}

/**
 * The tamper-evidence primitives of the audit trail.
 *
 *   hash  = SHA-256 over a canonical encoding of a record's stored columns and the previous record's hash
 *   mac   = HMAC-SHA-256(audit.key, hash): without the key nobody can mint a record that verifies
 *   head  = audit.head, the id/hash/mac of the newest record, kept outside the database so cutting records off the
 *           end of the chain is visible
 *   anchor (meta table) = the id/hash of the last pruned record, MAC'd, so the chain may start after id 1
 */
import { createKeyFileOnce, readKeyFile } from '../keyfile.js';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const GENESIS_HASH = '0'.repeat(64);
export const KEY_FILE = 'audit.key';
export const HEAD_FILE = 'audit.head';
export const DB_FILE = 'audit.db';

/** A record exactly as stored: the columns the hash covers plus the chain fields. */
export interface StoredRow {
  id: number;
  ts: number;
  session_id: string;
  tool_use_id: string | null;
  event: string;
  tool: string | null;
  input: string | null;
  decision: string | null;
  rule_id: string | null;
  reason: string | null;
  duration_ms: number | null;
  cwd: string | null;
  policy_hash: string | null;
  version: string | null;
  result: string | null;
  extra: string | null;
  prev_hash: string;
  hash: string;
  mac: string;
}

/** Position in the chain: a record id and its hash, authenticated with the key. */
export interface Anchor {
  id: number;
  hash: string;
  mac: string;
}

/**
 * Canonical encoding: a JSON array of the columns in a fixed order, prefixed with a format tag. Every value is a
 * string, a finite number or null, and JSON.stringify renders those deterministically.
 */
export function recordHash(r: Omit<StoredRow, 'hash' | 'mac'>): string {
  const fields = [
    'cordon-audit-v1',
    r.id,
    r.ts,
    r.session_id,
    r.tool_use_id,
    r.event,
    r.tool,
    r.input,
    r.decision,
    r.rule_id,
    r.reason,
    r.duration_ms,
    r.cwd,
    r.policy_hash,
    r.version,
    r.result,
    r.extra,
    r.prev_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

export function mac(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

export function macEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const anchorMessage = (kind: 'head' | 'anchor', id: number, hash: string): string => `${kind}:${id}:${hash}`;

export function makeAnchor(key: Buffer, kind: 'head' | 'anchor', id: number, hash: string): Anchor {
  return { id, hash, mac: mac(key, anchorMessage(kind, id, hash)) };
}

export function anchorValid(key: Buffer, kind: 'head' | 'anchor', a: Anchor): boolean {
  return macEqual(mac(key, anchorMessage(kind, a.id, a.hash)), a.mac);
}

export function parseAnchor(text: string): Anchor | undefined {
  try {
    const v = JSON.parse(text) as Partial<Anchor>;
    if (typeof v.id === 'number' && typeof v.hash === 'string' && typeof v.mac === 'string') {
      return { id: v.id, hash: v.hash, mac: v.mac };
    }
  } catch {
    // fall through: an unreadable anchor is reported by the caller
  }
  return undefined;
}

/**
 * Returns the 32-byte audit key, creating it on first use. The key is written to a private temp file and then
 * hard-linked into place: link() fails when the name exists, so processes racing on first use all end up reading
 * the one key that won, and nobody ever reads a half-written file.
 */
export function loadOrCreateKey(stateDir: string): Buffer {
  const path = join(stateDir, KEY_FILE);
  const existing = readKey(stateDir);
  if (existing) return existing;
  createKeyFileOnce(path, randomBytes(32));
  const key = readKey(stateDir);
  if (!key) throw new Error(`${path}: audit key could not be created`);
  return key;
}

/** The key when present; throws when the file exists but is not a 32-byte key. */
export function readKey(stateDir: string): Buffer | undefined {
  const path = join(stateDir, KEY_FILE);
  const buf = readKeyFile(path);
  if (!buf) return undefined;
  if (buf.length !== 32) throw new Error(`${path}: audit key is ${buf.length} bytes, expected 32`);
  return buf;
}

export function readHead(stateDir: string): { anchor?: Anchor; raw?: string } {
  try {
    const raw = readFileSync(join(stateDir, HEAD_FILE), 'utf8');
    return { anchor: parseAnchor(raw), raw };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/** Fixed size of audit.head, so an in-place overwrite never leaves bytes of an older, longer anchor behind. */
const HEAD_SIZE = 256;

/**
 * Overwrites audit.head in place with a fixed-size record. Appends run inside the database's write lock, and
 * verify reads the head under the same lock, so no reader sees a half-written anchor except after a crash, which
 * verify reports. In place rather than temp-file + rename: on ext4 a rename over an existing file forces a data
 * flush, which cost more than the rest of an append together.
 */
export function writeHead(stateDir: string, anchor: Anchor): void {
  const path = join(stateDir, HEAD_FILE);
  const buf = Buffer.alloc(HEAD_SIZE, 0x20);
  buf.write(JSON.stringify(anchor), 0, 'utf8');
  buf[HEAD_SIZE - 1] = 0x0a;
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fd = openSync(path, 'wx', 0o600);
  }
  try {
    writeSync(fd, buf, 0, HEAD_SIZE, 0);
    ftruncateSync(fd, HEAD_SIZE);
  } finally {
    closeSync(fd);
  }
}

export function restrict(path: string): void {
  try {
    chmodSync(path, 0o600);
  } catch {
    // Missing (never created) or not ours: nothing to tighten.
  }
}

/**
 * Approval codes: a short code derived from an HMAC over the exact call (working directory, tool, tool input),
 * keyed with a secret kept in the state dir (mode 0600, created at first use). The same call always gets the
 * same code, any changed byte gets another, and without the key nobody can compute a code for a call that was
 * never denied.
 *
 * The session id is deliberately not part of the code: the usual headless flow is "run refused, a human
 * approves, the job runs again", and the second run is a new session.
 */
import { createKeyFileOnce, readKeyFile } from '../keyfile.js';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE = 'approval.key';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const CODE_LENGTH = 10;

export interface CallIdentity {
  cwd: string;
  tool: string;
  input: unknown;
}

/**
 * The tool input as bytes: JSON with object keys sorted, so the same input re-serialised in another key order
 * is the same call, while any changed value (one byte of a command) is not.
 */
export function canonicalInput(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalInput).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalInput(o[k])}`)
    .join(',')}}`;
}

export function inputDigest(input: unknown): string {
  return createHash('sha256').update(canonicalInput(input)).digest('hex');
}

/** Reads the approval key, creating it (32 random bytes, mode 0600) at first use; safe against a racing creator. */
export function approvalKey(stateDir: string): Buffer {
  const file = join(stateDir, KEY_FILE);
  const k = readKeyFile(file);
  if (k && k.length >= 32) return k;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  createKeyFileOnce(file, randomBytes(32));
  return readFileSync(file);
}

function base32(buf: Buffer, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= chars) break;
  }
  return out;
}

export function approvalCodeWithKey(key: Buffer, call: CallIdentity): string {
  const mac = createHmac('sha256', key)
    .update('cordon-approval-v1\0')
    .update(call.cwd)
    .update('\0')
    .update(call.tool)
    .update('\0')
    .update(canonicalInput(call.input))
    .digest();
  return base32(mac, CODE_LENGTH);
}

export interface ApprovalCodeInput extends CallIdentity {
  stateDir: string;
  sessionId?: string;
}

export function approvalCode(call: ApprovalCodeInput): string {
  return approvalCodeWithKey(approvalKey(call.stateDir), call);
}

/** A code as a human may type it: case and separators ignored. Undefined when it cannot be a code. */
export function normaliseCode(s: string): string | undefined {
  const c = s.toUpperCase().replace(/[\s\-.,;:'"`]/g, '');
  return c.length === CODE_LENGTH && [...c].every((ch) => ALPHABET.includes(ch)) ? c : undefined;
}

/** Shared fixtures for the secrets tests: temp state dirs, the built CLI run as a real process, planted secrets. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'cordon-secrets-'));
}

/** A GitHub-token-shaped value unique to this run. */
export function uniqueToken(prefix = 'ghp_'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  return prefix + [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

export function cli(home: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Ran> {
  const env = { ...process.env, CORDON_HOME: home, ...(opts.env ?? {}) };
  return run(process.execPath, [CLI, ...args], { env, ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
}

/** Every encoding of `value` that must never appear in masked output. */
export function encodings(value: string): Record<string, string> {
  const b = Buffer.from(value, 'utf8');
  return {
    plain: value,
    base64: b.toString('base64'),
    base64NoPad: b.toString('base64').replace(/=+$/, ''),
    base64url: b.toString('base64url'),
    url: encodeURIComponent(value),
    hex: b.toString('hex'),
    HEX: b.toString('hex').toUpperCase(),
  };
}

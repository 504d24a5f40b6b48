/**
 * Runs a child with stdin inherited and its stdout and stderr passed on separately, each through its own masker, so
 * a known secret value never reaches our own output. Exit status is passed through (128 + signal number when the
 * child was killed, as a shell reports it), and the signals that end a tool call are forwarded to the child.
 *
 * Streams are decoded byte for byte (latin1) when every secret is ASCII, so binary output passes unchanged; with a
 * non-ASCII secret they are decoded as UTF-8, the only way its verbatim form can be recognised.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import type { KnownSecrets } from './known.js';
import { StreamMasker } from './matcher.js';

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  known: KnownSecrets;
  cwd?: string;
  argv0?: string;
  stdout?: Writable;
  stderr?: Writable;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

export function runMasked(file: string, args: string[], opts: RunOptions): Promise<number> {
  const out = opts.stdout ?? process.stdout;
  const err = opts.stderr ?? process.stderr;
  // A pipe closed by the reader must not kill us before the child's exit status is known.
  out.on('error', () => undefined);
  err.on('error', () => undefined);
  return new Promise((resolve) => {
    const masking = opts.known.matcher.size > 0;
    const child = spawn(file, args, {
      env: opts.env,
      cwd: opts.cwd,
      ...(opts.argv0 ? { argv0: opts.argv0 } : {}),
      stdio: ['inherit', masking ? 'pipe' : 'inherit', masking ? 'pipe' : 'inherit'],
    });
    const handlers = FORWARDED.map((sig) => {
      const h = (): void => {
        child.kill(sig);
      };
      process.on(sig, h);
      return [sig, h] as const;
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    const pumps: Promise<void>[] = [];
    if (masking) {
      pumps.push(pump(child.stdout!, out, opts.known), pump(child.stderr!, err, opts.known));
    }
    child.on('close', (code, signal) => {
      void Promise.all(pumps).then(() => {
        for (const [sig, h] of handlers) process.off(sig, h);
        if (spawnError) {
          const why = spawnError.code === 'ENOENT' ? 'command not found' : spawnError.code === 'EACCES' ? 'permission denied' : spawnError.message;
          err.write(`cordon: cannot run ${file}: ${why}\n`);
          resolve(spawnError.code === 'ENOENT' ? 127 : 126);
          return;
        }
        if (signal) resolve(128 + (constants.signals[signal] ?? 0));
        else resolve(code ?? 1);
      });
    });
  });
}

function pump(src: Readable, dst: Writable, known: KnownSecrets): Promise<void> {
  const enc = known.nonAscii ? 'utf8' : 'latin1';
  const decoder = new StringDecoder(enc);
  const masker = new StreamMasker(known.matcher);
  const write = (s: string): void => {
    if (s === '' || dst.destroyed) return;
    if (!dst.write(Buffer.from(s, enc))) {
      src.pause();
      dst.once('drain', () => src.resume());
    }
  };
  // A reader that went away must not leave the child blocked on a full pipe.
  dst.on('error', () => src.resume());
  return new Promise((resolve) => {
    src.on('data', (chunk: Buffer) => write(masker.push(decoder.write(chunk))));
    src.on('end', () => {
      write(masker.push(decoder.end()));
      write(masker.end());
      resolve();
    });
    src.on('error', () => resolve());
  });
}

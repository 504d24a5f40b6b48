/**
 * Local servers for end-to-end runs: a recording HTTP listener (to prove nothing was sent to it) and an HTTPS
 * listener with a self-signed certificate made at run time, for tools that insist on https (Claude Code's WebFetch
 * upgrades http:// and checks certificates; the run trusts this one through NODE_EXTRA_CA_CERTS). No key material is
 * kept in the repository: `openssl` makes a fresh pair per run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One request a listener received, with its raw body bytes. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Listener {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Every byte received (request line, headers, body), for "did X reach it in any form" checks. */
  rawBytes(): Buffer;
  close(): Promise<void>;
}

export type Handler = (req: ReceivedRequest) => { status?: number; type?: string; body: string };

const DEFAULT_HANDLER: Handler = () => ({ body: 'received\n' });

/** Path of `openssl`, or undefined when it is not installed. */
export function findOpenssl(): string | undefined {
  for (const p of ['/usr/bin/openssl', '/usr/local/bin/openssl', '/bin/openssl']) if (existsSync(p)) return p;
  return undefined;
}

export interface SelfSignedCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** A fresh self-signed certificate for 127.0.0.1 and localhost, written to `dir` (cert.pem, key.pem). */
export function makeSelfSignedCert(dir: string): SelfSignedCert {
  const openssl = findOpenssl();
  if (!openssl) throw new Error('openssl not found: the HTTPS listener needs it to make a throwaway certificate (apt-get install openssl)');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    openssl,
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
      '-keyout', keyFile, '-out', certFile,
      '-subj', '/CN=127.0.0.1',
      // Node checks the subjectAltName, not the CN; an IP SAN is what makes https://127.0.0.1 verify.
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function recorder(handler: Handler, received: ReceivedRequest[], raw: Buffer[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const head = `${req.method ?? ''} ${req.url ?? ''}\n` + req.rawHeaders.join('\n') + '\n\n';
      raw.push(Buffer.from(head, 'utf8'), body);
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(r);
      const out = handler(r);
      res.writeHead(out.status ?? 200, { 'content-type': out.type ?? 'text/plain; charset=utf-8' });
      res.end(out.body);
    });
  };
}

async function listen(server: ReturnType<typeof createHttpServer>, scheme: string, received: ReceivedRequest[], raw: Buffer[]): Promise<Listener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    received,
    rawBytes: () => Buffer.concat(raw),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP listener on 127.0.0.1 that records every request it gets. */
export function startRecordingListener(handler: Handler = DEFAULT_HANDLER): Promise<Listener> {
  const received: ReceivedRequest[] = [];
  const raw: Buffer[] = [];
  return listen(createHttpServer(recorder(handler, received, raw)), 'http', received, raw);
}

/** An HTTPS listener on 127.0.0.1 with the given certificate, recording every request. */
export function startHttpsListener(cert: SelfSignedCert, handler: Handler = DEFAULT_HANDLER): Promise<Listener> {
  const received: ReceivedRequest[] = [];
  const raw: Buffer[] = [];
  const server = createHttpsServer({ cert: cert.cert, key: cert.key }, recorder(handler, received, raw));
  return listen(server as unknown as ReturnType<typeof createHttpServer>, 'https', received, raw);
}

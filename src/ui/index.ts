/**
 * `cordon ui`: a browser review of the audit trail, served from this process on 127.0.0.1.
 *
 *   startUiServer({ stateDir, port? }) → UiServer   { url (one-time link), origin, port, cookieName, close() }
 *   openBrowser(url)                                best effort; the printed link is the fallback
 *   isTainted(records) / recordTainted(record)     the predicate behind the untrusted-ingestion highlight
 *   sessionsView / recordsView / verifyView         the JSON the page reads (also usable without the server)
 */
import { spawn } from 'node:child_process';

export { startUiServer, CSP, type UiServer, type UiServerOptions } from './server.js';
export { isTainted, recordTainted, TAINT_MARKERS } from './taint.js';
export { sessionsView, recordsView, verifyView, uiRecord, type UiFilter, type UiSession, type UiSessions, type UiRecord, type UiRecords, type UiVerify } from './data.js';

/** Opens the link in the desktop's browser. Resolves false when no opener could be started. */
export function openBrowser(url: string): Promise<boolean> {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

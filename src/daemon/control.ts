/** Status and stop for the daemon, used by `cordon daemon` and by tests. */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ID } from '../build-id.cjs';
import { socketDir, socketPath } from '../hook/wire.cjs';

export interface DaemonStatus {
  running: boolean;
  socket?: string;
  pid?: number;
}

/** True when something accepts connections on the socket. */
export function answers(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(sock);
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

function pidOf(env: NodeJS.ProcessEnv): number | undefined {
  try {
    const n = Number(readFileSync(join(socketDir(env), `hookd-${BUILD_ID}.pid`), 'utf8'));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function daemonStatus(env: NodeJS.ProcessEnv): Promise<DaemonStatus> {
  const sock = socketPath(env);
  if (!sock) return { running: false };
  const running = await answers(sock);
  const pid = pidOf(env);
  return { running, socket: sock, ...(running && pid ? { pid } : {}) };
}

export async function stopDaemon(env: NodeJS.ProcessEnv): Promise<boolean> {
  const s = await daemonStatus(env);
  if (!s.running || !s.pid) return false;
  try {
    process.kill(s.pid, 'SIGTERM');
  } catch {
    return false;
  }
  for (let i = 0; i < 50; i++) {
    if (!(await answers(s.socket!))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

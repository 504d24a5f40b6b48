/**
 * The hook's wire contract (what the hook prints, where it finds the daemon) for the rest of cordon. It is
 * defined in client.cts, so that the hook process, which runs on every tool call, loads a single file; this module
 * is how the ES side imports it.
 */
export { BUILD_ID } from '../build-id.cjs';
export {
  HOOK_EVENTS,
  MAX_STDIN_BYTES,
  isHookEvent,
  message,
  formatVerdict,
  failClosed,
  socketDir,
  socketPath,
  forwardedEnv,
  daemonEnv,
} from './client.cjs';
export type { HookOutput } from './client.cjs';

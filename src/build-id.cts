/**
 * Identifies this build. scripts/postbuild.mjs overwrites the compiled file with a hash of the compiled code, so
 * that a hook client never talks to a daemon started from different code (a stale daemon after an upgrade).
 */
export const BUILD_ID: string = 'dev';

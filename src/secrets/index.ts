/**
 * cordon's secrets layer: the model works with names of secrets, never their values.
 *
 *   SecretStore(stateDir)                    add / list / rm / scope; values sealed with AES-256-GCM, or read from env
 *   runExec({ secrets, argv })               `cordon exec`: a secret handed to a command in its scope, output masked
 *   maskWrap(command, ctx) → string          the Bash rewrite that runs a command under `cordon mask`
 *   maskNeeded(env) → boolean                whether any secret is stored (masking is pointless otherwise)
 *   containsKnownSecret(text) → NAME?        a stored value, in any encoding, inside a tool input
 *   findKnownSecretIn(value) → NAME?         the same over every string of a structured tool input
 *   scanForLeaks(text) → { findings }        stored values and credential formats in tool output
 *   loadKnownSecrets()                       loads the values (cached on the store's mtime) and registers them with
 *                                            the redactor, so audit records show `[secret:NAME]`
 */
export { SecretStore, SecretStoreError, SECRET_NAME, type SecretInfo, type SecretScope, type ResolvedSecret } from './store.js';
export { runExec, planExec, ExecRefusal, type ExecRequest } from './exec.js';
export { maskWrap, maskNeeded, runMask, cliEntry, MASK_MAX_COMMAND, type MaskContext } from './mask.js';
export { containsKnownSecret, findKnownSecretIn, scanForLeaks, loadKnownSecrets, resetKnownSecrets, knownFrom, type LeakFinding, type KnownSecrets } from './known.js';
export { hostInScope, commandInScope } from './scope.js';

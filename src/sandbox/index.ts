/**
 * cordon's OS sandbox: the API the hook, `cordon init`, `cordon doctor` and `cordon run` call.
 *
 * Hooks decide; the sandbox makes a wrong decision survivable. Both read the same policy.
 */
export { sandboxPlan, scrubEnv, planKey, type SandboxContext, type SandboxPlan, type Env } from './plan.js';
export { wrapBashCommand, shellQuote, type WrapContext, type WrapResult } from './wrap.js';
export { preflight, type Preflight } from './preflight.js';
export { wrapArgv, entryPrefix, EXEC_ENTRY, originalCommand } from './wrap.js';
export { claudeSandboxSettings, sandboxDrift, cordonEntryPattern, type ClaudeSandboxBlock } from './claude-settings.js';
export { runProbes, type ProbeResult, type ProbeContext } from './probes.js';
export { runCommand, runAuditRecord, argvToCommand, stopHelper, findWorkspaceDir, type RunOptions, type RunOutcome } from './run.js';
export { contextFromCwd, type CwdContext } from './context.js';
export { measureOverhead, type OverheadReport } from './measure.js';

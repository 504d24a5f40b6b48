/**
 * The sandbox context for a command started from a directory (`cordon run`, `cordon sandbox …`): workspace found
 * like the hook finds it, the effective policy of that workspace, cordon's state dir and home, and the phase in
 * force (CORDON_PHASE, a started phase, or the policy default).
 */
import { loadPolicy, formatProblem } from '../policy/load.js';
import type { Policy } from '../policy/schema.js';
import { homeDir, stateDir as stateDirOf } from '../state.js';
import { activePhase } from '../phase/state.js';
import type { Env, SandboxContext } from './plan.js';
import { findWorkspaceDir } from './run.js';

export type CwdContext =
  | { ok: true; policy: Policy; policyHash: string; ctx: SandboxContext }
  | { ok: false; problems: string[] };

export function contextFromCwd(cwd: string, env: Env, sessionId?: string): CwdContext {
  const workspace = findWorkspaceDir(env, cwd);
  const stateDir = stateDirOf(env as NodeJS.ProcessEnv);
  const loaded = loadPolicy({ workspace, stateDir });
  if (!loaded.ok) return { ok: false, problems: loaded.problems.map(formatProblem) };
  const phase = activePhase({ workspace, stateDir, env, policy: loaded.policy, now: Date.now() })?.name;
  return {
    ok: true,
    policy: loaded.policy,
    policyHash: loaded.hash,
    ctx: {
      workspace,
      home: homeDir(env as NodeJS.ProcessEnv),
      stateDir,
      // One helper serves every `cordon run` of a workspace outside Claude Code; inside, the session's own.
      sessionId: sessionId ?? env.CLAUDE_CODE_SESSION_ID ?? 'cli',
      env,
      ...(phase !== undefined ? { phase } : {}),
    },
  };
}

/**
 * Where `cordon exec` runs its child. cordon exec is the secret broker at the tool boundary: it runs outside the OS
 * sandbox (it reads the store and checks the scope), and its child runs inside the same sandbox as any other Bash
 * command of the session, with the secret variables handed through the environment scrub on purpose. With
 * `sandbox.mode: off` the child runs as it is. A sandbox that cannot start is a refusal, never an unconfined run.
 */
import { formatProblem, loadPolicy } from '../policy/load.js';
import { activePhase } from '../phase/state.js';
import { argvToCommand } from '../sandbox/run.js';
import { wrapArgv } from '../sandbox/wrap.js';
import { findWorkspace, homeDir, stateDir as defaultStateDir } from '../state.js';

export interface ConfineRequest {
  file: string;
  args: string[];
  /** The child's environment, secrets included. */
  env: NodeJS.ProcessEnv;
  /** Variables holding secrets: they pass the sandbox's environment scrub. */
  pass: string[];
  cwd?: string;
  stateDir?: string;
}

/** What to spawn: the child itself, or the sandbox entry that runs it confined. */
export type Confined =
  | { file: string; args: string[]; env: NodeJS.ProcessEnv; sandboxed: boolean }
  | { refusal: string };

export function confineChild(req: ConfineRequest): Confined {
  const env = req.env;
  const cwd = req.cwd ?? process.cwd();
  const stateDir = req.stateDir ?? defaultStateDir(env);
  const workspace = findWorkspace(env, cwd);
  const overlay = env.CORDON_POLICY_OVERLAY;
  const loaded = loadPolicy({ workspace, stateDir, ...(overlay ? { overlay } : {}) });
  if (!loaded.ok) {
    const first = loaded.problems[0];
    const where = first ? formatProblem(first) : 'policy';
    return { refusal: `cordon exec: refused: the policy is invalid (${where.split('\n')[0]}), so the sandbox cannot be set up; fix it (\`cordon doctor\` lists every problem)` };
  }
  const policy = loaded.policy;
  if (policy.sandbox.mode !== 'on') return { file: req.file, args: req.args, env, sandboxed: false };
  const phase = activePhase({ workspace, stateDir, env, policy, now: new Date() });
  // The same plan the hook makes for this session, so the child shares the session's helper and temp dir.
  const w = wrapArgv(
    argvToCommand([req.file, ...req.args]),
    {
      policy,
      workspace,
      home: homeDir(env),
      stateDir,
      sessionId: env.CLAUDE_CODE_SESSION_ID || 'exec',
      env,
      ...(phase ? { phase: phase.name } : {}),
    },
    { pass: req.pass },
  );
  if ('error' in w) {
    return { refusal: `cordon exec: refused: the sandbox cannot start, and cordon does not run commands unconfined: ${w.error}; ${w.fix.replace(/[.\s]+$/, '')}` };
  }
  return { file: w.argv[0]!, args: w.argv.slice(1), env: w.env, sandboxed: true };
}

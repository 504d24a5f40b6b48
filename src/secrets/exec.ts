/**
 * `cordon exec --secret NAME[=ENVVAR] … -- CMD ARGS…`: runs CMD with secrets in its environment, its output masked.
 *
 * The model names the secret; the value is read here, outside the model's reach, and only handed to a command in the
 * secret's command scope. The scope is checked on the executable actually run: CMD is resolved through PATH, a path
 * must be the same file PATH gives for its basename, and an executable inside the working directory (which the model
 * can write) is refused, so a script called `gh` in the workspace does not receive the GitHub token.
 *
 * The child runs inside the session's OS sandbox when the policy has it on (./confine.ts); only the secrets named
 * here pass its environment scrub.
 */
import { accessSync, constants as fsc, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import { stateDir as defaultStateDir } from '../state.js';
import { confineChild } from './confine.js';
import { loadKnownSecrets } from './known.js';
import { runMasked } from './run.js';
import { commandInScope } from './scope.js';
import { ENV_NAME, SecretStore, SecretStoreError } from './store.js';

export class ExecRefusal extends Error {
  constructor(
    message: string,
    readonly exitCode = 126,
  ) {
    super(message);
  }
}

export interface ExecRequest {
  /** `NAME` or `NAME=ENVVAR`. */
  secrets: string[];
  argv: string[];
  env?: NodeJS.ProcessEnv;
  stateDir?: string;
  cwd?: string;
}

export interface ExecPlan {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  names: string[];
  /** The variables the secrets were put in. */
  envVars: string[];
}

function which(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const p = join(dir, cmd);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, fsc.X_OK);
      return p;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

const inside = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** Checks scopes and builds the child's command and environment; throws ExecRefusal with a one-line reason. */
export function planExec(req: ExecRequest): ExecPlan {
  const env = req.env ?? process.env;
  const cwd = req.cwd ?? process.cwd();
  const [cmd, ...args] = req.argv;
  if (!cmd) throw new ExecRefusal('cordon exec: no command given; use `cordon exec --secret NAME -- CMD ARGS…`', 2);
  if (req.secrets.length === 0) throw new ExecRefusal('cordon exec: no --secret given; name the secrets the command needs (`cordon secrets list`)', 2);
  // Inside cordon's sandbox the store is unreadable; say why rather than "no secret named …".
  if (env.CORDON_SANDBOXED === '1') {
    throw new ExecRefusal('cordon exec: refused: it ran inside the sandbox, where the secret store is out of reach; run `cordon exec …` as a Bash command of its own (nothing before or after it: no cd, &&, pipe or redirect)');
  }
  const name = basename(cmd);
  const onPath = which(name, env);
  let file: string;
  if (cmd.includes('/')) {
    const abs = resolve(cwd, cmd);
    if (!onPath || real(abs) !== real(onPath)) {
      throw new ExecRefusal(`cordon exec: refused: ${cmd} is not the ${name} found on PATH, so it cannot receive secrets scoped to ${name}; call it by name`);
    }
    file = abs;
  } else {
    if (!onPath) throw new ExecRefusal(`cordon exec: ${cmd}: command not found`, 127);
    file = onPath;
  }
  const workDirs = [cwd, env.CLAUDE_PROJECT_DIR].filter((d): d is string => typeof d === 'string' && isAbsolute(d)).map(real);
  if (workDirs.some((d) => inside(real(file), d))) {
    throw new ExecRefusal(`cordon exec: refused: ${file} lies inside the working directory, where it can be rewritten, so it cannot receive secrets; use an installed command`);
  }

  const store = new SecretStore(req.stateDir ?? defaultStateDir(env));
  const childEnv: NodeJS.ProcessEnv = { ...env };
  const names: string[] = [];
  const envVars: string[] = [];
  for (const spec of req.secrets) {
    const eq = spec.indexOf('=');
    const sName = eq < 0 ? spec : spec.slice(0, eq);
    const envVar = eq < 0 ? spec : spec.slice(eq + 1);
    if (!ENV_NAME.test(envVar)) throw new ExecRefusal(`cordon exec: invalid environment variable name in --secret ${spec.slice(0, 80)}`, 2);
    let info;
    try {
      info = store.get(sName);
    } catch (err) {
      throw new ExecRefusal(`cordon exec: ${(err as Error).message}`);
    }
    if (!info) throw new ExecRefusal(`cordon exec: no secret named ${sName.slice(0, 64)}; see \`cordon secrets list\` for the names available`);
    const allowed = info.scope.commands;
    if (!commandInScope(info.scope, name)) {
      const what = allowed.length ? `may be used only with ${allowed.join(', ')}` : 'has no command scope';
      throw new ExecRefusal(`cordon exec: refused: secret ${sName} ${what}, not ${name}; ask the human to widen it with \`cordon secrets scope ${sName} --scope-cmd ${name}\` if that is intended`);
    }
    let value: string | undefined;
    try {
      value = store.resolve(sName, env);
    } catch (err) {
      throw new ExecRefusal(`cordon exec: ${err instanceof SecretStoreError ? err.message : String(err)}`);
    }
    if (value === undefined) throw new ExecRefusal(`cordon exec: secret ${sName} is read from $${info.env ?? '?'}, which is not set in this shell; export it before starting the agent`);
    childEnv[envVar] = value;
    names.push(sName);
    envVars.push(envVar);
  }
  return { file, args, env: childEnv, names, envVars };
}

/** Runs the plan with every known secret masked in its output; resolves to the exit status to report. */
export async function runExec(req: ExecRequest): Promise<number> {
  const env = req.env ?? process.env;
  let plan: ExecPlan;
  try {
    plan = planExec(req);
  } catch (err) {
    if (err instanceof ExecRefusal) {
      process.stderr.write(err.message.split('\n')[0] + '\n');
      return err.exitCode;
    }
    throw err;
  }
  let known;
  try {
    known = loadKnownSecrets({ ...(req.stateDir ? { stateDir: req.stateDir } : {}), env });
  } catch (err) {
    process.stderr.write(`cordon exec: refused: the secret store cannot be read, so the output could not be masked (${(err as Error).message.split('\n')[0]})\n`);
    return 126;
  }
  const child = confineChild({
    file: plan.file,
    args: plan.args,
    env: plan.env,
    pass: plan.envVars,
    ...(req.cwd ? { cwd: req.cwd } : {}),
    ...(req.stateDir ? { stateDir: req.stateDir } : {}),
  });
  if ('refusal' in child) {
    process.stderr.write(child.refusal.split('\n')[0] + '\n');
    return 126;
  }
  const store = new SecretStore(req.stateDir ?? defaultStateDir(env));
  for (const n of plan.names) store.touch(n);
  return runMasked(child.file, child.args, {
    env: child.env,
    known,
    // Inside the sandbox the entry runs the command by its resolved path; the name it was called by applies unconfined only.
    ...(child.sandboxed ? {} : { argv0: req.argv[0]! }),
    ...(req.cwd ? { cwd: req.cwd } : {}),
  });
}

/**
 * Shared set-up for the cordon end-to-end scenarios: a scratch repository with cordon initialised in it, a
 * throwaway HOME and a state dir outside the repository, plus readers for what cordon recorded.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { findClaudeBinary, makeScratchRepo, makeTempDir } from '../../src/testkit/claude-run.js';
import { parseAuditJson, registeredHooks, runCordon, stopDaemons, type AuditRow, type CordonRunResult } from '../../src/testkit/cordon-run.js';

/** Skip reason for the e2e suites: only a missing claude binary may skip them. */
export const SKIP_NO_CLAUDE: string | false = findClaudeBinary()
  ? false
  : 'claude CLI missing from node_modules/.bin (devDependency @anthropic-ai/claude-code): run `npm ci` to enable e2e tests';

export interface Project {
  repo: string;
  home: string;
  cordonHome: string;
  /** The environment every cordon process of this project gets (hooks inherit it through claude). */
  env: { HOME: string; CORDON_HOME: string; CORDON_DAEMON_IDLE_MS: string };
  cordon(args: string[], input?: string): CordonRunResult;
  cleanup(): void;
}

export interface InitOptions {
  /** Runs in the fresh repository before `cordon init` (e.g. to write the policy init derives settings from). */
  beforeInit?: (repo: string) => void;
  /** Extra arguments for `cordon init --yes`. */
  initArgs?: string[];
}

/** A scratch repo with `cordon init --yes` run in it; asserts that init did its job. */
export function initProject(opts: InitOptions = {}): Project {
  const repo = makeScratchRepo();
  const home = makeTempDir('home');
  const cordonHome = makeTempDir('state');
  // A daemon the hooks start must not outlive the suite for long even if cleanup is skipped.
  const env = { HOME: home, CORDON_HOME: cordonHome, CORDON_DAEMON_IDLE_MS: '30000' };
  const cordon = (args: string[], input?: string): CordonRunResult => runCordon(args, { cwd: repo, env, input });
  const p: Project = {
    repo,
    home,
    cordonHome,
    env,
    cordon,
    cleanup: () => {
      stopDaemons(cordonHome);
      for (const d of [repo, home, cordonHome]) rmSync(d, { recursive: true, force: true });
    },
  };
  try {
    opts.beforeInit?.(repo);
    const init = cordon(['init', '--yes', ...(opts.initArgs ?? [])]);
    assert.equal(init.code, 0, `cordon init --yes failed:\n${init.stdout}\n${init.stderr}`);
    assert.ok(existsSync(join(repo, '.cordon', 'policy.yaml')), 'cordon init should write .cordon/policy.yaml');
    const pre = registeredHooks(repo, 'PreToolUse');
    assert.ok(pre.length > 0, 'cordon init should register a PreToolUse hook in .claude/settings.json');
    for (const h of pre) {
      assert.ok(isAbsolute(h.command), `hook command should be an absolute path: ${h.command}`);
      assert.ok(Array.isArray(h.args) && h.args.length > 0, 'hook should use the exec form (args)');
    }
  } catch (err) {
    p.cleanup();
    throw err;
  }
  return p;
}

/** The audit records of one session, read through the CLI. */
export function auditLog(p: Project, sessionId: string): AuditRow[] {
  const r = p.cordon(['audit', 'log', '--session', sessionId, '--json']);
  assert.equal(r.code, 0, `cordon audit log failed:\n${r.stdout}\n${r.stderr}`);
  return parseAuditJson(r.stdout);
}

/** A rule id as cordon prints it, e.g. `fs.rm-home`. */
export const RULE_ID = (pack: string): RegExp => new RegExp(`\\b${pack}\\.[a-z0-9][a-z0-9.-]*`);

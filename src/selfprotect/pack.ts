/**
 * Self-protection rules over the shell IR: commands that uninstall, bypass or reconfigure cordon, or that
 * write its protected files (see ./paths.ts). Every rule is catastrophic / deny, the floor no policy lowers: an
 * agent must not be able to turn off the thing that watches it, whatever the policy says.
 *
 * The state dir comes from `ctx.stateDir` when the engine passes it (a field beside RuleContext), otherwise from
 * the process environment; `~/.cordon` is protected in any case.
 */
import type { Command, Finding, RuleContext, RulePack, Word } from '../ir/types.js';
import { absOf, finding, nameOf, rule, str } from '../rules/util.js';
import { protectedByRemoval, protectedKind } from './paths.js';

export type SelfProtectRuleContext = RuleContext & { stateDir?: string };

const R = {
  uninstall: rule('self.uninstall', 'catastrophic', 'deny', 'Uninstalls cordon or removes its hooks (cordon init --undo, npm uninstall cordon).', 'cordon init --undo'),
  humanOnly: rule('self.human-only', 'catastrophic', 'deny', 'Runs a cordon command reserved for humans (phase start/end, approve, taint clear).', 'cordon approve ABCDE23456'),
  hooksPath: rule('self.git-hooks-path', 'catastrophic', 'deny', 'Changes or bypasses git\'s hooks directory (core.hooksPath).', 'git config core.hooksPath /dev/null'),
  file: rule('self.protected-file', 'catastrophic', 'deny', 'Writes, moves or deletes a file that keeps cordon in the loop (.claude/settings*.json, .cordon/, .mcp.json, .git/hooks, .git/config, the state dir).', 'echo {} > .claude/settings.json'),
  disable: rule('self.disable-hooks', 'catastrophic', 'deny', 'Starts Claude Code with hooks off or cordon\'s settings replaced (CLAUDE_CODE_SIMPLE, --bare, --safe-mode, --setting-sources, CORDON_PHASE / CORDON_HOME).', 'CLAUDE_CODE_SIMPLE=1 claude -p "…"'),
};

/** Environment variables that switch hooks off or move cordon's phase or state for whatever runs next. */
const CONTROL_VARS = /^(CLAUDE_CODE_SIMPLE|CLAUDE_CODE_SAFE_MODE|CORDON_PHASE|CORDON_HOME)$/;
const OUT_OPS = new Set(['>', '>>', '&>', '&>>', '>|', '<>']);
const PKG_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const UNINSTALL = new Set(['uninstall', 'un', 'unlink', 'remove', 'rm', 'r', 'erase']);
const INTERPRETERS = /^(python[0-9.]*|node|nodejs|deno|bun|perl|ruby|php)$/;
const PROTECTED_TEXT = /\.claude\/settings[^/'"\s]*\.json|\.cordon\/|\.mcp\.json|\.git\/hooks|\.git\/config|core\.hookspath/i;
const WRITE_TEXT = /['"](w|a|wb|ab|w\+|a\+|>>?|\+>|\+<)['"]|write|unlink|remove|rmSync|rename|truncate|dump\(/i;

const vals = (cmd: Command) => cmd.argv.map((w) => str(w));

/** argv of cordon itself, from `cordon …` or `node …/dist/src/cli/main.js …`; undefined for other commands. */
function cordonArgs(cmd: Command): string[] | undefined {
  const n = nameOf(cmd);
  const a = vals(cmd);
  if (n === 'cordon') return a.slice(1);
  if ((n === 'node' || n === 'nodejs' || n === 'bun') && a.length > 1) {
    const i = a.findIndex((x, k) => k > 0 && !x.startsWith('-'));
    if (i > 0 && /(^|\/)(cordon\/)?dist\/src\/cli\/main\.js$/.test(a[i]!)) return a.slice(i + 1);
  }
  return undefined;
}

function checkCordon(cmd: Command): Finding[] {
  const a = cordonArgs(cmd);
  if (!a) return [];
  const ops = a.filter((x) => !x.startsWith('-'));
  const [sub, verb] = ops;
  if (sub === 'init' && a.includes('--undo')) {
    return [finding(R.uninstall, cmd, 'cordon init --undo removes cordon\'s hooks: the agent would lose its guard rails.', 'ask the human to uninstall cordon if that is really wanted')];
  }
  if (sub === 'phase' && (verb === 'start' || verb === 'end')) {
    return [finding(R.humanOnly, cmd, `cordon phase ${verb} changes what the agent may do; only a human may switch phases.`, `ask the human to run \`cordon phase ${ops.slice(1).join(' ')}\` in their own terminal`)];
  }
  if (sub === 'approve' && !(ops.length === 1 && a.some((x) => x === '--list' || x === '-l'))) {
    return [finding(R.humanOnly, cmd, 'cordon approve lifts a refusal; an approval the agent gives itself is no approval.', 'ask the human to review the refused call and approve it in their own terminal')];
  }
  if (sub === 'taint' && verb === 'clear') {
    return [finding(R.humanOnly, cmd, 'cordon taint clear removes the untrusted-content mark from the session; only a human may do that.', 'ask the human to review the session and clear it in their own terminal')];
  }
  return [];
}

function checkUninstall(cmd: Command): Finding[] {
  const n = nameOf(cmd);
  if (!n || !PKG_MANAGERS.has(n)) return [];
  const ops = vals(cmd).slice(1).filter((x) => !x.startsWith('-'));
  const sub = n === 'yarn' && ops[0] === 'global' ? ops[1] : ops[0];
  if (!sub || !UNINSTALL.has(sub)) return [];
  if (!ops.some((x) => x === 'cordon' || /^cordon@/.test(x))) return [];
  return [finding(R.uninstall, cmd, `${n} ${sub} cordon removes cordon, and its hooks with it.`, 'ask the human to uninstall cordon if that is really wanted')];
}

function checkHooksPath(cmd: Command): Finding[] {
  if (nameOf(cmd) !== 'git') return [];
  const a = vals(cmd).slice(1);
  const viaC = a.some((x, i) => (a[i - 1] === '-c' && /^core\.hookspath(=|$)/i.test(x)) || /^-ccore\.hookspath/i.test(x));
  const sub = a.find((x, i) => !x.startsWith('-') && a[i - 1] !== '-c' && a[i - 1] !== '-C' && a[i - 1] !== '--git-dir' && a[i - 1] !== '--work-tree');
  const readOnly = a.some((x) => /^--get(-all|-regexp)?$/.test(x) || x === 'get') && !a.some((x) => /^--(unset|unset-all|add|replace-all)$/.test(x));
  const viaConfig = sub === 'config' && !readOnly && a.some((x) => /^core\.hookspath$/i.test(x));
  if (!viaC && !viaConfig) return [];
  return [finding(R.hooksPath, cmd, 'Setting core.hooksPath replaces the repository\'s git hooks, cordon\'s pre-commit policy check included.', 'leave git hook configuration to a human')];
}

function checkEnv(cmd: Command, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const as of cmd.assignments) {
    if (CONTROL_VARS.test(as.name)) {
      out.push(finding(R.disable, cmd, `${as.name}=… changes how Claude Code or cordon runs for this command (${as.name === 'CLAUDE_CODE_SIMPLE' || as.name === 'CLAUDE_CODE_SAFE_MODE' ? 'hooks are switched off' : 'cordon\'s phase or state is replaced'}).`, 'run the command without it'));
    }
  }
  const n = nameOf(cmd);
  const a = vals(cmd);
  if (n === 'export' || ((n === 'declare' || n === 'typeset') && a.some((x) => /^-[a-zA-Z]*x/.test(x))) || n === 'setenv') {
    const hit = a.slice(1).find((x) => CONTROL_VARS.test(x.split('=')[0] ?? ''));
    if (hit) out.push(finding(R.disable, cmd, `exporting ${hit.split('=')[0]} would switch hooks off or replace cordon's phase or state for every later command.`, 'do not change this variable'));
  }
  if (n === 'claude') {
    const bad = a.find((x) => x === '--bare' || x === '--safe-mode' || x === '--setting-sources' || x.startsWith('--setting-sources=') || x === '--settings' || x.startsWith('--settings='));
    if (bad) {
      out.push(finding(R.disable, cmd, `claude ${bad.split('=')[0]} starts Claude Code without the project's hooks, so cordon would not see what it does.`, 'run claude without that flag, or ask the human'));
    }
    if (ctx.ir.commands.some((c) => nameOf(c) === 'set' && vals(c).some((x) => /^-[a-zA-Z]*a/.test(x) || x === 'allexport'))) {
      out.push(finding(R.disable, cmd, 'set -a exports every later assignment, which can switch a nested claude\'s hooks off.', 'run claude without set -a'));
    }
  }
  return out;
}

function targets(cmd: Command): { words: Word[]; removal: boolean } {
  const n = nameOf(cmd);
  const argv = cmd.argv.slice(1);
  const ops = argv.filter((w) => !str(w).startsWith('-'));
  switch (n) {
    case 'tee':
    case 'truncate':
    case 'touch':
    case 'shred':
      return { words: ops, removal: false };
    case 'rm':
    case 'rmdir':
    case 'unlink':
    case 'mv':
      return { words: ops, removal: true };
    case 'cp':
    case 'install':
    case 'ln':
    case 'rsync': {
      const t = argv.findIndex((w) => str(w) === '-t' || str(w) === '--target-directory');
      return { words: t >= 0 && argv[t + 1] ? [argv[t + 1]!] : ops.slice(-1), removal: false };
    }
    case 'chmod':
    case 'chown':
    case 'chgrp':
    case 'chattr':
      return { words: ops.slice(1), removal: false };
    case 'sed':
    case 'perl':
    case 'ruby':
      return argv.some((w) => /^(-[a-zA-Z]*i|--in-place)/.test(str(w))) ? { words: ops.slice(1), removal: false } : { words: [], removal: false };
    case 'dd':
      return { words: argv.filter((w) => str(w).startsWith('of=')).map((w) => ({ ...w, value: str(w).slice(3), text: str(w).slice(3) })), removal: false };
    default:
      return { words: [], removal: false };
  }
}

function checkFiles(cmd: Command, ctx: SelfProtectRuleContext): Finding[] {
  const pctx = { home: ctx.home, ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}) };
  const hit = (w: Word, removal: boolean): string | undefined => {
    const abs = absOf(w, cmd, ctx);
    if (abs === undefined) return undefined;
    const kind = removal ? protectedByRemoval(abs, pctx) : protectedKind(abs, pctx);
    return kind ? `${abs} (${kind})` : undefined;
  };
  for (const r of cmd.redirects) {
    if (!OUT_OPS.has(r.op) || !r.target) continue;
    const h = hit(r.target, false);
    if (h) return [finding(R.file, cmd, `The command writes ${h}; changing it could switch cordon off.`, 'leave this file to a human; propose the change in your reply instead')];
  }
  const t = targets(cmd);
  for (const w of t.words) {
    const h = hit(w, t.removal);
    if (h) return [finding(R.file, cmd, `${nameOf(cmd)} would change ${h}; changing it could switch cordon off.`, 'leave this file to a human; propose the change in your reply instead')];
  }
  const n = nameOf(cmd);
  if (n && INTERPRETERS.test(n)) {
    const code = vals(cmd).slice(1).join(' ');
    if (PROTECTED_TEXT.test(code) && WRITE_TEXT.test(code)) {
      return [finding(R.file, cmd, `${n} code that names cordon's protected files and writes files; changing them could switch cordon off.`, 'leave these files to a human')];
    }
  }
  return [];
}

export const selfProtectPack: RulePack = {
  id: 'self',
  rules: Object.values(R),
  heads: '*',
  check(cmd: Command, ctx: RuleContext): Finding[] {
    const c = ctx as SelfProtectRuleContext;
    return [...checkCordon(cmd), ...checkUninstall(cmd), ...checkHooksPath(cmd), ...checkEnv(cmd, c), ...checkFiles(cmd, c)];
  },
};

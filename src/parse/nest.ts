/**
 * Nested execution forms: commands whose arguments (or stdin text) are themselves run as commands —
 * `bash -c STRING`, `eval`, `xargs CMD`, `find -exec CMD ;`, `watch`, `parallel`, `su -c`, `git -c alias.x=!…`,
 * `npx PKG`, `trap`, shells fed a heredoc. Detection only: the walker analyses what is returned.
 */
import type { StdinSource, Word } from '../ir/types.js';
import { basename, has, optValue, scanOpts } from './opts.js';

export type Nested =
  /** Shell code to parse. `sameShell`: runs in the current shell (eval), so variables and cwd carry over. */
  | { kind: 'code'; code: string; via: string; dynamic: boolean; sameShell: boolean; what: string }
  /** An argv that is executed directly (xargs, find -exec, npx). */
  | { kind: 'argv'; argv: Word[]; via: string; chdirUnknown?: boolean };

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'rbash', 'yash', 'pdksh', 'posh', 'tcsh', 'csh']);

function codeOf(w: Word, via: string, sameShell: boolean, what: string): Nested {
  return { kind: 'code', code: w.value ?? w.text, via, dynamic: w.value === undefined, sameShell, what };
}

function shell(argv: Word[], name: string, stdin: StdinSource): Nested[] {
  let cflag = false;
  let sflag = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const v = argv[i]!.value;
    if (v === undefined) break;
    if (v === '--' || v === '-') {
      i++;
      break;
    }
    if (v.startsWith('--')) {
      if (v === '--rcfile' || v === '--init-file') i++;
      if (v === '--command') cflag = true;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(v)) break;
    if (v[0] === '-' && v.includes('c')) cflag = true;
    if (v[0] === '-' && v.includes('s')) sflag = true;
    // -o OPTION / -O SHOPT take the next word.
    if (/[oO]/.test(v)) i++;
  }
  if (cflag) {
    const code = argv[i];
    return code ? [codeOf(code, `${name} -c`, false, `${name} -c`)] : [];
  }
  if ((i >= argv.length || sflag) && stdin.kind === 'text') {
    const via = stdin.how === 'heredoc' ? `${name} <<EOF` : `${name} <<<`;
    return [{ kind: 'code', code: stdin.text, via, dynamic: false, sameShell: false, what: via }];
  }
  return [];
}

/**
 * GNU and BSD xargs options: -a -d -E -I -L -n -P -s and BSD's -J -R -S take a value; GNU's -e -i -l and --eof,
 * --replace, --max-lines take one only when attached (`-e_`, `--eof=_`).
 */
/**
 * `cordon exec [--secret NAME[=VAR]]… -- CMD ARGS…`: the broker runs CMD with a secret in its environment, so CMD
 * is judged like any other command (a destructive call must not pass because it is wrapped in the broker).
 */
function cordonExec(argv: Word[], at: number): Nested[] {
  if (argv[at]?.value !== 'exec') return [];
  const dd = argv.findIndex((w, i) => i > at && w.value === '--');
  const target = dd >= 0 ? argv.slice(dd + 1) : [];
  return target.length > 0 ? [{ kind: 'argv', argv: target, via: 'cordon exec' }] : [];
}

function xargs(argv: Word[]): Nested[] {
  const s = scanOpts(argv, 1, {
    short: 'adEIJLnPRsS',
    optional: 'eil',
    long: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
  });
  const target = argv.slice(s.next);
  if (target.length === 0) target.push({ raw: 'echo', value: 'echo', dynamic: false, text: 'echo' });
  return [{ kind: 'argv', argv: target, via: 'xargs' }];
}

function find(argv: Word[]): Nested[] {
  const out: Nested[] = [];
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i]!.value;
    if (v !== '-exec' && v !== '-execdir' && v !== '-ok' && v !== '-okdir') continue;
    let j = i + 1;
    while (j < argv.length && argv[j]!.value !== ';' && !(argv[j]!.value === '+' && argv[j - 1]!.value === '{}')) j++;
    const target = argv.slice(i + 1, j);
    if (target.length) out.push({ kind: 'argv', argv: target, via: `find ${v}`, chdirUnknown: v.endsWith('dir') });
    i = j;
  }
  return out;
}

function joined(words: Word[]): Word {
  const known = words.every((w) => w.value !== undefined);
  const text = words.map((w) => w.value ?? w.text).join(' ');
  return known ? { raw: text, value: text, dynamic: false, text } : { raw: text, dynamic: true, text };
}

function watch(argv: Word[]): Nested[] {
  const s = scanOpts(argv, 1, { short: 'nq', long: ['interval', 'equexit'] });
  const rest = argv.slice(s.next);
  if (!rest.length) return [];
  if (has(s, 'x', 'exec')) return [{ kind: 'argv', argv: rest, via: 'watch' }];
  return [codeOf(joined(rest), 'watch', false, 'watch')];
}

function parallel(argv: Word[]): Nested[] {
  const s = scanOpts(argv, 1, {
    short: 'jSnNLaIdPE',
    long: ['jobs', 'sshlogin', 'max-args', 'arg-file', 'delimiter', 'joblog', 'results', 'tmpdir', 'max-procs', 'timeout', 'delay'],
  });
  let end = argv.findIndex((w, k) => k >= s.next && /^:::+\+?$/.test(w.value ?? ''));
  if (end < 0) end = argv.length;
  const cmd = argv.slice(s.next, end);
  if (!cmd.length) return [];
  if (cmd.length === 1 && /\s/.test(cmd[0]!.value ?? cmd[0]!.text)) return [codeOf(cmd[0]!, 'parallel', false, 'parallel')];
  return [{ kind: 'argv', argv: cmd, via: 'parallel' }];
}

function su(argv: Word[], name: string): Nested[] {
  const s = scanOpts(argv, 1, { short: 'cgGsuw', long: ['command', 'session-command', 'group', 'supp-group', 'shell', 'user', 'whitelist-environment'] });
  const c = optValue(s, 'c', 'command', 'session-command');
  return c?.arg ? [codeOf(c.value !== undefined ? { ...c.arg, value: c.value } : c.arg, `${name} -c`, false, `${name} -c`)] : [];
}

const GIT_CODE_KEYS = ['core.sshcommand', 'core.pager', 'core.editor', 'core.fsmonitor', 'sequence.editor', 'diff.external'];

function git(argv: Word[]): Nested[] {
  const config: { key: string; value: string; word: Word }[] = [];
  let i = 1;
  for (; i < argv.length; i++) {
    const v = argv[i]!.value;
    if (v === undefined || !v.startsWith('-')) break;
    if (v === '-c' || v === '-C') {
      const a = argv[++i];
      const av = a?.value;
      if (v === '-c' && a && av !== undefined) {
        const eq = av.indexOf('=');
        if (eq > 0) config.push({ key: av.slice(0, eq).toLowerCase(), value: av.slice(eq + 1), word: a });
      }
      continue;
    }
    if (['--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env'].includes(v)) i++;
  }
  const sub = argv[i]?.value;
  const out: Nested[] = [];
  for (const c of config) {
    const isAlias = sub !== undefined && c.key === `alias.${sub.toLowerCase()}` && c.value.startsWith('!');
    const isCode = GIT_CODE_KEYS.includes(c.key) && !/^(true|false|)$/i.test(c.value);
    if (isAlias) {
      const rest = argv.slice(i + 1).map((w) => w.value ?? w.text);
      const code = [c.value.slice(1), ...rest].join(' ');
      out.push({ kind: 'code', code, via: `git alias.${sub}`, dynamic: false, sameShell: false, what: 'git alias' });
    } else if (isCode) {
      out.push({ kind: 'code', code: c.value, via: `git -c ${c.key}`, dynamic: false, sameShell: false, what: 'git config' });
    }
  }
  return out;
}

function npx(argv: Word[], from: number, via: string): Nested[] {
  const s = scanOpts(argv, from, { short: 'pc', long: ['package', 'call', 'cache', 'registry', 'userconfig'] });
  const call = optValue(s, 'c', 'call');
  if (call?.arg) return [codeOf(call.value !== undefined ? { ...call.arg, value: call.value } : call.arg, `${via} -c`, false, via)];
  const rest = argv.slice(s.next);
  return rest.length ? [{ kind: 'argv', argv: rest, via }] : [];
}

/** Finds the nested executions of one (already unwrapped) command. */
export function findNested(argv: Word[], stdin: StdinSource): Nested[] {
  const v0 = argv[0]?.value;
  if (v0 === undefined) return [];
  let name = basename(v0);
  if (name === 'busybox' && argv.length > 1) {
    const sub = argv[1]!.value;
    if (sub === undefined) return [];
    argv = argv.slice(1);
    name = basename(sub);
  }
  const sub1 = argv[1]?.value;
  if (SHELLS.has(name)) return shell(argv, name, stdin);
  switch (name) {
    case 'eval':
      return argv.length > 1 ? [codeOf(joined(argv.slice(1)), 'eval', true, 'eval')] : [];
    case 'source':
    case '.': {
      const f = argv[1];
      if (f?.value === '/dev/stdin' && stdin.kind === 'text') {
        return [{ kind: 'code', code: stdin.text, via: `${name} /dev/stdin`, dynamic: false, sameShell: true, what: name }];
      }
      if (f && f.value === undefined && /^<\(/.test(f.raw)) {
        return [{ kind: 'code', code: '', via: `${name} <(…)`, dynamic: true, sameShell: true, what: `${name} <(…)` }];
      }
      if (f && (f.value === '/dev/stdin' || f.value === '/proc/self/fd/0' || f.value === '-') && stdin.kind === 'pipe') {
        return [{ kind: 'code', code: '', via: `${name} /dev/stdin`, dynamic: true, sameShell: true, what: `${name} /dev/stdin` }];
      }
      return [];
    }
    case 'trap':
      return argv[1] && !['-p', '-l'].includes(argv[1].value ?? '') && argv.length > 2 ? [codeOf(argv[1], 'trap', true, 'trap')] : [];
    case 'xargs':
      return xargs(argv);
    case 'find':
      return find(argv);
    case 'watch':
      return watch(argv);
    case 'parallel':
      return parallel(argv);
    case 'su':
    case 'runuser':
      return su(argv, name);
    case 'script': {
      const s = scanOpts(argv, 1, { short: 'cEIOTB', long: ['command', 'echo', 'log-in', 'log-out', 'log-timing', 'log-io'] });
      const c = optValue(s, 'c', 'command');
      return c?.arg ? [codeOf(c.value !== undefined ? { ...c.arg, value: c.value } : c.arg, 'script -c', false, 'script -c')] : [];
    }
    case 'git':
      return git(argv);
    case 'cordon':
      return cordonExec(argv, 1);
    case 'npx':
    case 'bunx':
    case 'pnpx':
      return npx(argv, 1, name);
    case 'pnpm':
    case 'yarn':
    case 'npm':
    case 'bun':
      if ((sub1 === 'dlx' && name !== 'npm' && name !== 'bun') || sub1 === 'exec' || (name === 'bun' && sub1 === 'x')) {
        return npx(argv, 2, `${name} ${sub1}`);
      }
      return [];
    default:
      return [];
  }
}

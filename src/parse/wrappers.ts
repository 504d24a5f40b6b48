/**
 * Wrapper stripping: `sudo -u x env A=1 timeout 5 nice -n 3 rm …` → argv `rm …`, wrappers
 * `['sudo','env','timeout','nice']`. Each wrapper's own options are skipped so the wrapped command is what rules
 * see. A wrapper with nothing after its options (`sudo -l`, `env`) is left as the command itself.
 */
import type { Word } from '../ir/types.js';
import { basename, has, literalWordOf, optValue, scanOpts, splitSimple, type OptScan, type OptSpec } from './opts.js';

export interface Unwrapped {
  argv: Word[];
  wrappers: string[];
  assignments: { name: string; value: Word }[];
  /** Directory the wrapped command runs in when a wrapper changes it (`env -C`, `sudo -D`); null = unknown. */
  chdir?: Word | null;
}

type Handler = (argv: Word[], out: Unwrapped) => number | undefined;

/** Returns the index where the wrapped command starts, or undefined when this is not a wrapping use. */
function simple(spec: OptSpec, refuse: string[] = []): Handler {
  return (argv) => {
    const s = scanOpts(argv, 1, spec);
    if (refuse.length && has(s, ...refuse)) return undefined;
    return s.next;
  };
}

const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

function chdirFrom(s: OptScan, out: Unwrapped, ...names: string[]): void {
  const o = optValue(s, ...names);
  if (o) out.chdir = o.value !== undefined && o.arg ? { ...o.arg, value: o.value, text: o.value } : null;
}

const HANDLERS: Record<string, Handler> = {
  sudo: (argv, out) => {
    const s = scanOpts(argv, 1, {
      short: 'ugCDhprtTUR',
      long: ['user', 'group', 'close-from', 'chdir', 'host', 'prompt', 'role', 'type', 'command-timeout', 'other-user', 'chroot'],
    });
    if (has(s, 'e', 'edit', 'l', 'list', 'v', 'validate', 'K', 'remove-timestamp', 'V', 'version', 'h', 'help')) return undefined;
    chdirFrom(s, out, 'D', 'chdir');
    return s.next;
  },
  doas: simple({ short: 'uC' }),
  command: simple({}, ['v', 'V']),
  builtin: simple({}),
  exec: simple({ short: 'a' }),
  nohup: simple({}),
  nice: simple({ short: 'n', long: ['adjustment'], numeric: true }),
  ionice: simple({ short: 'cn', long: ['class', 'classdata'] }, ['p', 'P', 'u', 'pid', 'pgid', 'uid']),
  time: simple({ short: 'fo', long: ['format', 'output'] }),
  stdbuf: simple({ short: 'ioe', long: ['input', 'output', 'error'] }),
  setsid: simple({}),
  caffeinate: simple({ short: 'tw' }),
  strace: simple({ short: 'eopsuEabIXPOS' }),
  ltrace: simple({ short: 'eopsunaAD' }),
  timeout: (argv) => {
    const s = scanOpts(argv, 1, { short: 'sk', long: ['signal', 'kill-after'] });
    // The first operand is the duration.
    return s.next + 1 < argv.length ? s.next + 1 : undefined;
  },
  env: (argv, out) => {
    const s = scanOpts(argv, 1, { short: 'uCSP', long: ['unset', 'chdir', 'split-string'] });
    chdirFrom(s, out, 'C', 'chdir');
    let i = s.next;
    if (argv[i]?.value === '-') i++;
    const split = optValue(s, 'S', 'split-string');
    if (split) {
      // `env -S "rm -rf /"`: the string is split into the command line that follows.
      const words = split.value === undefined ? [] : splitSimple(split.value).map((v) => literalWordOf(v, split.arg));
      if (split.value === undefined && split.arg) argv.splice(i, 0, split.arg);
      else argv.splice(i, 0, ...words);
    }
    for (; i < argv.length; i++) {
      const m = ASSIGN.exec(argv[i]!.value ?? '');
      if (!m) break;
      out.assignments.push({ name: m[1]!, value: literalWordOf(m[2]!, argv[i]) });
    }
    return i;
  },
};

/** Names handled as wrappers. */
export const WRAPPERS = new Set(Object.keys(HANDLERS));

/** Strips wrappers from the front of argv. Never removes the last remaining word. */
export function unwrap(argv0: Word[]): Unwrapped {
  const out: Unwrapped = { argv: argv0, wrappers: [], assignments: [] };
  let argv = argv0;
  for (let guard = 0; guard < 64 && argv.length > 0; guard++) {
    const v = argv[0]!.value;
    if (v === undefined) break;
    const name = basename(v);
    const h = HANDLERS[name];
    if (!h) break;
    const copy = argv.slice();
    const next = h(copy, out);
    if (next === undefined || next >= copy.length) break;
    out.wrappers.push(name);
    argv = copy.slice(next);
  }
  out.argv = argv;
  return out;
}

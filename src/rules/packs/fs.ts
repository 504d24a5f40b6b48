/**
 * fs: destructive file-system operations. Recursive deletes (rm, find -delete / -exec rm, rimraf, shred),
 * truncation, raw disk writes, file-system creation, recursive permission changes and moves of system or home
 * directories. Deletes inside the workspace and below the temp dir pass; the root, home directories, system
 * paths and anything else outside the workspace are refused; targets only known at run time need a human.
 */
import type { Command, Finding, RuleContext, RulePack, Word } from '../../ir/types.js';
import {
  args, classifyWord, describe, finding, longOpt, nameOf, rule, shortHas, str,
  type Target,
} from '../util.js';
import { isRcFile } from './priv.js';

const R = {
  root: rule('fs.rm-root', 'catastrophic', 'deny', 'Recursive delete of the root directory.', 'rm -rf /'),
  home: rule('fs.rm-home', 'catastrophic', 'deny', 'Recursive delete of a home directory or something in it outside the workspace.', 'rm -rf ~'),
  system: rule('fs.rm-system', 'catastrophic', 'deny', 'Delete of a system path (/etc, /usr, /var …).', 'rm -rf /etc'),
  outside: rule('fs.rm-outside-workspace', 'catastrophic', 'deny', 'Recursive delete of a path outside the workspace and the temp dir.', 'rm -rf /data/app'),
  wsRoot: rule('fs.rm-workspace-root', 'high', 'ask', 'Recursive delete of the whole workspace (`.`, `*`, the project root).', 'rm -rf *'),
  gitDir: rule('fs.rm-git-dir', 'high', 'ask', 'Recursive delete of the repository history (.git).', 'rm -rf .git'),
  dynamic: rule('fs.rm-dynamic-target', 'high', 'ask', 'Recursive delete whose target is only known at run time.', 'rm -rf "$DIR"'),
  findOutside: rule('fs.find-delete-outside', 'high', 'ask', 'Filtered find -delete / -exec rm outside the workspace.', "find ~ -name '*.log' -delete"),
  truncate: rule('fs.truncate-file', 'catastrophic', 'deny', 'Truncation or overwrite of a home dotfile or a file outside the workspace.', 'truncate -s0 ~/.gitconfig'),
  writeSystem: rule('fs.write-system', 'catastrophic', 'deny', 'Write to a system file (/etc, /usr, /boot …).', 'echo x > /etc/hosts'),
  disk: rule('fs.disk-write', 'catastrophic', 'deny', 'Raw write to a block device, file-system creation or partitioning.', 'dd if=/dev/zero of=/dev/sda'),
  chmod: rule('fs.chmod-recursive', 'catastrophic', 'deny', 'Recursive permission or owner change on the root, a home directory or a system path.', 'chmod -R 777 /'),
  mv: rule('fs.mv-system', 'catastrophic', 'deny', 'Move of the root, a home directory or a system path, or onto /dev/null.', 'mv ~ /dev/null'),
};

const ALT_DELETE = 'delete inside the workspace (or below /tmp) only, naming the directories explicitly';
const DELETE_NAMES = new Set(['rm', 'srm', 'rimraf', 'del', 'del-cli', 'rm-rf', 'rmrf', 'unlink']);
const RUNNERS = new Set(['npx', 'pnpx', 'bunx', 'pnpm', 'yarn', 'bun', 'npm']);
const DEVICE_RE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|loop|md|dm-|mapper\/|sr|fd\d)/;
const SAFE_DEV = /^\/dev\/(null|zero|stdout|stderr|stdin|tty|fd\/\d+|random|urandom|full|ptmx|pts\/)/;

/** Finding for a destructive target by class; undefined when the target is acceptable. */
export function deleteFinding(t: Target, cmd: Command, what: string, recursive: boolean): Finding | undefined {
  const d = describe(t);
  switch (t.cls) {
    case 'root':
      return finding(R.root, cmd, `${what} targets ${d}: it would erase the whole file system.`, ALT_DELETE);
    case 'home-root':
    case 'home':
      if (!recursive && t.cls === 'home') return undefined;
      return finding(R.home, cmd, `${what} targets ${d}: personal files and credentials would be lost.`, ALT_DELETE);
    case 'system':
      return finding(R.system, cmd, `${what} targets ${d}: it would break the operating system.`, ALT_DELETE);
    case 'outside':
    case 'temp-root':
      if (!recursive) return undefined;
      return finding(R.outside, cmd, `${what} targets ${d}: only the workspace and paths below the temp dir may be deleted.`, ALT_DELETE);
    case 'workspace-root':
      if (!recursive) return undefined;
      return finding(R.wsRoot, cmd, `${what} targets ${d}: the whole project, .git included, would be lost.`,
        'delete the specific build directories instead (rm -rf dist node_modules)');
    case 'workspace':
      if (recursive && /(^|\/)\.git$/.test(t.shown)) {
        return finding(R.gitDir, cmd, `${what} targets ${t.shown}: the repository history would be lost.`, 'remove only the working files you mean to');
      }
      return undefined;
    case 'unknown':
      if (!recursive) return undefined;
      if (t.glob) {
        return finding(R.outside, cmd, `${what} expands a wildcard (${t.shown}) in a directory that is not known: it may wipe any directory.`,
          'cd into a known directory inside the workspace first, or name the paths');
      }
      return finding(R.dynamic, cmd, `${what} targets ${d}; cordon cannot check where it points.`, 'write the path literally');
    default:
      return undefined;
  }
}

function rm(cmd: Command, ctx: RuleContext, name: string): Finding[] {
  let recursive = name !== 'rm' && name !== 'srm' && name !== 'unlink';
  const targets: Word[] = [];
  let ended = false;
  for (const w of args(cmd)) {
    const a = str(w);
    if (!ended && a === '--') { ended = true; continue; }
    if (!ended && a.startsWith('-') && a.length > 1 && !w.dynamic) {
      if (shortHas(a, 'r') || shortHas(a, 'R') || longOpt(a, 'recursive')) recursive = true;
      continue;
    }
    targets.push(w);
  }
  if (!recursive) {
    // A plain rm still must not reach system files.
    return targets.flatMap((w) => {
      const t = classifyWord(w, cmd, ctx);
      return t.cls === 'system' || t.cls === 'root' ? [deleteFinding(t, cmd, `${name}`, false)!] : [];
    });
  }
  const fromInput = cmd.via.some((v) => /xargs|parallel/.test(v));
  const out: Finding[] = [];
  for (const w of targets) {
    if (w.text === '{}' && cmd.via.some((v) => /find/.test(v))) continue; // judged by the find rule
    if (fromInput && /\{\}|^FOO$/.test(w.text)) continue;
    const f = deleteFinding(classifyWord(w, cmd, ctx), cmd, `${name} -r`, true);
    if (f) out.push(f);
  }
  if (fromInput) {
    out.push(finding(R.dynamic, cmd, `${name} -r gets its targets from input (${cmd.via.join(' → ')}), so cordon cannot check what it deletes.`,
      'list the directories explicitly: rm -rf dist build'));
  }
  return out;
}

// find primaries that take one argument (so `-name -delete` is a pattern, not an action).
const FIND_ARG1 = new Set(['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-type', '-xtype',
  '-user', '-group', '-uid', '-gid', '-perm', '-size', '-mtime', '-mmin', '-atime', '-amin', '-ctime', '-cmin', '-newer',
  '-anewer', '-cnewer', '-samefile', '-inum', '-links', '-maxdepth', '-mindepth', '-fstype', '-lname', '-ilname', '-fprint',
  '-fprint0', '-fls', '-printf', '-context', '-used', '-regextype', '-files0-from', '-newermt', '-newerct', '-newerat']);
const FIND_FILTERS = new Set(['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-user',
  '-group', '-uid', '-gid', '-perm', '-size', '-mtime', '-mmin', '-atime', '-amin', '-ctime', '-cmin', '-newer', '-anewer',
  '-cnewer', '-samefile', '-inum', '-links', '-lname', '-ilname', '-empty', '-newermt', '-newerct', '-newerat', '-nouser', '-nogroup']);
const EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

function find(cmd: Command, ctx: RuleContext): Finding[] {
  const a = args(cmd);
  const paths: Word[] = [];
  let i = 0;
  while (i < a.length && /^-[HLP]$|^-O\d$|^-D$/.test(str(a[i]))) i += str(a[i]) === '-D' ? 2 : 1;
  while (i < a.length && !/^[-(!)]/.test(str(a[i])) && str(a[i]) !== ',') paths.push(a[i++]!);
  let deletes = false;
  let filtered = false;
  for (; i < a.length; i++) {
    const s = str(a[i]);
    if (s === '-delete') deletes = true;
    else if (FIND_FILTERS.has(s)) { filtered = true; i++; }
    else if (s === '-newer' || /^-newer..$/.test(s)) { filtered = true; i++; }
    else if (FIND_ARG1.has(s)) i++;
    else if (s === '-fprintf') i += 2;
    else if (EXEC.has(s)) {
      const prog = a[i + 1] ? normBase(str(a[i + 1])) : '';
      if (DELETE_NAMES.has(prog) || prog === 'shred' || prog === 'unlink') deletes = true;
      while (i < a.length && str(a[i]) !== ';' && str(a[i]) !== '+') i++;
    }
  }
  if (!deletes) return [];
  if (paths.length === 0) paths.push({ raw: '.', value: '.', text: '.', dynamic: false });
  const out: Finding[] = [];
  for (const w of paths) {
    const t = classifyWord(w, cmd, ctx);
    if (filtered) {
      if (t.cls === 'root' || t.cls === 'system') out.push(deleteFinding(t, cmd, 'find … -delete', true)!);
      else if (t.cls === 'home-root' || t.cls === 'home' || t.cls === 'outside' || t.cls === 'unknown') {
        out.push(finding(R.findOutside, cmd, `find deletes matching files under ${describe(t)}.`, 'run it with -print first, and delete inside the workspace only'));
      }
      continue;
    }
    const f = deleteFinding(t, cmd, 'find … -delete (unfiltered)', true);
    if (f) out.push(f);
  }
  return out;
}

function normBase(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1).toLowerCase();
}

/** `npx rimraf dist`, `pnpm dlx del-cli x`, `yarn rimraf x`: the package's argv. */
function runnerArgv(cmd: Command, name: string): Word[] | undefined {
  const a = args(cmd);
  let i = 0;
  const sub = str(a[0]);
  if (name === 'npm') { if (sub !== 'exec' && sub !== 'x') return undefined; i = 1; }
  if (name === 'pnpm' || name === 'bun') { if (!['dlx', 'exec', 'x'].includes(sub)) return undefined; i = 1; }
  if (name === 'yarn' && (sub === 'dlx' || sub === 'exec')) i = 1;
  for (; i < a.length; i++) {
    const s = str(a[i]);
    if (s === '--') continue;
    if (s === '-p' || s === '--package') { i++; continue; }
    if (s.startsWith('-')) continue;
    const pkg = s.replace(/(?<=.)@[^/]*$/, '').toLowerCase();
    if (DELETE_NAMES.has(pkg)) return a.slice(i);
    return undefined;
  }
  return undefined;
}

function redirects(cmd: Command, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const r of cmd.redirects) {
    if (!r.target || !['>', '>>', '&>', '&>>', '>|', '<>'].includes(r.op)) continue;
    const v = r.target.value;
    if (v === undefined) continue;
    if (SAFE_DEV.test(v) || /^\d+$|^-$/.test(v)) continue;
    if (DEVICE_RE.test(v)) {
      out.push(finding(R.disk, cmd, `Output is redirected onto the block device ${v}: the disk's data would be destroyed.`, 'write to a file instead'));
      continue;
    }
    const t = classifyWord(r.target, cmd, ctx);
    const abs = t.shown;
    if (isRcFile(abs, ctx.home)) continue; // judged by priv
    if (t.cls === 'system' || t.cls === 'root') {
      out.push(finding(R.writeSystem, cmd, `The command writes to the system file ${abs} (${r.op}): it can break the system.`, 'write inside the workspace instead'));
    } else if ((r.op === '>' || r.op === '>|' || r.op === '&>') && (t.cls === 'home' && /\/\./.test(abs.slice(ctx.home.length)))) {
      out.push(finding(R.truncate, cmd, `The redirect ${r.op} ${abs} truncates a configuration file in the home directory.`, 'append with >> or edit the file in place'));
    }
  }
  return out;
}

function disk(cmd: Command, name: string, ctx: RuleContext): Finding[] {
  const a = args(cmd).map(str);
  if (a.some((s) => s === '--help' || s === '-h' || s === '--version' || s === '-V')) return [];
  if (name === 'dd') {
    const of = a.find((s) => s.startsWith('of='))?.slice(3);
    if (!of) return [];
    if (DEVICE_RE.test(of)) return [finding(R.disk, cmd, `dd writes onto the block device ${of}: the disk's data would be destroyed.`, 'write an image file instead (of=./out.img)')];
    const t = classifyWord({ raw: of, value: of, text: of, dynamic: false }, cmd, ctx);
    if (t.cls === 'system' || t.cls === 'root') return [finding(R.writeSystem, cmd, `dd overwrites the system file ${t.shown}.`, 'write inside the workspace instead')];
    return [];
  }
  if (/^(fdisk|sfdisk|gdisk|sgdisk|parted)$/.test(name) && a.some((s) => /^-l|^--list|^print$|^-s$/.test(s))) return [];
  if (a.length === 0) return [];
  // mkfs on an image file inside the workspace or temp dir only formats that file.
  const operands = args(cmd).filter((w) => !str(w).startsWith('-') && !/^\d+$/.test(str(w)));
  if (operands.length && operands.every((w) => !str(w).startsWith('/dev/') && ['workspace', 'temp'].includes(classifyWord(w, cmd, ctx).cls))) return [];
  return [finding(R.disk, cmd, `${name} ${a.join(' ')} creates or rewrites a file system or partition table: existing data would be lost.`, 'work on an image file inside the workspace')];
}

function shredOrTruncate(cmd: Command, ctx: RuleContext, name: string): Finding[] {
  const a = args(cmd);
  const out: Finding[] = [];
  for (let i = 0; i < a.length; i++) {
    const s = str(a[i]);
    if (/^-[nsr]$|^--(size|reference|iterations|random-source)$/.test(s)) { i++; continue; }
    if (s.startsWith('-')) continue;
    const v = a[i]!.value;
    if (v && DEVICE_RE.test(v)) { out.push(finding(R.disk, cmd, `${name} overwrites the block device ${v}.`)); continue; }
    const t = classifyWord(a[i]!, cmd, ctx);
    if (t.cls === 'workspace' || t.cls === 'temp' || t.cls === 'unknown' || t.cls === 'workspace-root') continue;
    if (name === 'shred') { const f = deleteFinding(t, cmd, 'shred', true); if (f) out.push(f); }
    else out.push(finding(R.truncate, cmd, `truncate empties ${describe(t)}.`, 'truncate files inside the workspace only'));
  }
  return out;
}

function chmodR(cmd: Command, ctx: RuleContext, name: string): Finding[] {
  const a = args(cmd);
  const recursive = a.some((w) => shortHas(str(w), 'R') || longOpt(str(w), 'recursive'));
  const pos = a.filter((w) => !str(w).startsWith('-') || w.dynamic);
  const targets = a.some((w) => str(w).startsWith('--reference')) ? pos : pos.slice(1);
  const out: Finding[] = [];
  for (const w of targets) {
    const t = classifyWord(w, cmd, ctx);
    const bad = t.cls === 'root' || t.cls === 'home-root' || (recursive && (t.cls === 'system' || t.cls === 'home' || t.cls === 'outside'));
    if (bad) out.push(finding(R.chmod, cmd, `${name}${recursive ? ' -R' : ''} changes ${describe(t)}: access to the system or personal files would break.`, 'change permissions on specific files inside the workspace'));
  }
  return out;
}

function mv(cmd: Command, ctx: RuleContext): Finding[] {
  const pos = args(cmd).filter((w) => !str(w).startsWith('-') || w.dynamic);
  if (pos.length < 2) return [];
  const dest = str(pos[pos.length - 1]);
  const out: Finding[] = [];
  for (const w of pos.slice(0, -1)) {
    const t = classifyWord(w, cmd, ctx);
    if (t.cls === 'root' || t.cls === 'home-root' || (t.cls === 'system' && t.shown.split('/').length <= 3)) {
      out.push(finding(R.mv, cmd, `mv moves ${describe(t)} to ${dest}: the system or the user's files would be gone from their place.`, 'move files inside the workspace only'));
    }
  }
  if (dest === '/dev/null' && out.length === 0) out.push(finding(R.mv, cmd, 'mv onto /dev/null destroys the moved files (and /dev/null itself when run as root).', 'delete files inside the workspace with rm'));
  return out;
}

/** `rsync --delete SRC DEST` removes everything in DEST that SRC lacks: an empty SRC wipes DEST. */
function rsyncDelete(cmd: Command, ctx: RuleContext): Finding[] {
  const a = args(cmd);
  if (!a.some((w) => /^--(delete|del$|remove-source-files)/.test(str(w)))) return [];
  if (a.some((w) => /^(-[a-zA-Z]*n[a-zA-Z]*|--dry-run)$/.test(str(w)))) return [];
  const pos = a.filter((w) => !str(w).startsWith('-'));
  const dest = pos[pos.length - 1];
  if (!dest || pos.length < 2 || /^[^/]*:/.test(str(dest))) return [];
  const f = deleteFinding(classifyWord(dest, cmd, ctx), cmd, 'rsync --delete', true);
  return f && f.ruleId !== R.wsRoot.id ? [f] : [];
}

export const fsPack: RulePack = {
  id: 'fs',
  rules: Object.values(R),
  heads: '*',
  check(cmd, ctx) {
    const out = cmd.redirects.length ? redirects(cmd, ctx) : [];
    const name = nameOf(cmd);
    if (name === undefined) return out;
    if (DELETE_NAMES.has(name)) out.push(...rm(cmd, ctx, name));
    else if (name === 'find') out.push(...find(cmd, ctx));
    else if (RUNNERS.has(name)) {
      const av = runnerArgv(cmd, name);
      if (av) out.push(...rm({ ...cmd, argv: av }, ctx, normBase(str(av[0])).replace(/@.*$/, '')));
    } else if (name === 'dd' || /^mkfs(\..+)?$|^mke2fs$|^mkswap$|^wipefs$|^(s?fdisk|s?gdisk|parted)$|^newfs/.test(name)) out.push(...disk(cmd, name, ctx));
    else if (name === 'shred' || name === 'truncate') out.push(...shredOrTruncate(cmd, ctx, name));
    else if (name === 'chmod' || name === 'chown' || name === 'chgrp') out.push(...chmodR(cmd, ctx, name));
    else if (name === 'mv') out.push(...mv(cmd, ctx));
    else if (name === 'rsync') out.push(...rsyncDelete(cmd, ctx));
    else if (name === 'busybox' && cmd.argv.length > 1) {
      // busybox APPLET …: judge the applet as if it ran directly.
      const inner: Command = { ...cmd, argv: cmd.argv.slice(1), name: str(cmd.argv[1]) };
      if (inner.name !== 'busybox') out.push(...this.check(inner, ctx));
    }
    return out;
  },
};


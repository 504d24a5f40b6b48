/**
 * priv: privilege escalation and persistence. Root shells, sudoers edits, crontab installs, authorized_keys,
 * shell start-up files, setuid bits and service units all outlive the session or widen what later commands may
 * do, so they are refused.
 */
import type { Command, Finding, RuleContext, RulePack, Word } from '../../ir/types.js';
import { absOf, args, finding, nameOf, rule, str } from '../util.js';

const R = {
  rootShell: rule('priv.root-shell', 'catastrophic', 'deny', 'Opens a root or other-user shell (sudo su, sudo -i, sudo -s, su -).', 'sudo su'),
  sudoers: rule('priv.sudoers', 'catastrophic', 'deny', 'Edits sudoers (visudo or writes to /etc/sudoers*).', "echo 'dev ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers"),
  crontab: rule('priv.crontab', 'catastrophic', 'deny', 'Installs or replaces a crontab or writes into cron directories.', 'crontab job.txt'),
  authKeys: rule('priv.authorized-keys', 'catastrophic', 'deny', 'Writes an SSH authorized_keys file.', 'cat key.pub >> ~/.ssh/authorized_keys'),
  rc: rule('priv.shell-rc', 'catastrophic', 'deny', 'Writes a shell start-up file (~/.bashrc, ~/.zshrc, ~/.profile …).', "echo 'alias ls=rm' >> ~/.bashrc"),
  setuid: rule('priv.setuid', 'catastrophic', 'deny', 'Sets the setuid or setgid bit.', 'chmod u+s ./bin/tool'),
  service: rule('priv.service-unit', 'catastrophic', 'deny', 'Enables a systemd/launchd service or writes a unit file.', 'systemctl enable evil.service'),
};

const RC = ['.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zprofile', '.zshenv', '.zlogin',
  '.zlogout', '.kshrc', '.cshrc', '.tcshrc', '.mkshrc', '.config/fish/config.fish', '.config/fish/conf.d', '.inputrc', '.xprofile',
  '.xinitrc', '.pam_environment'];
const SYS_RC = ['/etc/profile', '/etc/profile.d', '/etc/bash.bashrc', '/etc/bashrc', '/etc/zshrc', '/etc/zsh', '/etc/environment',
  '/etc/ld.so.preload'];

export function isRcFile(p: string, home: string): boolean {
  for (const r of RC) if (p === `${home}/${r}` || p.startsWith(`${home}/${r}/`)) return true;
  return SYS_RC.some((r) => p === r || p.startsWith(r + '/'));
}

const WRITE_OPS = new Set(['>', '>>', '&>', '&>>', '>|', '<>']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'tcsh', 'csh', 'mksh']);

/** Paths the command writes to: redirects, tee, cp/mv/install/ln destinations, sed -i files, dd of=. */
export function writeTargets(cmd: Command): Word[] {
  const out: Word[] = [];
  for (const r of cmd.redirects) if (WRITE_OPS.has(r.op) && r.target) out.push(r.target);
  const n = nameOf(cmd);
  const a = args(cmd);
  const pos = a.filter((w) => !str(w).startsWith('-') || w.dynamic);
  if (n === 'tee') out.push(...pos);
  else if (n === 'cp' || n === 'mv' || n === 'install' || n === 'ln' || n === 'rsync' || n === 'scp') {
    const t = a.findIndex((w) => str(w) === '-t' || str(w) === '--target-directory');
    if (t >= 0 && a[t + 1]) out.push(a[t + 1]!);
    else if (pos.length >= 2) out.push(pos[pos.length - 1]!);
  } else if ((n === 'sed' || n === 'perl') && a.some((w) => /^-[a-zA-Z]*i/.test(str(w)) || str(w).startsWith('--in-place'))) {
    out.push(...pos.slice(n === 'sed' && !a.some((w) => str(w) === '-e' || str(w) === '-f') ? 1 : 0));
  } else if (n === 'dd') {
    const of = a.find((w) => str(w).startsWith('of='));
    if (of) { const v = str(of).slice(3); out.push({ raw: v, value: v, text: v, dynamic: of.dynamic }); }
  }
  return out;
}

function checkWrites(cmd: Command, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const w of writeTargets(cmd)) {
    const p = absOf(w, cmd, ctx);
    if (!p) continue;
    if (p === '/etc/sudoers' || p.startsWith('/etc/sudoers.d') || p.startsWith('/etc/sudoers')) {
      out.push(finding(R.sudoers, cmd, `The command writes ${p}, granting itself or others root rights.`, 'ask an administrator to change sudo rules'));
    } else if (/\/authorized_keys2?$/.test(p)) {
      out.push(finding(R.authKeys, cmd, `The command writes ${p}, letting a new key log in as this user.`, 'add keys yourself outside the agent session'));
    } else if (isRcFile(p, ctx.home)) {
      out.push(finding(R.rc, cmd, `The command writes the shell start-up file ${p}: the change would run in every future shell.`,
        'set variables for this command only (VAR=x cmd) or use a project .envrc'));
    } else if (/^\/etc\/cron|^\/var\/spool\/cron|^\/etc\/anacrontab|^\/var\/at\//.test(p)) {
      out.push(finding(R.crontab, cmd, `The command writes ${p}, scheduling commands to run later.`, 'run the task now instead of scheduling it'));
    } else if (/^\/(etc|lib|usr\/lib|run)\/systemd\//.test(p) || p.startsWith(`${ctx.home}/.config/systemd/`) ||
      /\/Library\/Launch(Agents|Daemons)\//.test(p)) {
      out.push(finding(R.service, cmd, `The command writes the service definition ${p}, which would start programs on its own.`, 'run the program directly in the foreground'));
    }
  }
  return out;
}

function setuid(cmd: Command): Finding[] {
  const a = args(cmd).map(str).filter((s) => !/^-[a-zA-Z]+$|^--/.test(s) || /^-[rwxXst]+$/.test(s));
  const mode = a[0] ?? '';
  const sym = /^[ugoa]*[+=][rwxXst]*s/.test(mode) || mode.split(',').some((m) => /^[ugoa]*[+=][rwxXt]*s/.test(m));
  const num = /^[0-7]{4,}$/.test(mode) && (parseInt(mode.slice(-4, -3), 8) & 6) !== 0;
  if (!sym && !num) return [];
  return [finding(R.setuid, cmd, `chmod ${mode} sets the setuid/setgid bit on ${a.slice(1).join(' ')}: the program would run with its owner's rights.`,
    'use ordinary permissions (chmod 755)')];
}

function rootShell(cmd: Command, n: string): Finding[] {
  const a = args(cmd).map(str);
  const reason = (what: string) => finding(R.rootShell, cmd, `${what} opens a shell as another user (root): everything after it escapes review.`,
    'run the single command that needs privileges, and let the user run sudo themselves');
  if (n === 'su') return [reason(cmd.text.trim())];
  if (n === 'sudo' || n === 'doas') {
    if (a.some((s) => /^-[a-zA-Z]*[is]/.test(s) && !s.startsWith('--') || s === '--login' || s === '--shell')) return [reason(cmd.text.trim())];
    return [];
  }
  if (n === 'machinectl' && a[0] === 'shell') return [reason(cmd.text.trim())];
  if ((cmd.wrappers.includes('sudo') || cmd.wrappers.includes('doas') || cmd.wrappers.includes('pkexec')) && SHELLS.has(n)) {
    const hasScript = a.some((s) => !s.startsWith('-')) || a.some((s) => /^-[a-z]*c/.test(s));
    if (!hasScript || a.includes('-i') || a.includes('-l') || a.includes('--login')) return [reason(`${cmd.wrappers.join(' ')} ${n}`)];
  }
  return [];
}

export const privPack: RulePack = {
  id: 'priv',
  rules: Object.values(R),
  heads: '*',
  check(cmd, ctx) {
    const out = checkWrites(cmd, ctx);
    const n = nameOf(cmd);
    if (n === undefined) return out;
    if (n === 'visudo') out.push(finding(R.sudoers, cmd, 'visudo edits the sudo rules, granting root rights.', 'ask an administrator to change sudo rules'));
    else if (n === 'crontab') {
      const a = args(cmd).map(str);
      const readOnly = a.length > 0 && a.every((s) => s === '-l' || s === '-u' || !s.startsWith('-') && a[a.indexOf(s) - 1] === '-u');
      if (!readOnly && a.length > 0) {
        out.push(finding(R.crontab, cmd, `crontab ${a.join(' ')} installs, edits or removes scheduled jobs that outlive this session.`, 'run the task now; list jobs with crontab -l'));
      }
    } else if (n === 'chmod') out.push(...setuid(cmd));
    else if (n === 'systemctl') {
      const a = args(cmd).map(str).filter((s) => !s.startsWith('-'));
      if (['enable', 'link', 'edit', 'set-property', 'preset', 'reenable', 'add-wants', 'add-requires'].includes(a[0] ?? '')) {
        out.push(finding(R.service, cmd, `systemctl ${a.join(' ')} installs a service that starts on its own.`, 'start the program directly in the foreground'));
      }
    } else if (n === 'launchctl') {
      const a = args(cmd).map(str);
      if (['load', 'bootstrap', 'enable', 'submit'].includes(a[0] ?? '')) {
        out.push(finding(R.service, cmd, `launchctl ${a.join(' ')} installs a launchd job that starts on its own.`, 'start the program directly'));
      }
    }
    out.push(...rootShell(cmd, n));
    return out;
  },
};


/**
 * interp: interpreter one-liners and heredoc scripts (python -c, node -e, perl -e, ruby -e, php -r, awk).
 * The code is scanned for deletes of the root, home or system paths, for shell commands it executes (parsed and
 * run through every shell rule, so `python -c "os.system('rm -rf /')"` is judged as `rm -rf /`), and for network
 * calls that travel with secrets.
 */
import type { Command, Finding, RuleContext, RulePack } from '../../ir/types.js';
import { args, classifyPath, cwdOf, describe, finding, nameOf, rule, secretPath, str } from '../util.js';
import { analyseNested } from '../nested.js';
import { deleteFinding } from './fs.js';

const R = {
  del: rule('interp.delete-outside', 'catastrophic', 'deny', 'Inline script deletes the root, a home directory, a system path or anything outside the workspace.', `python3 -c "import shutil; shutil.rmtree('/home/dev')"`),
  dynDel: rule('interp.dynamic-delete', 'high', 'ask', 'Inline script deletes recursively a path only known at run time.', `python3 -c "import shutil,sys; shutil.rmtree(sys.argv[1])" x`),
  exec: rule('interp.dynamic-exec', 'high', 'ask', 'Inline script runs shell commands that are only known at run time.', `python3 -c "import os; os.system(input())"`),
  remote: rule('interp.remote-exec', 'catastrophic', 'deny', 'Inline script executes code downloaded from the network.', `python3 -c "exec(urllib.request.urlopen(u).read())"`),
  secrets: rule('interp.network-secrets', 'high', 'ask', 'Inline script touches secrets (environment, credential files) and the network.', `node -e "fetch(u,{method:'POST',body:JSON.stringify(process.env)})"`),
  secretRead: rule('interp.secret-read', 'catastrophic', 'deny', 'Inline script reads a credential store (~/.ssh, ~/.aws, .env …).', `python3 -c "print(open('/home/dev/.ssh/id_rsa').read())"`),
};

const INTERP = /^(python[0-9.]*|pypy[0-9.]*|node|nodejs|bun|deno|perl|ruby|php|awk|gawk|mawk|nawk|busybox)$/;

/** Code of a one-liner or heredoc script, with the interpreter family. */
function codeOf(cmd: Command, n: string): { code: string; lang: string } | undefined {
  const a = args(cmd);
  const s = a.map(str);
  const lang = /^py/.test(n) ? 'python' : /^(node|nodejs|bun|deno)$/.test(n) ? 'js' : /awk$/.test(n) ? 'awk' : n;
  if (lang === 'awk') {
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '-f' || s[i] === '--file') return undefined;
      if (/^-[vFW]$/.test(s[i]!)) { i++; continue; }
      if (s[i]!.startsWith('-') && s[i] !== '-') continue;
      return { code: s[i]!, lang };
    }
    return undefined;
  }
  for (let i = 0; i < s.length; i++) {
    const x = s[i]!;
    const flag = lang === 'python' ? /^-[a-zA-Z]*c$/ : lang === 'js' ? /^(-[a-z]*[ep]|--eval|--print)$/ : lang === 'php' ? /^-r$/ : /^-[a-zA-Z]*[eE]$/;
    if (flag.test(x)) return a[i + 1] ? { code: str(a[i + 1]), lang } : undefined;
    if (lang === 'js' && /^--(eval|print)=/.test(x)) return { code: x.slice(x.indexOf('=') + 1), lang };
    if (lang === 'python' && /^-[a-zA-Z]*c./.test(x)) return { code: x.slice(x.indexOf('c') + 1), lang };
    if (lang === 'js' && n === 'deno' && x === 'eval') return a[i + 1] ? { code: str(a[i + 1]), lang } : undefined;
    if (x === '-m' || x === '-M') return undefined; // module run, e.g. python -m http.server
    if (x === '-' || x === '--') break;
    if (!x.startsWith('-')) return undefined; // script file
  }
  if (cmd.stdin.kind === 'text') return { code: cmd.stdin.text, lang };
  return undefined;
}

/** Decode the escapes of a quoted string literal in the script. */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'u' && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e;
  });
}

const STR = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;
const EXEC_CALL = new RegExp(String.raw`\b(?:os\.system|os\.popen|os\.exec\w*|subprocess\.\w+|commands\.getoutput|execSync|exec|execFile|execFileSync|spawn|spawnSync|system|shell_exec|passthru|popen|proc_open|IO\.popen|Open3\.\w+|Kernel\.(?:system|exec|spawn)|qx)\s*\(?\s*(\[[^\]]*\]|${STR})?`, 'g');
const BACKTICK = /`([^`]+)`|%x\(([^)]*)\)|%x\{([^}]*)\}|\bqx\{([^}]*)\}/g;
const AWK_PIPE = new RegExp(String.raw`(${STR})\s*\|\s*getline|\|\s*(${STR})|system\s*\(\s*(${STR})`, 'g');
const DELETE_CALL = new RegExp(String.raw`\b(shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|rmSync|rmdirSync|unlinkSync|fs\.rm|fs\.rmdir|fs\.unlink|fsp\.rm|promises\.rm|FileUtils\.(?:rm_rf|rm_r|rm|remove_dir|remove_entry(?:_secure)?|rmtree)|File\.(?:delete|unlink)|Dir\.(?:delete|rmdir|unlink)|rmtree|remove_tree|unlink|rmdir|Path)\s*\(?\s*(?:glob\s*\(\s*)?(?:${STR}|([A-Za-z_$][\w.$]*))`, 'g');
const PATHLIB_DELETE = /\.(?:unlink|rmdir|rmtree)\s*\(/;
const NETWORK = /\b(urllib|requests\.|http\.client|httpx|aiohttp|socket\.|urlopen|fetch\s*\(|require\(\s*['"](?:https?|net|dgram|tls)['"]\)|from\s+['"](?:https?|net)['"]|XMLHttpRequest|LWP|HTTP::Tiny|IO::Socket|Net::HTTP|open-uri|URI\.open|curl_exec|fsockopen|file_get_contents\(\s*['"]https?:|TCPSocket|WebSocket|Deno\.connect)/;
const SECRETS = /\b(os\.environ|os\.getenv|process\.env|ENV\[|%ENV|\$ENV\{|getenv\(|Deno\.env)|\.ssh\/|\.aws\/|\.netrc|\.git-credentials|\.npmrc|\.docker\/config|\.kube\/config|\/proc\/self\/environ|\.env\b/;
const REMOTE_EXEC = /\b(exec|eval|Function)\s*\(\s*[^)]*\b(urlopen|requests\.get|fetch|http|read\(\))/;

function checkCode(code: string, lang: string, cmd: Command, ctx: RuleContext, n: string): Finding[] {
  const out: Finding[] = [];
  const how = `${n} ${lang === 'awk' ? 'program' : '-c'}`;
  // Shell commands the script runs.
  const shell: string[] = [];
  let dynamicExec = false;
  if (lang === 'awk') {
    for (const m of code.matchAll(AWK_PIPE)) {
      const lit = m[2] ?? m[3] ?? m[5] ?? m[6] ?? m[8] ?? m[9];
      if (lit !== undefined) shell.push(unescape(lit));
    }
    dynamicExec = /system\s*\(\s*[^"'\s)]/.test(code);
  } else {
    for (const m of code.matchAll(EXEC_CALL)) {
      const arg = m[1];
      if (arg === undefined) {
        if (/\b(exec|spawn|system|popen|os\.\w+|subprocess\.\w+)\s*\(\s*[A-Za-z_$]/.test(m[0] + code.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 2))) dynamicExec = true;
        continue;
      }
      if (arg.startsWith('[')) {
        const parts = [...arg.matchAll(new RegExp(STR, 'g'))].map((x) => unescape(x[1] ?? x[2] ?? ''));
        if (parts.length) shell.push(parts.map((p) => `'${p.replace(/'/g, `'\\''`)}'`).join(' '));
        if (/[\[,]\s*[A-Za-z_$]/.test(arg)) dynamicExec = true;
      } else shell.push(unescape(m[2] ?? m[3] ?? ''));
    }
    if (lang === 'ruby' || lang === 'perl') for (const m of code.matchAll(BACKTICK)) shell.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  }
  for (const s of shell) out.push(...analyseNested(s, cmd, ctx, `${how} → exec`));
  if (dynamicExec && shell.length === 0) out.push(finding(R.exec, cmd, `${n} runs a shell command built at run time, which cordon cannot check.`, 'run the shell command directly so it can be checked'));
  // Deletes.
  const cwd = cwdOf(cmd, ctx);
  for (const m of code.matchAll(DELETE_CALL)) {
    const fn = m[1]!;
    if (fn === 'Path' && !PATHLIB_DELETE.test(code.slice(m.index ?? 0, (m.index ?? 0) + 200))) continue;
    const lit = m[2] ?? m[3];
    const recursive = /rmtree|rm_rf|rm_r|remove_dir|remove_tree|rmSync|fs\.rm\b|promises\.rm|fsp\.rm|Dir\./.test(fn) || /recursive\s*:\s*true/.test(code);
    if (lit === undefined) {
      if (recursive && m[4] && !/^(os|sys|shutil|fs|path)$/.test(m[4])) out.push(finding(R.dynDel, cmd, `${n} deletes ${m[4]} recursively, a path only known at run time.`, 'delete a literal path inside the workspace'));
      continue;
    }
    const t = classifyPath(unescape(lit).replace(/^~(?=\/|$)/, ctx.home), cwd, ctx);
    const f = deleteFinding(t, cmd, `${fn}()`, recursive || t.cls === 'root' || t.cls === 'home-root');
    if (f && f.decision === 'deny') out.push(finding(R.del, cmd, `${n} ${lang === 'awk' ? '' : '-c '}calls ${fn}() on ${describe(t)}.`, 'delete inside the workspace only'));
    else if (f) out.push(f);
  }
  // Secrets and network.
  for (const m of code.matchAll(new RegExp(STR, 'g'))) {
    const lit = unescape(m[1] ?? m[2] ?? '').replace(/^~(?=\/)/, ctx.home);
    const sec = lit.includes('/') || lit.startsWith('.env') ? secretPath(lit.startsWith('/') ? lit : `${cwd ?? ctx.workspace}/${lit}`, ctx.home) : undefined;
    if (sec && /open|read|cat|File|fs\.|Path|load|require/.test(code)) {
      out.push(finding(R.secretRead, cmd, `${n} reads ${lit} (${sec}): secrets would be exposed.`, 'use the credential through its own tool without printing it'));
      break;
    }
  }
  const net = NETWORK.test(code);
  if (net && REMOTE_EXEC.test(code)) out.push(finding(R.remote, cmd, `${n} executes code fetched from the network.`, 'download the code to a file, read it, then run it'));
  else if (net && SECRETS.test(code)) out.push(finding(R.secrets, cmd, `${n} reads secrets (environment or credential files) and talks to the network: they could be sent away.`, 'pass only the specific non-secret values the script needs'));
  return out;
}

export const interpPack: RulePack = {
  id: 'interp',
  rules: Object.values(R),
  heads: ['python', 'python2', 'python3', 'pypy', 'pypy3', 'node', 'nodejs', 'bun', 'deno', 'perl', 'ruby', 'php', 'awk', 'gawk', 'mawk', 'nawk', 'busybox'],
  check(cmd, ctx) {
    let n = nameOf(cmd)!;
    let c = cmd;
    if (n === 'busybox') {
      n = str(cmd.argv[1]).toLowerCase();
      if (!/awk$/.test(n)) return [];
      c = { ...cmd, argv: cmd.argv.slice(1) };
    }
    if (!INTERP.test(n)) return [];
    const code = codeOf(c, n);
    if (!code || code.code.length === 0) return [];
    return checkCode(code.code, code.lang, cmd, ctx, n);
  },
};


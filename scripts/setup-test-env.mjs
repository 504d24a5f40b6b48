// Runs before `npm test`: checks that what the tests drive for real is installed, and installs the system
// packages the suite needs when it can (CI runs as root on Debian). Tests that need something that is still
// missing skip with a message naming it; this script says so up front.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const claude = join(root, 'node_modules/.bin/claude');
const v = existsSync(claude) ? spawnSync(claude, ['--version'], { encoding: 'utf8', timeout: 60_000 }) : undefined;
if (!v || v.status !== 0) {
  console.error(`setup: the Claude Code CLI is not usable at ${claude}; run \`npm ci\` (its postinstall places the native binary).`);
  process.exit(1);
}
console.log(`setup: Claude Code CLI ${v.stdout.trim()}`);

// Debian packages some suites use (browser for the review UI, PostgreSQL for the shared audit sink, bubblewrap
// and friends for the sandbox). Installed only when missing and only as root, so developer machines are not
// touched without consent.
const DEFAULT_APT = 'bubblewrap socat ripgrep chromium postgresql curl openssl git';
const wanted = (process.env.CORDON_TEST_APT ?? DEFAULT_APT).split(/\s+/).filter(Boolean);
const missing = wanted.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
if (missing.length > 0) {
  if (process.getuid?.() === 0) {
    console.log(`setup: installing ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    if (r.status !== 0) console.error(`setup: apt-get install failed; tests that need ${missing.join(', ')} will skip`);
  } else {
    console.log(`setup: not root, not installing ${missing.join(' ')}; tests that need them will skip`);
  }
}

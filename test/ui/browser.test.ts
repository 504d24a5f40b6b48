/**
 * End to end in a real headless Chromium: the CLI serves a seeded store, the browser signs in through the printed
 * one-time link, filters, opens a timeline, sees hostile record content as inert text, and sees the verify badge
 * turn from intact to broken after the database is edited behind the store's back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOSTILE_COMMAND, seed, tamper } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SHOT = '/tmp/cordon-ui.png';

/**
 * Waits for a condition checked from outside the page (locator queries). The page's CSP forbids eval, which
 * Playwright's waitForFunction needs for polling, and the test must not weaken that CSP to run.
 */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startCli(home: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [MAIN, 'ui', '--port', '0', '--no-open', '--exit-after-ms', '300000'], {
    env: { ...process.env, CORDON_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('exit', (code) => reject(new Error(`cordon ui exited (${code}) before printing a link: ${out}${err}`)));
  });
  return { child, url };
}

test('review UI in headless Chromium: sign-in, filters, timeline, hostile content, verify badge', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is not installed (Debian package chromium; npm test installs it as root via CORDON_TEST_APT)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const home = seed();
  const cli = startCli(home);
  t.after(() => cli.child.kill('SIGTERM'));
  const url = await cli.url;
  const origin = new URL(url).origin;
  const port = new URL(url).port;

  const profile = mkdtempSync(join(tmpdir(), 'cordon-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // A name that resolves to loopback, as a DNS-rebinding attacker's domain would.
      '--host-resolver-rules=MAP rebind.test 127.0.0.1',
    ],
  });
  // One ordered cleanup: the profile can only be removed once the browser has let go of it.
  t.after(async () => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  const problems: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const rowsOf = (table: string) => page.locator(`#${table} tbody tr`);
  const count = (table: string, n: number) => until(`${n} rows in #${table}`, async () => (await rowsOf(table).count()) === n);
  const textIs = (sel: string, want: string) => until(`${sel} to read ${JSON.stringify(want)}`, async () => (await page.locator(sel).textContent()) === want);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });

  // Sign in: the token link redirects to the bare origin and leaves a cookie the script cannot read.
  const first = await page.goto(url);
  assert.equal(first?.status(), 200);
  assert.equal(page.url(), `${origin}/`);
  const cookies = await context.cookies(origin);
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0]?.httpOnly, true);
  assert.equal(cookies[0]?.sameSite, 'Strict');
  assert.equal(await page.evaluate('document.cookie'), '');

  // Three sessions, the one that read untrusted content highlighted; chain intact.
  await count('sessions', 3);
  const rows = page.locator('#sessions tbody tr');
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { session: string } }).dataset.session));
  assert.deepEqual(ids, ['sess-plain', 'sess-taint', 'sess-deny']);
  assert.deepEqual(await page.locator('#sessions tbody tr.tainted').evaluateAll((trs) => trs.length), 1);
  assert.match((await page.locator('#sessions tbody tr.tainted').textContent()) ?? '', /sess-taint.*untrusted/);
  await textIs('#verify-status', 'intact');
  assert.match((await page.locator('#verify').textContent()) ?? '', /intact\s*8 records \(1–8\)/);
  assert.equal(await page.locator('#verify').getAttribute('data-status'), 'intact');

  // Filter to denials, open that session's timeline.
  await page.selectOption('#f-decision', 'deny');
  await count('sessions', 1);
  assert.equal(await page.locator('#sessions tbody tr').getAttribute('data-session'), 'sess-deny');
  await page.click('#sessions tbody tr button.session-link');
  await count('timeline', 1);
  const deny = page.locator('#timeline tbody tr');
  assert.equal(await deny.locator('td.rule').textContent(), 'git.force-push');
  assert.match((await deny.locator('td.reason').textContent()) ?? '', /^force push rewrites shared history; use --force-with-lease/);
  assert.equal(await deny.locator('td.decision').textContent(), 'deny');
  assert.equal(await deny.locator('td.num').textContent(), '12 ms');

  // Hostile content is shown as text: no element parsed from it, nothing ran.
  assert.equal(await deny.locator('td.input').textContent(), HOSTILE_COMMAND);
  assert.equal(await page.locator('#timeline tbody').locator('script, img, iframe, b').count(), 0);
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  await deny.locator('td.reason').hover();
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  assert.deepEqual(dialogs, []);

  // Untrusted-only filter shows the ingestion record of the tainted session.
  await page.selectOption('#f-decision', '');
  await page.check('#f-tainted');
  await count('sessions', 1);
  await page.click('#sessions tbody tr button.session-link');
  await textIs('#timeline-session', 'sess-taint');
  await count('timeline', 1);
  assert.match((await page.locator('#timeline tbody tr.tainted').textContent()) ?? '', /PostToolUse.*WebFetch/);
  await page.uncheck('#f-tainted');
  await page.click('#sessions tbody tr[data-session="sess-deny"] button.session-link');
  await count('timeline', 3);
  await page.screenshot({ path: SHOT, fullPage: true });

  // Tamper with the database; a reload shows the break and where it is, and keeps the open session.
  tamper(home, 2);
  await page.reload();
  await textIs('#verify-status', 'broken');
  assert.match((await page.locator('#verify-detail').textContent()) ?? '', /record 2 \(PreToolUse Bash, .*\): content changed since it was written/);
  await textIs('#timeline-session', 'sess-deny');
  await until('the broken record to be marked', async () => (await page.locator('#timeline tbody tr.broken').count()) === 1);
  assert.equal(await page.locator('#timeline tbody tr.broken').getAttribute('data-id'), '2');
  assert.match((await page.locator('#timeline tbody tr.broken').textContent()) ?? '', /chain breaks here/);
  await page.screenshot({ path: '/tmp/cordon-ui-broken.png', fullPage: true });
  assert.deepEqual(problems, []);

  // A rebound name reaches the socket but not the data.
  const rebound = await page.goto(`http://rebind.test:${port}/api/sessions`);
  assert.equal(rebound?.status(), 403);
  // Without the cookie (and with the spent link) the browser is refused.
  await context.clearCookies();
  assert.equal((await page.goto(`${origin}/api/sessions`))?.status(), 403);
  assert.equal((await page.goto(url))?.status(), 403);
});

/**
 * The project's own corpora: every everyday command must pass untouched (allow, no findings) and every dangerous
 * command must reach its expected decision through its expected rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, ready } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled tests run from dist/test/rules; the corpora stay next to the sources in test/rules.
const dir = resolve(here, '../../../test/rules');
const everyday = readFileSync(resolve(dir, 'everyday.txt'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
const dangerous = readFileSync(resolve(dir, 'dangerous.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { cmd: string; expect: 'deny' | 'ask'; rule: string });

test('corpora are large enough', () => {
  assert.ok(everyday.length >= 150, `everyday has ${everyday.length} lines`);
  assert.ok(dangerous.length >= 150, `dangerous has ${dangerous.length} lines`);
});

test('everyday commands are allowed with no findings', async () => {
  await ready();
  const bad = everyday.map((cmd) => ({ cmd, r: check(cmd) })).filter(({ r }) => r.decision !== 'allow' || r.findings.length > 0);
  assert.deepEqual(bad.map(({ cmd, r }) => `${cmd} → ${r.decision} ${r.findings.map((f) => f.ruleId).join(',')}`), []);
});

test('dangerous commands reach the expected decision and rule', async () => {
  await ready();
  const bad: string[] = [];
  for (const row of dangerous) {
    const r = check(row.cmd);
    if (r.decision !== row.expect || !r.findings.some((f) => f.ruleId === row.rule)) {
      bad.push(`${JSON.stringify(row.cmd)} expected ${row.expect} ${row.rule}, got ${r.decision} ${r.findings.map((f) => f.ruleId).join(',')}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('every dangerous finding carries a reason, and the decisive one an evidence text', async () => {
  await ready();
  for (const row of dangerous) {
    const f = check(row.cmd).findings[0]!;
    assert.ok(f.reason.length > 10 && !f.reason.includes('\n'), `reason of ${row.cmd}`);
  }
});

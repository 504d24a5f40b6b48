/**
 * Agreement with other projects' labelled shell corpora (../shared/corpora/shell-external.jsonl). "block" agrees
 * with deny or ask, "allow" with allow. Figures are printed per source; the test fails below 95% overall.
 * The borderline file (policy-dependent rows) is printed grouped by `why`, never asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, ready } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/test/rules → repo root is three levels up; sources in test/rules are two levels down.
const repo = [resolve(here, '../../..'), resolve(here, '../..')].find((r) => existsSync(resolve(r, 'package.json'))) ?? resolve(here, '../../..');
const corpora = resolve(repo, '../shared/corpora');
const MAIN = resolve(corpora, 'shell-external.jsonl');
const BORDER = resolve(corpora, 'shell-external-borderline.jsonl');

interface Row { src: string; expect: 'block' | 'allow'; cmd: string; why?: string }
const load = (f: string): Row[] => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);

export function score(rows: Row[]): { bySrc: Map<string, [number, number]>; misses: { row: Row; got: string; rule: string }[] } {
  const bySrc = new Map<string, [number, number]>();
  const misses: { row: Row; got: string; rule: string }[] = [];
  for (const row of rows) {
    const r = check(row.cmd);
    const ok = row.expect === 'block' ? r.decision !== 'allow' : r.decision === 'allow';
    const key = row.src.split(':')[0]!;
    const s = bySrc.get(key) ?? [0, 0];
    s[0] += ok ? 1 : 0;
    s[1] += 1;
    bySrc.set(key, s);
    if (!ok) misses.push({ row, got: r.decision, rule: r.findings[0]?.ruleId ?? '-' });
  }
  return { bySrc, misses };
}

test('external corpus agreement', async (t) => {
  if (!existsSync(MAIN)) { t.skip(`corpus not found at ${MAIN}`); return; }
  await ready();
  const { bySrc, misses } = score(load(MAIN));
  let ok = 0;
  let all = 0;
  for (const [src, [a, n]] of bySrc) {
    ok += a; all += n;
    t.diagnostic(`${src}: ${a}/${n} = ${(100 * a / n).toFixed(1)}%`);
  }
  t.diagnostic(`overall: ${ok}/${all} = ${(100 * ok / all).toFixed(1)}%`);
  for (const m of misses) t.diagnostic(`disagree [${m.row.expect} → ${m.got} ${m.rule}] ${m.row.src}: ${JSON.stringify(m.row.cmd).slice(0, 160)}`);
  assert.ok(ok / all >= 0.95, `agreement ${(100 * ok / all).toFixed(1)}% is below 95%`);
});

test('external borderline corpus (report only)', async (t) => {
  if (!existsSync(BORDER)) { t.skip(`corpus not found at ${BORDER}`); return; }
  await ready();
  const groups = new Map<string, { agree: number; n: number; expect: string }>();
  for (const row of load(BORDER)) {
    const r = check(row.cmd);
    const ok = row.expect === 'block' ? r.decision !== 'allow' : r.decision === 'allow';
    const g = groups.get(row.why ?? '-') ?? { agree: 0, n: 0, expect: row.expect };
    g.agree += ok ? 1 : 0;
    g.n += 1;
    groups.set(row.why ?? '-', g);
  }
  for (const [why, g] of [...groups].sort((a, b) => b[1].n - a[1].n)) t.diagnostic(`${g.agree}/${g.n} agree (label ${g.expect}): ${why}`);
});

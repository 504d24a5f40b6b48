/**
 * The labelled set in test/fixtures/injection meets the detector's targets: TPR ≥ 0.90 and FPR ≤ 0.03 overall,
 * and its rows are well-formed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectInjection } from '../../src/inject/detect.js';

const path = fileURLToPath(new URL('../../../test/fixtures/injection/labelled.jsonl', import.meta.url));
const CLASSES = new Set(['web', 'email', 'code', 'table', 'readme', 'issue', 'tool-output']);
interface Row { id: string; class: string; label: 'inject' | 'clean'; text: string }
const rows = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);

test('labelled set is well-formed', () => {
  assert.ok(rows.length >= 200, `${rows.length} rows`);
  const ids = new Set<string>();
  for (const r of rows) {
    assert.ok(!ids.has(r.id), `duplicate id ${r.id}`);
    ids.add(r.id);
    assert.ok(CLASSES.has(r.class), `${r.id}: class ${r.class}`);
    assert.ok(r.label === 'inject' || r.label === 'clean', `${r.id}: label ${r.label}`);
    assert.equal(typeof r.text, 'string');
  }
  for (const c of CLASSES) {
    assert.ok(rows.some((r) => r.class === c && r.label === 'clean'), `no clean ${c} rows`);
    assert.ok(rows.some((r) => r.class === c && r.label === 'inject'), `no inject ${c} rows`);
  }
});

test('labelled set: TPR >= 0.90 and FPR <= 0.03', () => {
  let tp = 0, pos = 0, fp = 0, neg = 0;
  const wrong: string[] = [];
  for (const r of rows) {
    const hit = detectInjection(r.text).verdict === 'inject';
    if (r.label === 'inject') { pos++; if (hit) tp++; else wrong.push(`missed ${r.id}`); }
    else { neg++; if (hit) { fp++; wrong.push(`false positive ${r.id}`); } }
  }
  const tpr = tp / pos;
  const fpr = fp / neg;
  assert.ok(tpr >= 0.9, `TPR ${tpr.toFixed(3)}: ${wrong.join(', ')}`);
  assert.ok(fpr <= 0.03, `FPR ${fpr.toFixed(3)}: ${wrong.join(', ')}`);
});

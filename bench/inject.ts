/**
 * Benchmark for the prompt-injection detector: TPR/FPR per class on the labelled set shipped in
 * test/fixtures/injection, the same per source on the shared public corpus when it is present next to the repo
 * (../shared/corpora/injection.jsonl), and throughput in MB/s on ordinary and adversarial multi-megabyte inputs.
 *
 *   node dist/bench/inject.js [--trust untrusted|semi|prompt] [--misses]
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { detectInjection, type Trust } from '../src/inject/detect.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Repo root from either bench/ (ts) or dist/bench/ (js). */
const repo = existsSync(resolve(here, '../package.json')) ? resolve(here, '..') : resolve(here, '../..');
const args = process.argv.slice(2);
const trustArg = args.indexOf('--trust');
const trust = (trustArg >= 0 ? args[trustArg + 1] : 'untrusted') as Trust;
const showMisses = args.includes('--misses');

interface Row {
  group: string;
  inject: boolean;
  text: string;
  id: string;
}

interface Tally {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

function tally(rows: Row[], print = showMisses): Map<string, Tally> {
  const by = new Map<string, Tally>();
  const all: Tally = { tp: 0, fn: 0, fp: 0, tn: 0 };
  for (const r of rows) {
    const t = by.get(r.group) ?? { tp: 0, fn: 0, fp: 0, tn: 0 };
    by.set(r.group, t);
    const res = detectInjection(r.text, { trust });
    const hit = res.verdict === 'inject';
    for (const x of [t, all]) {
      if (r.inject) hit ? x.tp++ : x.fn++;
      else hit ? x.fp++ : x.tn++;
    }
    if (print && hit !== r.inject) {
      console.log(`  ${r.inject ? 'MISS' : 'FP  '} ${r.id} score=${res.score} ${res.findings.map((f) => f.id).join(',')} | ${JSON.stringify(r.text.slice(0, 100))}`);
    }
  }
  by.set('ALL', all);
  return by;
}

const pct = (a: number, b: number) => (b === 0 ? '   n/a' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);

function report(title: string, by: Map<string, Tally>): void {
  console.log(`\n${title} (trust=${trust})`);
  console.log(`${'group'.padEnd(40)} ${'pos'.padStart(5)} ${'TPR'.padStart(6)} ${'neg'.padStart(5)} ${'FPR'.padStart(6)}`);
  for (const [g, t] of [...by].sort((a, b) => (a[0] === 'ALL' ? 1 : b[0] === 'ALL' ? -1 : a[0].localeCompare(b[0])))) {
    console.log(`${g.padEnd(40)} ${String(t.tp + t.fn).padStart(5)} ${pct(t.tp, t.tp + t.fn)} ${String(t.fp + t.tn).padStart(5)} ${pct(t.fp, t.fp + t.tn)}`);
  }
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// ---- own labelled set --------------------------------------------------------------------------------------
const own = readJsonl(resolve(repo, 'test/fixtures/injection/labelled.jsonl')).map((r) => ({
  group: String(r.class),
  inject: r.label === 'inject',
  text: String(r.text),
  id: String(r.id),
}));
report('Labelled set (test/fixtures/injection/labelled.jsonl)', tally(own));

// ---- shared public corpus -----------------------------------------------------------------------------------
/**
 * BIPIA's "task-irrelevant" text attacks insert an unrelated request ("Recommend a good book…") rather than an
 * instruction aimed at the agent; they are reported both ways.
 */
const OFF_TOPIC = /:(?:Task Automation|Business Intelligence|Conversational Agent|Research Assistance|Sentiment Analysis)-\d+@/;

function srcGroup(src: string): string {
  if (src.startsWith('bipia:')) {
    const kind = /benchmark\/(\w+)\//.exec(src)?.[1] ?? 'other';
    return `bipia:${kind}${OFF_TOPIC.test(src) ? ' (off-topic)' : ''}`;
  }
  return src.split(/[:#]/)[0] ?? src;
}

const shared = resolve(repo, '../shared/corpora/injection.jsonl');
if (!existsSync(shared)) {
  console.log(`\nShared corpus not found at ${shared}; skipped.`);
} else {
  const rows = readJsonl(shared).map((r) => ({
    group: srcGroup(String(r.src)),
    inject: r.expect === 'inject',
    text: String(r.text),
    id: String(r.src),
  }));
  const with_ = tally(rows);
  report('Shared corpus, per source (off-topic BIPIA attacks listed separately)', with_);
  const without = tally(rows.filter((r) => !r.group.endsWith('(off-topic)')), false);
  const a = without.get('ALL')!;
  console.log(`ALL without off-topic BIPIA rows: TPR ${pct(a.tp, a.tp + a.fn)}  FPR ${pct(a.fp, a.fp + a.tn)}  (${a.tp + a.fn} pos, ${a.fp + a.tn} neg)`);
}

// ---- throughput --------------------------------------------------------------------------------------------
function mbps(label: string, text: string): void {
  detectInjection(text.slice(0, 10_000));
  const t0 = performance.now();
  const r = detectInjection(text);
  const ms = performance.now() - t0;
  const mb = Buffer.byteLength(text) / 1e6;
  console.log(`${label.padEnd(46)} ${mb.toFixed(1)} MB in ${ms.toFixed(0).padStart(5)} ms = ${(mb / (ms / 1000)).toFixed(1).padStart(6)} MB/s  (${r.verdict}, ${r.findings.length} findings)`);
}

console.log('\nThroughput');
const cleanText = own.filter((r) => !r.inject).map((r) => r.text).join('\n\n');
const big = (s: string, bytes = 5_000_000) => s.repeat(Math.ceil(bytes / Math.max(1, Buffer.byteLength(s)))).slice(0, bytes);
mbps('clean developer text x5MB', big(cleanText));
mbps('log lines x5MB', big('2024-04-01T10:12:03Z ERROR job 8812 failed: upstream returned 503, retrying in 30s\n'));
mbps('base64 blob 5MB', big('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw'));
mbps('adversarial: "ignore " repeated', big('ignore '));
mbps('adversarial: unterminated "<!--" repeated', big('<!-- x '));
mbps('adversarial: zero-width between letters', big('a\u200bb\u200b'));
mbps('adversarial: "![" image prefixes', big('![a](http://x/?'));

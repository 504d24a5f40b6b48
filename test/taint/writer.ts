/**
 * Child process for the taint concurrency test: records N taint entries (and visits) for one session.
 * Usage: node writer.js <stateDir> <sessionId> <count> <tag>. Without arguments it does nothing.
 */
import { recordTaint, recordVisit } from '../../src/taint/store.js';

const [stateDir, sessionId, countText, tag = 'w'] = process.argv.slice(2);
if (stateDir !== undefined && sessionId !== undefined && countText !== undefined) {
  const count = Number(countText);
  for (let i = 0; i < count; i++) {
    recordTaint(stateDir, sessionId, {
      ts: Date.now(),
      tool: 'WebFetch',
      source: `WebFetch https://${tag}.example/${i}`,
      trust: 'untrusted',
      kind: 'detection',
      score: 0.9,
      findings: ['override.ignore-previous'],
      toolUseId: `${tag}-${i}`,
    });
    recordVisit(stateDir, sessionId, `https://${tag}.example/${i}`);
  }
}

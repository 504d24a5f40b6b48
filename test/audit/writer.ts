/**
 * Child process for the concurrency tests and the append benchmark: appends N records to the audit store under a
 * state dir. Usage: node writer.js <stateDir> <count> <tag>. Without arguments it does nothing (so a test runner
 * that picks it up as a test file sees it pass).
 */
import { openAuditStore } from '../../src/audit/index.js';

const [stateDir, countText, tag = 'w'] = process.argv.slice(2);
if (stateDir !== undefined && countText !== undefined) {
  const store = openAuditStore({ stateDir });
  const count = Number(countText);
  for (let i = 0; i < count; i++) {
    store.append({
      sessionId: `session-${tag}`,
      event: 'PreToolUse',
      tool: 'Bash',
      toolUseId: `${tag}-${i}`,
      input: { command: `echo ${tag} ${i}` },
      decision: i % 10 === 0 ? 'deny' : 'allow',
      ruleId: i % 10 === 0 ? 'test.deny' : 'core.allow',
      reason: 'concurrency test',
      durationMs: 0.5,
      cwd: '/tmp',
    });
  }
  store.close();
}

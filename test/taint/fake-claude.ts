/**
 * Stand-in for `claude -p` in the pipeline tests: appends {argv, cwd, step, overlay} to $FAKE_CLAUDE_LOG and prints
 * a final JSON result. The ingest answer is $FAKE_CLAUDE_SUMMARY. Without arguments it does nothing.
 */
import { appendFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args[0] === '-p' && process.env.FAKE_CLAUDE_LOG) {
  const step = process.env.CORDON_PIPELINE_STEP ?? 'none';
  appendFileSync(process.env.FAKE_CLAUDE_LOG, `${JSON.stringify({ args, cwd: process.cwd(), step, overlay: process.env.CORDON_POLICY_OVERLAY })}\n`);
  const result = step === 'ingest' ? (process.env.FAKE_CLAUDE_SUMMARY ?? 'summary') : 'act done';
  process.stdout.write(`${JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result })}\n`);
}

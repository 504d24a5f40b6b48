/**
 * The secret broker through the real Claude Code CLI: the model runs `cordon exec --secret DEPLOY_TOKEN -- …` in
 * Bash, naming the secret, never holding it. The child gets the value (it writes its hash where the test can
 * check it), the model sees the masked output only, and a command outside the secret's scope is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeModel, toolResultsOf } from '../../src/testkit/fake-model.js';
import { runClaude } from '../../src/testkit/claude-run.js';
import { initProject, SKIP_NO_CLAUDE } from './project.js';

const SKIP = SKIP_NO_CLAUDE || (existsSync('/usr/bin/bwrap') ? false : 'bubblewrap missing (apt-get install bubblewrap socat ripgrep)');

test('cordon exec hands a scoped secret to one command; the model sees only its name', { skip: SKIP, timeout: 120_000 }, async () => {
  const p = initProject();
  try {
    const value = 'dpl_' + randomBytes(18).toString('hex');
    const add = p.cordon(['secrets', 'add', 'DEPLOY_TOKEN', '--scope-cmd', 'python3'], value + '\n');
    assert.equal(add.code, 0, add.stdout + add.stderr);
    const model = await startFakeModel([
      {
        tool: 'Bash',
        input: {
          command:
            "cordon exec --secret DEPLOY_TOKEN -- python3 -c \"import os,hashlib;t=os.environ['DEPLOY_TOKEN'];open('token.sha','w').write(hashlib.sha256(t.encode()).hexdigest());print('using', t)\"",
          description: 'deploy',
        },
      },
      { tool: 'Bash', input: { command: 'cordon exec --secret DEPLOY_TOKEN -- ls', description: 'out of scope' } },
    ]);
    try {
      const run = await runClaude({ cwd: p.repo, home: p.home, prompt: 'deploy', modelUrl: model.url, permissionMode: 'bypass', env: p.env });
      assert.equal(run.code, 0, run.stderr);
      const results = toolResultsOf(model.requests);
      assert.equal(results.length, 2, JSON.stringify(results));
      const expected = createHash('sha256').update(value).digest('hex');
      assert.equal(readFileSync(join(p.repo, 'token.sha'), 'utf8'), expected, 'the child received the secret');
      assert.match(results[0]!.content, /using \[secret:DEPLOY_TOKEN\]/);
      assert.equal(results[1]!.isError, true, 'a command outside the scope is refused');
      assert.match(results[1]!.content, /scope|DEPLOY_TOKEN/);
      assert.equal(JSON.stringify(model.requests).includes(value), false, 'the value never reaches the model');
    } finally {
      await model.close();
    }
  } finally {
    p.cleanup();
  }
});

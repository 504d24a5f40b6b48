/**
 * The hard test: a unique secret is planted in the store, commands print it in every way that counts (plainly, in
 * base64, percent-encoded, in hex, split across two writes with a pause in between, on stderr), under `cordon exec`
 * and under the `cordon mask` rewrite, and the captured output must contain none of its forms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskWrap } from '../../src/secrets/mask.js';
import { SecretStore } from '../../src/secrets/store.js';
import { cli, encodings, run, tempHome, uniqueToken } from './helpers.js';

const NODE = JSON.stringify(process.execPath);
const enc = (how: string): string => `${NODE} -e 'process.stdout.write(Buffer.from(process.env.LEAK).toString("${how}"))'`;

/** Each prints $LEAK (set to the secret) one way; none has the value in its own text. */
const PRINTERS: Record<string, string> = {
  plain: 'echo "token=$LEAK"',
  base64Tool: 'printf %s "$LEAK" | base64',
  base64: `${enc('base64')}; echo`,
  base64url: `${enc('base64url')}; echo`,
  inBase64Blob: `${NODE} -e 'process.stdout.write(Buffer.from("prefix:" + process.env.LEAK + ":suffix").toString("base64"))'; echo`,
  url: `${NODE} -e 'process.stdout.write("q=" + encodeURIComponent(process.env.LEAK))'; echo`,
  hexTool: `printf %s "$LEAK" | od -An -v -tx1 | tr -d ' \\n'; echo`,
  HEX: `${NODE} -e 'process.stdout.write(Buffer.from(process.env.LEAK).toString("hex").toUpperCase())'; echo`,
  split: 'printf %s "${LEAK:0:13}"; sleep 0.3; printf "%s\\n" "${LEAK:13}"',
  splitBase64: `B=$(printf %s "$LEAK" | base64 | tr -d '\\n'); printf %s "\${B:0:9}"; sleep 0.3; printf "%s\\n" "\${B:9}"`,
  byteByByte: 'for ((i=0;i<${#LEAK};i++)); do printf %s "${LEAK:i:1}"; sleep 0.005; done; echo',
  stderr: 'echo "$LEAK" >&2; printf %s "$LEAK" | base64 >&2',
};

function assertClean(label: string, output: string, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    for (const [form, e] of Object.entries(encodings(value))) {
      assert.equal(output.includes(e), false, `${label}: the ${form} form of ${name} leaked: ${JSON.stringify(output.slice(0, 300))}`);
    }
  }
}

function plant(): { home: string; values: Record<string, string> } {
  const home = tempHome();
  const values = { GH_TOKEN: uniqueToken(), DB_PASSWORD: `p@ss w/rd+${uniqueToken('')}&=?` };
  const store = new SecretStore(home);
  for (const [name, value] of Object.entries(values)) store.add(name, { value }, { commands: ['bash'] });
  return { home, values };
}

for (const secret of ['GH_TOKEN', 'DB_PASSWORD'] as const) {
  test(`cordon exec never lets ${secret} through, in any form`, async () => {
    const { home, values } = plant();
    for (const [label, printer] of Object.entries(PRINTERS)) {
      const r = await cli(home, ['exec', '--secret', `${secret}=LEAK`, '--', 'bash', '-c', printer]);
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assertClean(`exec/${label}`, r.stdout + r.stderr, values);
      assert.match(r.stdout + r.stderr, new RegExp(`\\[secret:${secret}\\]`), `${label}: expected a marker in ${JSON.stringify(r.stdout + r.stderr)}`);
    }
  });

  test(`the cordon mask rewrite never lets ${secret} through, in any form`, async () => {
    const { home, values } = plant();
    for (const [label, printer] of Object.entries(PRINTERS)) {
      const r = await run('bash', ['-c', maskWrap(printer)], { env: { ...process.env, CORDON_HOME: home, LEAK: values[secret] } });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assertClean(`mask/${label}`, r.stdout + r.stderr, values);
      assert.match(r.stdout + r.stderr, new RegExp(`\\[secret:${secret}\\]`), label);
      if (label === 'stderr') assert.equal(r.stdout, '', 'stderr output stays on stderr');
    }
  });
}

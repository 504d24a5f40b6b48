// After tsc: stamp the build id (hash of the compiled sources), mark entry points executable, and write the
// policy JSON Schema that editors use for completion.
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const srcDir = join(root, 'dist/src');

// Shell scripts are part of the build: tsc does not copy them.
copyFileSync(join(root, 'src/sandbox/entry.sh'), join(srcDir, 'sandbox/entry.sh'));

// The hook client carries the id itself (it loads no other file of ours); its stamped line is hashed as
// unstamped, so that stamping again gives the same id.
const client = join(srcDir, 'hook/client.cjs');
const STAMP = /^(exports\.CLIENT_BUILD_ID = )'[^']*'(; \/\/ build-id: stamped by scripts\/postbuild\.mjs)$/gm;
const unstamped = (text) => text.replace(STAMP, "$1'dev'$2");

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : /\.(c?js|sh)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}
const files = walk(srcDir).filter((f) => !/\/build-id\.c?js$/.test(f)).sort();
const h = createHash('sha256');
for (const f of files) {
  const text = f === client ? Buffer.from(unstamped(readFileSync(f, 'utf8'))) : readFileSync(f);
  h.update(f.slice(srcDir.length)).update('\0').update(text).update('\0');
}
const id = h.digest('hex').slice(0, 12);
writeFileSync(join(srcDir, 'build-id.cjs'), `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.BUILD_ID = '${id}';\n`);
const clientText = readFileSync(client, 'utf8');
const stamps = clientText.match(STAMP) ?? [];
if (stamps.length !== 1) throw new Error(`${client}: expected one build-id line to stamp, found ${stamps.length}`);
writeFileSync(client, clientText.replace(STAMP, `$1'${id}'$2`));

for (const f of ['dist/src/cli/main.js', 'dist/src/hook/client.cjs', 'dist/src/daemon/main.js']) {
  const p = join(root, f);
  if (existsSync(p)) chmodSync(p, 0o755);
}

const { PolicySchema } = await import(join(srcDir, 'policy/schema.js'));
const { z } = await import('zod');
const schema = z.toJSONSchema(PolicySchema, { io: 'input', target: 'draft-7' });
schema.title = 'cordon policy';
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, 'schema/policy.schema.json'), JSON.stringify(schema, null, 2) + '\n');

// Marks the CLI entry points executable after tsc (tsc does not keep modes).
import { chmodSync, existsSync } from 'node:fs';
for (const f of ['dist/src/cli/main.js', 'dist/src/hook/client.js']) {
  if (existsSync(f)) chmodSync(f, 0o755);
}

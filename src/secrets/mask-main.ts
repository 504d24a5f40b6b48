/**
 * Direct entry for the Bash rewrite: `node mask-main.js [--shell S] [--state-dir D] --b64 PIECES…`. Same work as
 * `cordon mask --b64`, without loading the command-line framework and every verb, because it runs on every Bash call.
 */
import { runMask } from './mask.js';

const argv = process.argv.slice(2);
let shell: string | undefined;
let stateDir: string | undefined;
let b64: string[] | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--shell') shell = argv[++i];
  else if (a === '--state-dir') stateDir = argv[++i];
  else if (a === '--b64') {
    b64 = argv.slice(i + 1);
    break;
  } else {
    process.stderr.write(`cordon mask: unexpected argument ${JSON.stringify(a.slice(0, 40))}; the hook's rewrite is damaged\n`);
    process.exit(2);
  }
}
process.exitCode = await runMask({ ...(b64 ? { b64 } : {}), ...(shell ? { shell } : {}), ...(stateDir ? { stateDir } : {}) });

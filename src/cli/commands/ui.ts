/**
 * `cordon ui [--port N] [--no-open]`: review the audit trail in a browser. The server and the store are imported
 * inside the action so loading the CLI stays light.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';

function nonNegativeInt(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name} must be an integer from 0 to ${max}.`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('ui')
    .description('Review the audit trail in your browser: a read-only page on 127.0.0.1 behind a one-time link')
    .option('--port <n>', 'port to listen on (default: a free port)', nonNegativeInt('--port', 65535))
    .option('--no-open', 'print the link without opening a browser')
    .addOption(new Option('--exit-after-ms <ms>', 'stop after this many milliseconds').argParser(nonNegativeInt('--exit-after-ms', 2 ** 31 - 1)).hideHelp())
    .action(async (opts: { port?: number; open: boolean; exitAfterMs?: number }) => {
      try {
        const { startUiServer, openBrowser } = await import('../../ui/index.js');
        const { stateDir } = await import('../../state.js');
        const dir = stateDir();
        const server = await startUiServer({ stateDir: dir, port: opts.port ?? 0 });
        console.log(`cordon ui: reviewing the audit trail in ${dir}`);
        console.log(`  open ${server.url}`);
        console.log('  the link works once (it signs in the browser that opens it); press Ctrl-C to stop');
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          void server.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (opts.exitAfterMs !== undefined) setTimeout(stop, opts.exitAfterMs).unref();
        if (opts.open && !(await openBrowser(server.url))) {
          console.error('cordon ui: could not start a browser; open the link above yourself');
        }
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'EADDRINUSE' ? `port ${opts.port} is in use; pick another with --port or omit it for a free one` : e.message;
        console.error(`cordon ui: ${why}`);
        process.exitCode = 1;
      }
    });
}

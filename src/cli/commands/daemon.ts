/** `cordon daemon status|stop`: the per-user analysis daemon that keeps hook calls near the cost of starting node. */
import type { Command } from 'commander';

export function register(program: Command): void {
  const d = program
    .command('daemon')
    .description('Inspect or stop the per-user analysis daemon (it starts by itself on the first hook call)');
  d.command('status')
    .description('Show whether a daemon of this build is answering')
    .action(async () => {
      const { daemonStatus } = await import('../../daemon/control.js');
      const s = await daemonStatus(process.env);
      console.log(s.running ? `running (pid ${s.pid ?? '?'}) on ${s.socket}` : `not running${s.socket ? ` (socket ${s.socket})` : ' (state dir path too long for a socket: hooks decide in-process)'}`);
    });
  d.command('stop')
    .description('Stop the daemon of this build (hooks keep working in-process and start a new one on demand)')
    .action(async () => {
      const { stopDaemon } = await import('../../daemon/control.js');
      console.log((await stopDaemon(process.env)) ? 'stopped' : 'no daemon was running');
    });
}

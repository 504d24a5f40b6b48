/** `cordon secrets add|list|rm|scope|import-env`: manage the named secrets the model may use without seeing. */
import type { Command } from 'commander';

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

interface ScopeOpts {
  scopeCmd: string[];
  scopeHost: string[];
}

async function guard(fn: () => Promise<void>): Promise<void> {
  const { SecretStoreError } = await import('../../secrets/store.js');
  try {
    await fn();
  } catch (err) {
    if (err instanceof SecretStoreError || (err instanceof Error && err.message === 'cancelled')) {
      console.error(`cordon secrets: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

async function openStore() {
  const { SecretStore } = await import('../../secrets/store.js');
  const { stateDir } = await import('../../state.js');
  return new SecretStore(stateDir());
}

function scopeText(s: { commands: string[]; hosts: string[] }): string {
  const parts = [];
  if (s.commands.length) parts.push(`cmd: ${s.commands.join(',')}`);
  if (s.hosts.length) parts.push(`host: ${s.hosts.join(',')}`);
  return parts.join('  ') || '(no scope: masked only, never handed out)';
}

export function register(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('Manage named secrets: the model refers to them by name; values stay encrypted in the state dir');

  secrets
    .command('add')
    .argument('<name>', 'secret name: capitals, digits and _, e.g. GITHUB_TOKEN')
    .description('Store a secret (value read from stdin or a hidden prompt, never from the command line)')
    .option('--scope-cmd <cmds>', 'command basename(s) `cordon exec` may hand it to (repeatable, comma-separated; * for any)', collect, [])
    .option('--scope-host <hosts>', 'host(s) the MCP http_request tool may send it to (repeatable; *.example.com allowed)', collect, [])
    .option('--from-env <var>', 'do not store the value: read it from this environment variable of the shell at use time')
    .option('--replace', 'replace an existing secret of the same name')
    .action(async (name: string, opts: ScopeOpts & { fromEnv?: string; replace?: boolean }) =>
      guard(async () => {
        const store = await openStore();
        const scope = { commands: opts.scopeCmd, hosts: opts.scopeHost };
        let info;
        if (opts.fromEnv) {
          info = store.add(name, { fromEnv: opts.fromEnv }, scope, { replace: opts.replace === true });
        } else {
          const { readSecretValue } = await import('../../secrets/prompt.js');
          const value = await readSecretValue(name);
          info = store.add(name, { value }, scope, { replace: opts.replace === true });
        }
        console.log(`stored ${info.name} (${info.source === 'env' ? `from $${info.env}` : 'encrypted'}; ${scopeText(info.scope)})`);
      }),
    );

  secrets
    .command('list')
    .description('List secrets: names, scopes, source and last use (never values)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) =>
      guard(async () => {
        const list = (await openStore()).list();
        if (opts.json) {
          console.log(JSON.stringify(list, null, 2));
          return;
        }
        if (list.length === 0) {
          console.log('no secrets stored; add one with `cordon secrets add NAME --scope-cmd CMD`');
          return;
        }
        for (const s of list) {
          const source = s.source === 'env' ? `env $${s.env}` : 'encrypted';
          console.log(`${s.name.padEnd(24)} ${source.padEnd(18)} ${scopeText(s.scope)}  last used: ${s.lastUsed ?? 'never'}`);
        }
      }),
    );

  secrets
    .command('rm')
    .argument('<name>')
    .description('Remove a secret')
    .action(async (name: string) =>
      guard(async () => {
        if ((await openStore()).remove(name)) console.log(`removed ${name}`);
        else {
          console.error(`cordon secrets: no secret named ${name}`);
          process.exitCode = 1;
        }
      }),
    );

  secrets
    .command('scope')
    .argument('<name>')
    .description("Replace a secret's scope (the value is kept)")
    .option('--scope-cmd <cmds>', 'command basename(s) (repeatable, comma-separated; * for any)', collect, [])
    .option('--scope-host <hosts>', 'host(s) (repeatable; *.example.com allowed)', collect, [])
    .action(async (name: string, opts: ScopeOpts) =>
      guard(async () => {
        const info = (await openStore()).setScope(name, { commands: opts.scopeCmd, hosts: opts.scopeHost });
        console.log(`${info.name}: ${scopeText(info.scope)}`);
      }),
    );

  secrets
    .command('import-env')
    .argument('<vars...>', 'environment variables whose current values to store (the variable name becomes the secret name)')
    .description('Store the current values of environment variables as encrypted secrets')
    .option('--scope-cmd <cmds>', 'command basename(s) (repeatable, comma-separated)', collect, [])
    .option('--scope-host <hosts>', 'host(s) (repeatable)', collect, [])
    .option('--replace', 'replace existing secrets of the same names')
    .action(async (vars: string[], opts: ScopeOpts & { replace?: boolean }) =>
      guard(async () => {
        const store = await openStore();
        let failed = 0;
        for (const v of vars) {
          const value = process.env[v];
          if (value === undefined || value === '') {
            console.error(`cordon secrets: $${v} is not set in this environment; skipped`);
            failed++;
            continue;
          }
          const info = store.add(v, { value }, { commands: opts.scopeCmd, hosts: opts.scopeHost }, { replace: opts.replace === true });
          console.log(`stored ${info.name} (encrypted; ${scopeText(info.scope)})`);
        }
        if (failed > 0) process.exitCode = 1;
      }),
    );
}

/** Scope checks: may this secret go to this command, or to this host? */
import type { SecretScope } from './store.js';

export function commandInScope(scope: SecretScope, command: string): boolean {
  return scope.commands.includes('*') || scope.commands.includes(command);
}

/** `api.github.com` matches only itself; `*.github.com` matches its subdomains and github.com itself. */
export function hostInScope(scope: SecretScope, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return scope.hosts.some((p) => {
    if (p === '*') return true;
    if (p.startsWith('*.')) return h === p.slice(2) || h.endsWith(p.slice(1));
    return h === p;
  });
}

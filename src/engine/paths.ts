/**
 * Path bounds: is a path inside the workspace (or an extra root), and does it name a credential store?
 * Paths are made absolute against the event's cwd and resolved through symlinks for the part that exists, so a
 * link planted in the workspace that points at ~/.ssh is judged by where it leads.
 */
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

/** Absolute, normalised, with the existing prefix resolved through symlinks. */
export function canonicalPath(p: string, cwd: string, home: string): string {
  const abs = resolve(cwd, expandHome(p, home));
  return realpathOfExistingPrefix(abs);
}

function realpathOfExistingPrefix(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  for (let i = 0; i < 256; i++) {
    try {
      const real = realpathSync(head);
      return tail.length ? join(real, ...tail.reverse()) : real;
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(basename(head));
      head = parent;
    }
  }
  return abs;
}

export function isWithin(child: string, root: string): boolean {
  if (child === root) return true;
  const r = root.endsWith(sep) ? root : root + sep;
  return child.startsWith(r);
}

export interface Bounds {
  roots: string[];
}

export function makeBounds(workspace: string, extraRoots: string[], allowTemp: boolean, home: string): Bounds {
  const roots = [workspace, ...extraRoots.map((r) => expandHome(r, home))].filter((r) => isAbsolute(r));
  if (allowTemp) roots.push(tmpdir());
  // Compare canonical forms: /tmp may itself be a link.
  return { roots: [...new Set(roots.flatMap((r) => [r, realpathOfExistingPrefix(r)]))] };
}

export function inBounds(path: string, bounds: Bounds): boolean {
  return bounds.roots.some((r) => isWithin(path, r));
}

/**
 * Credential stores and secret files. Reading these hands a secret to the model, so they are refused whatever
 * the bounds say (a workspace `.env` included).
 */
export function credentialKind(path: string, home: string): string | undefined {
  const h = (rel: string) => join(home, rel);
  const dirs: [string, string][] = [
    [h('.ssh'), 'SSH keys'],
    [h('.aws'), 'AWS credentials'],
    [h('.config/gh'), 'GitHub CLI token'],
    [h('.config/gcloud'), 'Google Cloud credentials'],
    [h('.azure'), 'Azure credentials'],
    [h('.kube'), 'Kubernetes credentials'],
    [h('.gnupg'), 'GPG keys'],
    [h('.password-store'), 'password store'],
    [h('.docker/config.json'), 'Docker registry credentials'],
    [h('.npmrc'), 'npm token'],
    [h('.pypirc'), 'PyPI token'],
    [h('.netrc'), 'netrc passwords'],
    [h('.git-credentials'), 'git credentials'],
    [h('.config/git/credentials'), 'git credentials'],
    [h('Library/Keychains'), 'macOS keychain'],
    [h('.local/share/keyrings'), 'GNOME keyring'],
    [h('.claude/.credentials.json'), 'Claude Code credentials'],
  ];
  for (const [root, kind] of dirs) if (isWithin(path, root)) return kind;
  if (/^\/proc\/[^/]+\/environ$/.test(path)) return 'process environment';
  if (isWithin(path, '/etc/shadow') || isWithin(path, '/etc/gshadow')) return 'system password hashes';
  const base = basename(path);
  if (/^\.env(\..+)?$/.test(base) && !/\.(example|sample|template|dist|defaults)$/i.test(base)) return 'environment file';
  if (/^(id_rsa|id_dsa|id_ecdsa|id_ed25519)$/.test(base)) return 'SSH private key';
  return undefined;
}

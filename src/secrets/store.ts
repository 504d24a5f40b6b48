/**
 * The secret store: named secrets, each with a scope (the commands and network hosts it may be used with), kept
 * under the state dir, outside any workspace.
 *
 *   <stateDir>/secrets/store.json     names, scopes, sources and sealed values (mode 0600, dir 0700)
 *   <stateDir>/secrets/used/<NAME>    time of last use (one small file per name, so recording a use never rewrites
 *                                     the store and cannot race with `add`/`rm`)
 *   <stateDir>/keys/secrets.key       the AES key (see crypto.ts)
 *
 * A secret is either stored (its value sealed in the file) or declared `from: env`: only the variable's name is kept
 * and the value is read from the environment of the process that uses it, i.e. the human's shell.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadKey, privateDir, seal, SecretStoreError, unseal, type Sealed } from './crypto.js';

export { SecretStoreError } from './crypto.js';

export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const COMMAND_NAME = /^(\*|[A-Za-z0-9._+-]{1,128})$/;
const HOST_NAME = /^(\*|(\*\.)?[a-z0-9]([a-z0-9.-]{0,252}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])$/;
/** The redactor ignores shorter values (they would shred ordinary text), so they could not be masked. */
export const MIN_VALUE_LENGTH = 6;
export const MAX_VALUE_LENGTH = 64 * 1024;

export interface SecretScope {
  /** Basenames of commands `cordon exec` may hand the secret to; `*` means any. */
  commands: string[];
  /** Hosts the MCP `http_request` tool may send it to (`*.example.com` allowed); `*` means any. */
  hosts: string[];
}

export interface SecretInfo {
  name: string;
  source: 'store' | 'env';
  /** For `source: 'env'`: the variable the value is read from at use time. */
  env?: string;
  scope: SecretScope;
  created: string;
  lastUsed?: string;
}

interface Entry {
  source: 'store' | 'env';
  env?: string;
  scope: SecretScope;
  created: string;
  sealed?: Sealed;
}

interface StoreFile {
  version: 1;
  secrets: Record<string, Entry>;
}

export interface ResolvedSecret {
  name: string;
  value: string;
  scope: SecretScope;
}

export function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new SecretStoreError(`invalid secret name ${JSON.stringify(name.slice(0, 80))}: use capitals, digits and _ starting with a letter (at most 64), e.g. GITHUB_TOKEN`);
  }
}

export function normaliseScope(scope: Partial<SecretScope> | undefined): SecretScope {
  const commands = [...new Set((scope?.commands ?? []).map((c) => c.trim()).filter(Boolean))];
  const hosts = [...new Set((scope?.hosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean))];
  for (const c of commands) {
    if (!COMMAND_NAME.test(c)) throw new SecretStoreError(`invalid command scope ${JSON.stringify(c)}: give a command's basename (gh, git, npm) or *`);
  }
  for (const h of hosts) {
    if (!HOST_NAME.test(h)) throw new SecretStoreError(`invalid host scope ${JSON.stringify(h)}: give a host name (api.github.com, *.example.com) or *`);
  }
  return { commands, hosts };
}

export function checkValue(name: string, value: string): void {
  if (value.length < MIN_VALUE_LENGTH) throw new SecretStoreError(`the value for ${name} is shorter than ${MIN_VALUE_LENGTH} characters, too short to be masked reliably`);
  if (value.length > MAX_VALUE_LENGTH) throw new SecretStoreError(`the value for ${name} is longer than ${MAX_VALUE_LENGTH} characters`);
}

export class SecretStore {
  readonly dir: string;
  readonly file: string;

  constructor(readonly stateDir: string) {
    this.dir = join(stateDir, 'secrets');
    this.file = join(this.dir, 'store.json');
  }

  /** Changes whenever the store file is rewritten; lets long-lived processes reload only when needed. */
  stamp(): string {
    try {
      // Called on every hook call; a missing store (the usual case) is told without an exception.
      const st = statSync(this.file, { throwIfNoEntry: false });
      return st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'none';
    } catch {
      return 'none';
    }
  }

  private read(): StoreFile {
    if (!existsSync(this.file)) return { version: 1, secrets: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new SecretStoreError(`the secret store ${this.file} is unreadable (${(err as Error).message.split('\n')[0]}); fix or remove it`);
    }
    const f = parsed as Partial<StoreFile>;
    if (f.version !== 1 || typeof f.secrets !== 'object' || f.secrets === null) {
      throw new SecretStoreError(`the secret store ${this.file} has an unknown format; upgrade cordon or remove the file`);
    }
    return f as StoreFile;
  }

  private write(f: StoreFile): void {
    privateDir(this.dir);
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(f, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    renameSync(tmp, this.file);
  }

  /** Serialises read-modify-write cycles between processes with an exclusive lock file. */
  private update<T>(fn: (f: StoreFile) => T): T {
    privateDir(this.dir);
    const lock = join(this.dir, '.lock');
    const until = Date.now() + 5000;
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(lock, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A lock older than 10 s belongs to a process that died mid-update.
        try {
          if (Date.now() - statSync(lock).mtimeMs > 10_000) unlinkSync(lock);
        } catch {
          // Gone already.
        }
        if (Date.now() > until) throw new SecretStoreError(`the secret store is locked by another process (${lock}); try again`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    try {
      const f = this.read();
      const out = fn(f);
      this.write(f);
      return out;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }

  list(): SecretInfo[] {
    const f = this.read();
    return Object.keys(f.secrets)
      .sort()
      .map((name) => this.info(name, f.secrets[name]!));
  }

  get(name: string): SecretInfo | undefined {
    const e = this.read().secrets[name];
    return e ? this.info(name, e) : undefined;
  }

  has(): boolean {
    try {
      return Object.keys(this.read().secrets).length > 0;
    } catch {
      // A damaged store still means secrets exist; callers that mask must not skip masking.
      return true;
    }
  }

  private info(name: string, e: Entry): SecretInfo {
    const out: SecretInfo = { name, source: e.source, scope: e.scope, created: e.created };
    if (e.env) out.env = e.env;
    const used = this.lastUsed(name);
    if (used) out.lastUsed = used;
    return out;
  }

  private lastUsed(name: string): string | undefined {
    try {
      return new Date(statSync(join(this.dir, 'used', name)).mtimeMs).toISOString();
    } catch {
      return undefined;
    }
  }

  /** Stores a value (sealed) or declares a secret read from an environment variable at use time. */
  add(name: string, what: { value: string } | { fromEnv: string }, scope: Partial<SecretScope>, opts: { replace?: boolean } = {}): SecretInfo {
    checkName(name);
    const sc = normaliseScope(scope);
    let entry: Entry;
    if ('value' in what) {
      checkValue(name, what.value);
      const key = loadKey(this.stateDir, true)!;
      entry = { source: 'store', scope: sc, created: new Date().toISOString(), sealed: seal(key, name, what.value) };
    } else {
      if (!ENV_NAME.test(what.fromEnv)) throw new SecretStoreError(`invalid environment variable name ${JSON.stringify(what.fromEnv.slice(0, 80))}`);
      entry = { source: 'env', env: what.fromEnv, scope: sc, created: new Date().toISOString() };
    }
    this.update((f) => {
      if (f.secrets[name] && !opts.replace) throw new SecretStoreError(`a secret named ${name} already exists; remove it first (\`cordon secrets rm ${name}\`) or pass --replace`);
      f.secrets[name] = entry;
    });
    return this.info(name, entry);
  }

  setScope(name: string, scope: Partial<SecretScope>): SecretInfo {
    checkName(name);
    const sc = normaliseScope(scope);
    const e = this.update((f) => {
      const cur = f.secrets[name];
      if (!cur) throw new SecretStoreError(`no secret named ${name} (see \`cordon secrets list\`)`);
      cur.scope = sc;
      return cur;
    });
    return this.info(name, e);
  }

  remove(name: string): boolean {
    checkName(name);
    const found = this.update((f) => {
      const had = name in f.secrets;
      delete f.secrets[name];
      return had;
    });
    rmSync(join(this.dir, 'used', name), { force: true });
    return found;
  }

  /** The value of one secret, or undefined for an env-declared secret whose variable is unset. Throws if unknown. */
  resolve(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const f = this.read();
    const e = f.secrets[name];
    if (!e) throw new SecretStoreError(`no secret named ${name} (see \`cordon secrets list\`)`);
    return this.valueOf(name, e, env, undefined);
  }

  /** Every secret whose value is available now. Throws when a stored value cannot be decrypted. */
  resolveAll(env: NodeJS.ProcessEnv = process.env): ResolvedSecret[] {
    const f = this.read();
    const names = Object.keys(f.secrets).sort();
    let key: Buffer | undefined;
    const out: ResolvedSecret[] = [];
    for (const name of names) {
      const e = f.secrets[name]!;
      if (e.source === 'store' && key === undefined) key = this.requireKey();
      const value = this.valueOf(name, e, env, key);
      if (value !== undefined && value.length >= MIN_VALUE_LENGTH) out.push({ name, value, scope: e.scope });
    }
    return out;
  }

  private requireKey(): Buffer {
    const key = loadKey(this.stateDir, false);
    if (!key) throw new SecretStoreError(`the secret store has sealed values but the key ${join(this.stateDir, 'keys', 'secrets.key')} is missing; restore it or remove and re-add the secrets`);
    return key;
  }

  private valueOf(name: string, e: Entry, env: NodeJS.ProcessEnv, key: Buffer | undefined): string | undefined {
    if (e.source === 'env') {
      const v = e.env ? env[e.env] : undefined;
      return v === undefined || v === '' ? undefined : v;
    }
    if (!e.sealed) throw new SecretStoreError(`the stored secret ${name} has no value; remove it and add it again`);
    return unseal(key ?? this.requireKey(), name, e.sealed);
  }

  /** Records a use (best effort: a read-only state dir must not stop the command). */
  touch(name: string): void {
    try {
      const dir = join(this.dir, 'used');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, name), new Date().toISOString() + '\n', { mode: 0o600 });
    } catch {
      // Last-use is informational.
    }
  }
}

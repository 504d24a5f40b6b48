/**
 * The `sandbox:` section of the policy: what a Bash command may touch once cordon has allowed it. The built-in
 * protections (secret paths, credential variables, cordon's own state dir) always apply; these lists only add to
 * them, except `network.allow`, which is the whole egress allowlist and replaces the default when set.
 */
import { z } from 'zod';

/** Hosts a developer needs for the common package managers and GitHub; everything else is refused. */
export const DEFAULT_NETWORK_ALLOW = [
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'github.com',
  'api.github.com',
  'codeload.github.com',
  'objects.githubusercontent.com',
  'raw.githubusercontent.com',
];

/** Caches that package managers write to; without them `npm install` / `pip install` fail inside the sandbox. */
export const DEFAULT_ALLOW_WRITE = ['~/.npm', '~/.cache'];

/**
 * A host entry: a name (`example.com`), a wildcard over subdomains (`*.example.com`), an IPv4 literal, or a
 * bracketed IPv6 literal, each with an optional `:port`.
 */
const hostPattern = z
  .string()
  .min(1)
  .regex(
    /^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/,
    'a host such as example.com, *.example.com, 127.0.0.1:8080 or [::1]:8080',
  );

const pathEntry = z
  .string()
  .min(1)
  .regex(/^[^*?[\]]+$/, 'a literal path (absolute, ~/…, or relative to the workspace) without wildcards');

/** An environment variable name, or a pattern with `*` wildcards (`*_TOKEN`); matched case-insensitively. */
const envPattern = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_*]+$/, 'a variable name or a pattern of letters, digits, _ and *');

export const SandboxPolicySchema = z
  .object({
    mode: z
      .enum(['on', 'off'])
      .default('on')
      .describe('on: every Bash command runs confined by the OS. off: no confinement (recorded in the audit trail).'),
    network: z
      .object({
        allow: z
          .array(hostPattern)
          .default(DEFAULT_NETWORK_ALLOW)
          .describe(
            'Hosts sandboxed commands may reach through the filtering proxy (`*.example.com`, `host:port`, `127.0.0.1:8080`). Setting it replaces the default list (npm, PyPI, GitHub). Everything else is refused.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Network egress of sandboxed commands.'),
    filesystem: z
      .object({
        allowWrite: z
          .array(pathEntry)
          .default(DEFAULT_ALLOW_WRITE)
          .describe(
            'Paths writable besides the workspace and the per-session temp dir (~ allowed; relative paths are under the workspace). Default: the npm and XDG caches.',
          ),
        denyRead: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Paths (or globs under a literal directory, e.g. `secrets/**`) unreadable inside the sandbox, added to the built-in list (~/.ssh, ~/.aws, ~/.config/gh, ~/.docker, ~/.npmrc, ~/.kube, .env* in the workspace, cordon\'s state dir, …).',
          ),
      })
      .strict()
      .prefault({})
      .describe('Filesystem access of sandboxed commands.'),
    env: z
      .object({
        scrub: z
          .array(envPattern)
          .default([])
          .describe('Extra variable names or `*` patterns removed from the environment, added to the built-in credential patterns (*_TOKEN, *_SECRET, *_KEY, *_PASSWORD, AWS_*, …).'),
        pass: z
          .array(envPattern)
          .default([])
          .describe('Variable names or patterns that pass through even when a scrub pattern matches them.'),
      })
      .strict()
      .prefault({})
      .describe('Environment of sandboxed commands.'),
  })
  .strict()
  .prefault({})
  .describe('OS confinement of Bash commands (bubblewrap + seccomp + filtering proxy on Linux).');

export type SandboxPolicy = z.infer<typeof SandboxPolicySchema>;

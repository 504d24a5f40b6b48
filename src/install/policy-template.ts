/**
 * The commented policy file `cordon init` writes. It states the defaults explicitly so that a team reads what is
 * in force and edits in place; tests check that it parses to exactly the built-in defaults.
 */
import { DEFAULT_ALLOWED_TOOLS } from '../policy/schema.js';

export function policyTemplate(): string {
  const tools = DEFAULT_ALLOWED_TOOLS.map((t) => `    - ${t}`).join('\n');
  return `# yaml-language-server: $schema=./policy.schema.json
# cordon policy for this project. Layers: built-in defaults < ~/.cordon/policy.yaml < this file.
# Check it with \`cordon doctor\`; see what a command would meet with \`cordon explain "<command>"\`.
version: 1

# standard: each rule's default decision.
# strict:   commands cordon cannot fully analyse (dynamic command names, unparsable input) are denied, not asked.
# paranoid: every "ask" becomes "deny" (for unattended pipelines on untrusted input).
preset: standard

tools:
  # Tools that may run; each is still checked (shell analysis, path bounds, domains).
  allow:
${tools}
  # Tools that always need a human. MCP servers you trust can be moved to allow (e.g. mcp__github__get_*).
  ask:
    - mcp__*
  # Tools that never run.
  deny: []
  # A tool listed nowhere: deny or ask.
  unknown: deny

paths:
  # Directories that count as inside the bounds besides the workspace.
  extraRoots: []
  # The system temp dir counts as inside the bounds.
  allowTemp: true
  # Read, Glob and Grep outside the bounds: allow, ask or deny. Credential stores are always refused.
  readOutside: ask
  # Write, Edit and NotebookEdit outside the bounds: ask or deny.
  writeOutside: deny

web:
  # Domains WebFetch may reach ("*.example.com" covers subdomains). Empty: any domain.
  allow: []
  # Domains WebFetch may never reach; wins over allow.
  deny: []
  # A domain not in a non-empty allow list: allow, ask or deny.
  otherwise: ask

bash:
  # Per-rule exceptions. Catastrophic rules (the deny floor) cannot be lowered.
  # - rule: git.force-push
  #   decision: allow
  #   command: "git push --force origin feature/*"
  #   reason: feature branches are rebased routinely
  #   expires: 2026-12-31
  overrides: []

hook:
  # Internal analysis deadline in milliseconds; past it the call is denied.
  deadlineMs: 3000
  # passthrough: Claude Code's own permission rules still apply to what cordon allows.
  # allow: cordon's allow also skips Claude Code's permission prompt.
  onAllow: passthrough

sandbox:
  # on: every allowed Bash command runs confined by the OS (bubblewrap): writes only to the workspace, the
  # session temp dir and allowWrite; credential stores and cordon's state dir unreadable; egress only to
  # network.allow; credential variables scrubbed. off: no confinement (recorded in the audit trail).
  mode: on
  # network:
  #   allow: [registry.npmjs.org, github.com, "*.example.com"]   # replaces the default list when set
  # filesystem:
  #   allowWrite: [~/.npm, ~/.cache]
  #   denyRead: [secrets/**]

secrets:
  # Mask stored secret values in every Bash call's output (once a secret is stored with \`cordon secrets add\`).
  mask: true
  # A tool input that carries a stored secret value in clear: ask or deny.
  inputs: deny
  # Scan tool results for secret values and credential formats, and warn the model.
  leakScan: true

injection:
  # When a session becomes tainted: off, detection (an injection found in untrusted content), any-untrusted.
  taint: detection
  # In a tainted session, actions at sinks (egress, push, publish, secret use, writes outside the workspace,
  # edits to CI, hooks or agent settings): ask or deny.
  # sinks:
  #   decision: ask
  # MCP servers whose results are trusted:
  # trustedMcpServers: [github]

audit:
  # Prune audit records older than this many days (0 keeps everything).
  retentionDays: 0
  # A shared PostgreSQL log for a team belongs in ~/.cordon/policy.yaml, not here:
  # sink: postgres://cordon@db.internal/audit
`;
}

/**
 * Types shared by every stage of cordon's pipeline:
 *
 *   hook event in → normalise → analyse (shell IR, paths) → rules → policy decision → audit → decision out
 *
 * This module holds types only (no runtime code, no imports), so that every other layer can depend on it
 * without cycles.
 */

/** The three outcomes cordon can reach. `ask` means "a human must approve"; headless runs see it as a refusal. */
export type Decision = 'allow' | 'ask' | 'deny';

/** How bad the worst case of a matched action is. `catastrophic` findings form a floor no policy can lower. */
export type Severity = 'catastrophic' | 'high' | 'medium' | 'low';

/** Policy presets, from most permissive to least. */
export type Preset = 'standard' | 'strict' | 'paranoid';

// ---------------------------------------------------------------------------------------------------------------
// Shell IR
// ---------------------------------------------------------------------------------------------------------------

/** One shell word after parsing. */
export interface Word {
  /** Source text as written, quotes and escapes included. */
  raw: string;
  /**
   * The word's value after quote removal, escape processing and expansion of what is known statically
   * (`~`, `$HOME`, variables assigned earlier in the same command line). Absent when any part is only known
   * at run time (command substitution, unknown variable, arithmetic, glob that matters).
   */
  value?: string;
  /** True when some part of the word is only known at run time. */
  dynamic: boolean;
  /** Best-effort rendering for messages and matching when `value` is absent: dynamic parts kept as written. */
  text: string;
  /** Where the value came from when it was not written literally ("$X (X=rm)", "$(which rm)"). */
  origin?: string;
}

export type RedirectOp = '>' | '>>' | '<' | '<<' | '<<-' | '<<<' | '>&' | '<&' | '&>' | '&>>' | '<>' | '>|';

export interface Redirect {
  op: RedirectOp;
  /** File descriptor on the left (`2>`), when written. */
  fd?: number;
  /** The target word (file, fd number, here-string text). Absent for heredocs, which use `body`. */
  target?: Word;
  /** Body of a heredoc (`<<EOF … EOF`) or here-string (`<<<`). */
  body?: string;
}

/** What a command reads on standard input. */
export type StdinSource =
  | { kind: 'inherit' }
  | { kind: 'pipe'; from: Command }
  | { kind: 'text'; text: string; how: 'heredoc' | 'herestring' }
  | { kind: 'file'; path: Word };

/**
 * One simple command, after wrappers and indirections are unwrapped. Nested commands (the string of `bash -c`,
 * the code of `eval`, the target of `xargs` / `find -exec`, command and process substitutions, loop bodies)
 * become their own `Command` entries with `via` saying how they were reached.
 */
export interface Command {
  /** argv[0] is the executable as it would run, after wrappers (sudo, env, timeout, nohup, …) are stripped. */
  argv: Word[];
  /**
   * Basename of argv[0]'s static value with quoting and path removed (`/bin/rm`, `\rm`, `"rm"` → `rm`).
   * Absent when the command name is only known at run time.
   */
  name?: string;
  /** `NAME=value` prefixes of this command. */
  assignments: { name: string; value: Word }[];
  redirects: Redirect[];
  /** Wrappers stripped to reach argv, outermost first (`sudo`, `timeout`, `env`, `nice` …). */
  wrappers: string[];
  /** How this command was reached from the top-level input, outermost first: `['bash -c', 'eval']`. */
  via: string[];
  /** Absolute working directory the command runs in, when known (tracks `cd DIR && …`). */
  cwd?: string;
  stdin: StdinSource;
  /** Where standard output goes. */
  stdout: 'inherit' | 'pipe' | 'file';
  /** Source text of this command (for evidence in messages). */
  text: string;
  /** Nesting depth (0 = top level). */
  depth: number;
}

export type ShellStatus = 'complete' | 'partial' | 'invalid' | 'limited';

export interface ShellIR {
  /**
   * complete: every construct understood. partial: some constructs could not be resolved statically (dynamic
   * command names, unknown expansions) but the rest was analysed. invalid: the input does not parse as bash.
   * limited: a resource limit (size, depth, word count, time) stopped the analysis.
   */
  status: ShellStatus;
  /** Every simple command found, nested ones included, in source order. */
  commands: Command[];
  /** Human-readable notes on what could not be resolved or which limit was hit. */
  problems: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Rules and findings
// ---------------------------------------------------------------------------------------------------------------

/** Static description of one rule, used by `explain`, docs and the policy schema's override validation. */
export interface RuleMeta {
  /** Stable id, `pack.rule` (e.g. `fs.rm-outside-workspace`, `git.force-push`). Part of the public API. */
  id: string;
  severity: Severity;
  /** Decision under the `standard` preset. */
  decision: Decision;
  /** One sentence: what the rule catches. */
  description: string;
  /** A command that triggers it. */
  example?: string;
}

/** One rule that fired on one command. */
export interface Finding {
  ruleId: string;
  decision: Decision;
  severity: Severity;
  /** One line, written for the model and the human both: what was found and why it matters. */
  reason: string;
  /** A safer way to reach the same goal, when one exists ("use --force-with-lease"). */
  alternative?: string;
  /** The command text that triggered it. */
  evidence?: string;
  /** Unwrapping path of the command that triggered it. */
  via?: string[];
}

export interface RuleContext {
  /** Absolute path of the workspace (project root). */
  workspace: string;
  /** The user's home directory. */
  home: string;
  /** Extra absolute roots that count as inside the workspace bounds. */
  extraRoots: string[];
  preset: Preset;
  /** The whole IR, for rules that look across commands (pipes, lists). */
  ir: ShellIR;
  /** cordon's state dir, which commands must not touch. */
  stateDir?: string;
}

/** A rule pack: one file under src/rules/packs/. */
export interface RulePack {
  id: string;
  rules: RuleMeta[];
  /** Command names (as in `Command.name`) the pack looks at; `'*'` to see every command. Used as a pre-filter. */
  heads: string[] | '*';
  check(cmd: Command, ctx: RuleContext): Finding[];
}

// ---------------------------------------------------------------------------------------------------------------
// Hook events and verdicts
// ---------------------------------------------------------------------------------------------------------------

/** The Claude Code hook events cordon registers for. */
export type HookEventName =
  | 'PreToolUse'
  | 'PostToolUse'
  | 'PostToolUseFailure'
  | 'UserPromptSubmit'
  | 'SessionStart';

/** A hook event after validation and normalisation. */
export interface HookEvent {
  event: HookEventName;
  sessionId: string;
  cwd: string;
  transcriptPath?: string;
  permissionMode?: string;
  toolName?: string;
  toolInput?: Record<string, unknown>;
  toolUseId?: string;
  toolResponse?: unknown;
  error?: string;
  prompt?: string;
  source?: string;
  agentId?: string;
  /** The raw object as received, for the audit trail (redacted before it is written). */
  raw: Record<string, unknown>;
}

/** The final answer for one event. */
export interface Verdict {
  decision: Decision;
  /** Rule that decided (`core.allow` when nothing fired; `cordon.*` for cordon's own failure paths). */
  ruleId: string;
  reason: string;
  alternative?: string;
  severity?: Severity;
  /** Every finding considered, strongest first (the decisive one is findings[0] when any fired). */
  findings: Finding[];
  /** Extra context for the model (PostToolUse/SessionStart/UserPromptSubmit additionalContext). */
  context?: string;
  /** PreToolUse: the tool input to run instead (the original command confined by the sandbox, output masked). */
  updatedInput?: Record<string, unknown>;
}

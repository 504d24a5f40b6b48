/**
 * The CST walk: statements, lists, pipelines and compound commands → flat `Command` list, with the shell state
 * the analysis can follow statically (variables, working directory) threaded through in execution order.
 */
import type { Command, Redirect, ShellStatus, StdinSource, Word } from '../ir/types.js';
import { parseTree, type CNode } from './cst.js';
import { WordEvaluator, type VarInfo } from './words.js';
import { parseRedirects } from './redirects.js';
import { emitRedirectOnly, walkRedirected } from './redirected.js';
import { walkFor } from './loops.js';
import { emitCommand } from './command.js';
import { estimateTokens } from './budget.js';

export const LIMITS = {
  maxInputBytes: 128 * 1024,
  maxDepth: 32,
  maxNodes: 20_000,
  maxWords: 20_000,
  /** Characters parsed across the input and all nested re-parses. */
  maxWorkChars: 256 * 1024,
  /** Estimated grammar tokens across the input and all nested re-parses (bounds parse time). */
  maxTokens: 5_000,
  /** Of input over maxTokens, how much is analysed anyway to say what it starts with (the decision is a refusal). */
  explainTokens: 1_000,
  /** CST depth copied from the parser; deeper input is cut off (as `limited`). */
  maxTreeDepth: 400,
};

export interface Env {
  vars: Map<string, VarInfo>;
  cwd?: string;
  dirs: (string | undefined)[];
}

export interface Ctx {
  via: string[];
  depth: number;
  /** Wrappers of the command that led here (`sudo bash -c '…'` → commands inside carry `sudo`). */
  wrappers: string[];
  stdin: StdinSource;
  stdout: Command['stdout'];
  /** Redirects of an enclosing compound command (`{ …; } > f`). */
  redirects: Redirect[];
}

export class Limited extends Error {}

export function cloneEnv(env: Env): Env {
  return { vars: new Map(env.vars), ...(env.cwd !== undefined ? { cwd: env.cwd } : {}), dirs: env.dirs.slice() };
}

const SEQ = new Set(['program', 'compound_statement', 'do_group', 'else_clause', 'elif_clause', 'ERROR', 'case_item']);
const SUB_VIA: Record<string, string> = { '$(': '$(…)', '`': '`…`', '<(': '<(…)', '>(': '>(…)' };

export class Analyzer {
  src = '';
  readonly out: Command[] = [];
  readonly problems: string[] = [];
  partial = false;
  invalid = false;
  limited = false;
  nodes = 0;
  words = 0;
  workChars = 0;
  tokens = 0;
  /** Estimated tokens spent on analysing loop bodies once per value (see loops.ts). */
  unrollTokens = 0;
  private steps = 0;

  constructor(
    readonly home: string,
    readonly deadline: number | undefined,
  ) {}

  status(): ShellStatus {
    return this.limited ? 'limited' : this.invalid ? 'invalid' : this.partial ? 'partial' : 'complete';
  }

  problem(msg: string): void {
    if (msg.length > 200) msg = msg.slice(0, 197) + '...';
    if (this.problems.length < 50 && !this.problems.includes(msg)) this.problems.push(msg);
  }

  note(msg: string): void {
    this.partial = true;
    this.problem(msg);
  }

  limit(msg: string): never {
    this.limited = true;
    this.problem(msg);
    throw new Limited(msg);
  }

  tick(): void {
    if ((++this.steps & 127) === 0 && this.deadline !== undefined && performance.now() > this.deadline) {
      this.limit('analysis deadline passed');
    }
  }

  countWords(n: number): void {
    this.words += n;
    if (this.words > LIMITS.maxWords) this.limit(`more than ${LIMITS.maxWords} words`);
  }

  evaluator(env: Env): WordEvaluator {
    return new WordEvaluator(this.src, { vars: env.vars, home: this.home, ...(env.cwd !== undefined ? { cwd: env.cwd } : {}) });
  }

  text(n: CNode): string {
    return this.src.slice(n.s, n.e);
  }

  /** Parses `code` and walks it. Used for the top-level input and every nested re-parse. */
  analyse(code: string, env: Env, ctx: Ctx, what: string): void {
    if (ctx.depth > LIMITS.maxDepth) this.limit(`nesting deeper than ${LIMITS.maxDepth} levels (${what})`);
    this.workChars += code.length;
    if (this.workChars > LIMITS.maxWorkChars) this.limit(`more than ${LIMITS.maxWorkChars} characters of nested code to analyse`);
    if (this.deadline !== undefined && performance.now() > this.deadline) this.limit('analysis deadline passed');
    const est = estimateTokens(code, LIMITS.maxTokens - this.tokens);
    this.tokens += est.tokens;
    let cutMsg: string | undefined;
    if (est.cut !== undefined) {
      // Over the budget the answer is already a refusal; the start of the code is still analysed, for the
      // explanation only, so no more of it than that needs (parsing right up to the budget doubled the time
      // adversarial input costs).
      const cut = Math.min(est.cut, estimateTokens(code, LIMITS.explainTokens).cut ?? est.cut);
      const nl = code.lastIndexOf('\n', cut);
      code = code.slice(0, nl > cut / 2 ? nl : cut);
      cutMsg = `more than ${LIMITS.maxTokens} shell tokens to analyse (${what})`;
    }
    const budget = LIMITS.maxNodes - this.nodes;
    const tree = parseTree(code, budget + 1, LIMITS.maxTreeDepth, this.deadline);
    if (!tree) {
      if (this.deadline !== undefined && performance.now() > this.deadline) this.limit('analysis deadline passed');
      this.limit('shell parser unavailable');
    }
    this.nodes += Math.min(tree.nodeCount, budget + 1);
    const saved = this.src;
    this.src = code;
    try {
      // Code cut at the token budget usually ends mid-construct; that is the limit's doing, reported below.
      if (tree.hasError && !cutMsg) {
        this.invalid = true;
        this.problem(ctx.depth === 0 ? 'input does not parse as bash' : `code run by ${what} does not parse as bash`);
      }
      this.walk(tree.root, env, ctx);
      if (cutMsg) this.limit(cutMsg);
      if (tree.truncated || this.nodes > LIMITS.maxNodes) {
        this.limit(tree.nodeCount > budget ? `more than ${LIMITS.maxNodes} syntax nodes` : 'input nested too deeply');
      }
    } finally {
      this.src = saved;
    }
  }

  walkSeq(children: CNode[], env: Env, ctx: Ctx): void {
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (!c.named || c.type === 'comment') continue;
      // A statement followed by `&` runs in the background, in a subshell: its cd does not leak.
      let j = i + 1;
      while (j < children.length && children[j]!.type === 'comment') j++;
      const bg = children[j]?.type === '&';
      this.walk(c, bg ? cloneEnv(env) : env, ctx);
    }
  }

  walk(n: CNode, env: Env, ctx: Ctx): void {
    this.tick();
    if (SEQ.has(n.type)) return this.walkSeq(n.children, env, ctx);
    switch (n.type) {
      case 'subshell':
        return this.walkSeq(n.children, cloneEnv(env), ctx);
      case 'list':
        return this.walkSeq(n.children.filter((c) => c.type !== '&'), env, ctx);
      case 'pipeline':
        return this.pipeline(n.children.filter((c) => c.named), env, ctx);
      case 'negated_command':
        return this.walkSeq(n.children, env, ctx);
      case 'redirected_statement':
        return walkRedirected(this, n, env, ctx);
      case 'command':
        return this.command(n, env, ctx, []);
      case 'variable_assignment':
      case 'variable_assignments':
        return this.assignments(n.type === 'variable_assignment' ? [n] : n.children, env, ctx, false);
      case 'declaration_command':
      case 'unset_command':
        return this.declaration(n, env, ctx);
      case 'function_definition': {
        const body = n.children.find((c) => c.field === 'body');
        if (!body) return;
        const fenv = cloneEnv(env);
        // Redirects written after the body apply whenever the function runs.
        const rnodes = n.children.filter((c) => c.field === 'redirect' || (c.named && c.type.endsWith('_redirect')));
        const pr = rnodes.length ? parseRedirects(this.src, rnodes, this.evaluator(env)) : undefined;
        this.walk(body, fenv, pr ? { ...ctx, redirects: [...ctx.redirects, ...pr.redirects] } : ctx);
        // A function that changes IFS changes how every later expansion splits, from wherever it is called.
        const ifs = fenv.vars.get('IFS');
        if (ifs !== env.vars.get('IFS') || ifs?.value !== env.vars.get('IFS')?.value) env.vars.set('IFS', { exported: ifs?.exported ?? false });
        return;
      }
      case 'for_statement':
        return walkFor(this, n, env, ctx);
      case 'command_substitution':
      case 'process_substitution':
        return this.subs([n], env, ctx);
      case 'comment':
      case 'heredoc_start':
      case 'heredoc_end':
        return;
      default: {
        // Conditions, loops, case, tests, arithmetic: walk statements inside, and analyse substitutions in words.
        const stmts = n.children.filter((c) => c.named && isStatement(c.type));
        const others = n.children.filter((c) => c.named && !isStatement(c.type));
        const subs: CNode[] = [];
        const ev = this.evaluator(env);
        for (const o of others) {
          if (o.type === 'command_substitution' || o.type === 'process_substitution') subs.push(o);
          else if (o.type === 'case_item' || o.type === 'do_group' || o.type === 'else_clause' || o.type === 'elif_clause' || o.type === 'compound_statement') stmts.push(o);
          else ev.findSubs(o, subs);
        }
        this.subs(subs, env, ctx);
        stmts.sort((a, b) => a.s - b.s);
        for (const s of stmts) this.walk(s, env, ctx);
      }
    }
  }

  pipeline(elements: CNode[], env: Env, ctx: Ctx, first?: Command): void {
    let prev: Command | undefined = first;
    elements.forEach((el, i) => {
      const start = this.out.length;
      const last = i === elements.length - 1;
      const ectx: Ctx = {
        ...ctx,
        stdout: last ? ctx.stdout : 'pipe',
        stdin: prev ? { kind: 'pipe', from: prev } : ctx.stdin,
      };
      // Every element of a pipeline runs in its own subshell.
      this.walk(el, cloneEnv(env), ectx);
      prev = undefined;
      for (let k = this.out.length - 1; k >= start; k--) {
        if (this.out[k]!.depth === ctx.depth) {
          prev = this.out[k];
          break;
        }
      }
    });
  }

  /** Walks command/process substitutions as nested commands. */
  subs(nodes: CNode[], env: Env, ctx: Ctx, receiver?: Command): void {
    // `source <(cmd)` runs what cmd prints: say so in the path.
    const sourced = receiver && (receiver.name === 'source' || receiver.name === '.') ? `${receiver.name} ` : '';
    for (const s of nodes) {
      const open = s.children[0]?.type ?? '$(';
      const via = (open === '<(' ? sourced : '') + (SUB_VIA[open] ?? '$(…)');
      if (ctx.depth + 1 > LIMITS.maxDepth) this.limit(`nesting deeper than ${LIMITS.maxDepth} levels (${via})`);
      const sctx: Ctx = {
        via: [...ctx.via, via],
        depth: ctx.depth + 1,
        wrappers: [],
        stdin: open === '>(' && receiver ? { kind: 'pipe', from: receiver } : { kind: 'inherit' },
        stdout: open === '>(' ? 'inherit' : 'pipe',
        redirects: [],
      };
      this.walkSeq(s.children, cloneEnv(env), sctx);
    }
  }

  assignments(nodes: CNode[], env: Env, ctx: Ctx, exported: boolean): void {
    const ev = this.evaluator(env);
    for (const a of nodes) {
      if (a.type !== 'variable_assignment') continue;
      const nameNode = a.children.find((c) => c.field === 'name');
      const valNode = a.children.find((c) => c.field === 'value');
      if (!nameNode) continue;
      const name = this.text(nameNode);
      const w = valNode ? ev.single(valNode) : { word: { raw: '', value: '', dynamic: false, text: '' } as Word, subs: [] };
      this.subs(w.subs, env, ctx);
      const isArray = nameNode.type !== 'variable_name' || valNode?.type === 'array';
      const prev = env.vars.get(name);
      const info: VarInfo = { exported: exported || (prev?.exported ?? false) };
      if (!isArray && w.word.value !== undefined && !this.text(a).includes('+=')) info.value = w.word.value;
      env.vars.set(name, info);
    }
  }

  private declaration(n: CNode, env: Env, ctx: Ctx): void {
    const ev = this.evaluator(env);
    const argv: Word[] = [];
    const subs: CNode[] = [];
    const kw = this.text(n.children[0] ?? n).trim();
    const flags: string[] = [];
    for (const c of n.children) {
      if (!c.named) {
        argv.push({ raw: c.type, value: c.type, dynamic: false, text: c.type });
        continue;
      }
      if (c.type === 'variable_name') {
        const t = this.text(c);
        argv.push({ raw: t, value: t, dynamic: false, text: t });
      } else if (c.type === 'variable_assignment') {
        const w = ev.assignment(c);
        subs.push(...w.subs);
        argv.push(w.word);
      } else {
        const f = ev.fields(c);
        subs.push(...f.subs);
        argv.push(...f.words);
        for (const w of f.words) if (w.value?.startsWith('-')) flags.push(w.value);
      }
    }
    this.countWords(argv.length);
    const exported = kw === 'export' || flags.some((f) => /^-[a-z]*x/.test(f));
    // Emitted before its effects so substitutions in values see the old state.
    emitCommand(this, { argv, assignments: [], redirects: [], text: this.text(n), subs }, env, ctx);
    if (kw === 'unset') {
      for (const w of argv.slice(1)) if (w.value && !w.value.startsWith('-')) env.vars.delete(w.value);
      return;
    }
    if (kw === 'local' || kw === 'declare' || kw === 'typeset' || kw === 'readonly' || kw === 'export') {
      this.assignments(n.children.filter((c) => c.type === 'variable_assignment'), env, { ...ctx, via: ctx.via }, exported);
      for (const c of n.children) {
        if (c.type === 'variable_name') {
          const name = this.text(c);
          const prev = env.vars.get(name);
          if (prev) prev.exported ||= exported;
        }
      }
    }
  }

  /**
   * A simple command. `n` is absent for a statement that is only redirects; `extra` are redirects and `spill`
   * argument words the grammar hung outside the command node (see redirected.ts).
   */
  command(n: CNode | undefined, env: Env, ctx: Ctx, extra: Redirect[], spill: CNode[] = [], text = n ? this.text(n) : ''): void {
    const ev = this.evaluator(env);
    const argv: Word[] = [];
    const subs: CNode[] = [];
    const assigns: { name: string; value: Word }[] = [];
    const rnodes: CNode[] = [];
    const words: CNode[] = [];
    let named = false;
    for (const c of n ? n.children : []) {
      if (!c.named) continue;
      if (c.type === 'variable_assignment' && !named) {
        const nameNode = c.children.find((x) => x.field === 'name');
        const valNode = c.children.find((x) => x.field === 'value');
        const w = valNode ? ev.single(valNode) : { word: { raw: '', value: '', dynamic: false, text: '' } as Word, subs: [] };
        subs.push(...w.subs);
        assigns.push({ name: nameNode ? this.text(nameNode) : '', value: w.word });
      } else if (c.field === 'redirect' || c.type.endsWith('_redirect')) rnodes.push(c);
      else if (c.type === 'comment') continue;
      else {
        if (c.type === 'command_name') named = true;
        words.push(c.type === 'command_name' ? (c.children.find((x) => x.named) ?? c) : c);
      }
    }
    const pr = parseRedirects(this.src, rnodes, ev);
    if (pr.spill.length || spill.length) {
      named = true;
      words.push(...pr.spill, ...spill);
      words.sort((a, b) => a.s - b.s);
    }
    for (const c of words) {
      const f = ev.fields(c);
      subs.push(...f.subs);
      argv.push(...f.words);
    }
    this.countWords(argv.length + assigns.length);
    subs.push(...pr.subs);
    const own = [...pr.redirects, ...extra];
    const redirects = [...ctx.redirects, ...own];
    if (argv.length === 0) {
      // Assignments alone change the shell's variables; `$EMPTY` alone runs nothing. Redirects are still performed.
      this.subs(subs, env, ctx);
      if (!named && n) this.assignments(n.children.filter((c) => c.type === 'variable_assignment'), env, ctx, false);
      if (own.length) emitRedirectOnly(this, redirects, text, env, ctx);
      return;
    }
    emitCommand(this, { argv, assignments: assigns, redirects, text, subs }, env, ctx);
  }
}

const STATEMENTS = new Set([
  'command', 'redirected_statement', 'pipeline', 'list', 'subshell', 'compound_statement', 'if_statement',
  'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'function_definition',
  'negated_command', 'declaration_command', 'unset_command', 'variable_assignment', 'variable_assignments',
  'test_command',
]);

function isStatement(t: string): boolean {
  return STATEMENTS.has(t);
}

/**
 * Grammar loading and CST conversion.
 *
 * web-tree-sitter nodes are views into wasm memory: every property read crosses the JS/wasm boundary. The tree is
 * therefore copied once, with a cursor, into plain objects that the analysis can read freely; the wasm tree is
 * freed immediately so repeated nested parses never accumulate memory.
 */
import v8 from 'node:v8';
import { createRequire } from 'node:module';
import { Parser, Language } from 'web-tree-sitter';

/** A CST node copied out of wasm. `s`/`e` are UTF-16 offsets into the parsed string. */
export interface CNode {
  type: string;
  field: string | null;
  named: boolean;
  s: number;
  e: number;
  children: CNode[];
}

let parser: Parser | undefined;
/** Per type id: name and namedness, cached so the copy reads one integer per node from wasm. */
let typeNames: string[] = [];
let typeNamed: boolean[] = [];
let fieldNames: (string | null)[] = [];
let loading: Promise<void> | undefined;

/** Loads the bash grammar once per process. */
export function loadGrammar(): Promise<void> {
  if (parser) return Promise.resolve();
  if (!loading) {
    loading = (async () => {
      // Without this V8 tiers the grammar's wasm up to TurboFan in the background, which costs far more at exit
      // than the short-lived hook process ever gains.
      v8.setFlagsFromString('--liftoff-only');
      const require = createRequire(import.meta.url);
      await Parser.init();
      const lang = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
      const p = new Parser();
      p.setLanguage(lang);
      typeNames = lang.types.map((t) => t ?? '');
      typeNamed = typeNames.map((_t, i) => lang.nodeTypeIsNamed(i));
      fieldNames = lang.fields;
      parser = p;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

export function grammarLoaded(): boolean {
  return parser !== undefined;
}

export interface ParsedTree {
  root: CNode;
  /** True when the tree holds ERROR or MISSING nodes. */
  hasError: boolean;
  nodeCount: number;
  /** True when the node budget ran out before the whole tree was copied. */
  truncated: boolean;
}

/**
 * Parses `src` and copies at most `maxNodes` nodes. Returns undefined when the deadline passes during parsing
 * or when the grammar is not loaded.
 */
export function parseTree(src: string, maxNodes: number, maxDepth: number, deadline?: number): ParsedTree | undefined {
  const p = parser;
  if (!p) return undefined;
  p.reset();
  const options =
    deadline === undefined ? undefined : { progressCallback: () => performance.now() > deadline };
  const tree = options ? p.parse(src, null, options as never) : p.parse(src);
  if (!tree) return undefined;
  try {
    const cur = tree.walk();
    let count = 0;
    let hasError = false;
    let depthCut = false;
    const make = (): CNode => {
      count++;
      const id = cur.nodeTypeId;
      const type = typeNames[id] ?? 'ERROR';
      if (type === 'ERROR') hasError = true;
      return {
        type,
        field: fieldNames[cur.currentFieldId] ?? null,
        named: typeNamed[id] ?? true,
        s: cur.startIndex,
        e: cur.endIndex,
        children: [],
      };
    };
    // Iterative copy: adversarial input nests thousands of levels deep and must not overflow the JS stack.
    const root = make();
    const stack: CNode[] = [root];
    outer: for (;;) {
      if (count < maxNodes && cur.gotoFirstChild()) {
        if (stack.length < maxDepth) {
          const c = make();
          stack[stack.length - 1]!.children.push(c);
          stack.push(c);
          continue;
        }
        depthCut = true;
        cur.gotoParent();
      }
      for (;;) {
        if (stack.length <= 1) break outer;
        stack.pop();
        if (count < maxNodes && cur.gotoNextSibling()) {
          const c = make();
          stack[stack.length - 1]!.children.push(c);
          stack.push(c);
          continue outer;
        }
        cur.gotoParent();
      }
    }
    cur.delete();
    // Each rootNode read builds a fresh node object across the wasm boundary: read it once.
    const rootNode = tree.rootNode;
    const total = count < maxNodes && !depthCut ? count : rootNode.descendantCount;
    return { root, hasError: hasError || rootNode.hasError, nodeCount: total, truncated: count < total };
  } finally {
    tree.delete();
  }
}

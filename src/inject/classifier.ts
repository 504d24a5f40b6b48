/**
 * Optional learned classifier next to the rule-based detector.
 *
 * Off by default. It runs only when the user points cordon at a local ONNX model file; cordon never downloads a
 * model. onnxruntime-node is not a dependency: it is imported dynamically, and a missing install is reported as a
 * one-line error saying how to add it. The model is expected to be a sequence classifier (BERT-style inputs
 * `input_ids` / `attention_mask`, optional `token_type_ids`; output logits `[1, n]`), tokenised with the WordPiece
 * vocabulary file given in the configuration.
 */

import { readFile } from 'node:fs/promises';

export interface InjectionClassifier {
  name: string;
  /** Probability in 0..1 that the text is a prompt injection. */
  score(text: string): Promise<number>;
}

export interface OnnxClassifierConfig {
  /** Absolute path of the .onnx model. Required: without it no classifier is loaded. */
  modelPath?: string;
  /** WordPiece vocabulary (vocab.txt, one token a line). Required with modelPath. */
  vocabPath?: string;
  /** Index of the "injection" class in the output logits (default 1). */
  positiveIndex?: number;
  /** Maximum tokens per window; longer texts are scored window by window and the maximum kept (default 512). */
  maxTokens?: number;
  /** Lower-case input before tokenising (uncased models; default true). */
  lowercase?: boolean;
}

export class ClassifierUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-configured' | 'not-installed' | 'bad-model',
  ) {
    super(message);
    this.name = 'ClassifierUnavailableError';
  }
}

/** Minimal surface of onnxruntime-node that cordon uses, so the package's types are not needed at build time. */
interface OrtTensor {
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}
interface OrtModule {
  InferenceSession: { create(path: string): Promise<OrtSession> };
  Tensor: new (type: string, data: BigInt64Array, dims: number[]) => OrtTensor;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}

/** Module specifier kept in a variable so TypeScript does not try to resolve an optional package. */
const ORT = 'onnxruntime-node';

async function importOrt(specifier: string): Promise<OrtModule> {
  try {
    const mod = (await import(specifier)) as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : (mod.default as OrtModule);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ClassifierUnavailableError(
        `injection classifier: ${specifier} is not installed; run \`npm install ${specifier}\` next to cordon, or remove the model path from the configuration`,
        'not-installed',
      );
    }
    throw err;
  }
}

/**
 * Loads the configured ONNX classifier. Returns undefined when no model is configured (the default); throws
 * ClassifierUnavailableError when a model is configured but cannot be used.
 */
export async function loadOnnxClassifier(
  config: OnnxClassifierConfig = {},
  deps: { runtime?: string } = {},
): Promise<InjectionClassifier | undefined> {
  if (!config.modelPath) return undefined;
  if (!config.vocabPath) {
    throw new ClassifierUnavailableError('injection classifier: modelPath is set but vocabPath is not; give the vocab.txt that came with the model', 'bad-model');
  }
  const ort = await importOrt(deps.runtime ?? ORT);
  let session: OrtSession;
  let vocab: Map<string, number>;
  try {
    session = await ort.InferenceSession.create(config.modelPath);
    vocab = new Map((await readFile(config.vocabPath, 'utf8')).split('\n').map((t, i) => [t.trimEnd(), i] as const));
  } catch (err) {
    throw new ClassifierUnavailableError(`injection classifier: cannot load ${config.modelPath}: ${(err as Error).message}`, 'bad-model');
  }
  const tok = new WordPiece(vocab, config.lowercase ?? true);
  const maxTokens = config.maxTokens ?? 512;
  const positive = config.positiveIndex ?? 1;

  return {
    name: `onnx:${config.modelPath}`,
    async score(text: string): Promise<number> {
      const ids = tok.encode(text);
      const body = maxTokens - 2;
      let best = 0;
      for (let start = 0; start === 0 || start < ids.length; start += body) {
        const win = [tok.cls, ...ids.slice(start, start + body), tok.sep];
        const n = win.length;
        const feeds: Record<string, OrtTensor> = {};
        const make = (vals: number[]) => new ort.Tensor('int64', BigInt64Array.from(vals, (v) => BigInt(v)), [1, n]);
        for (const name of session.inputNames) {
          if (name.includes('mask')) feeds[name] = make(win.map(() => 1));
          else if (name.includes('type')) feeds[name] = make(win.map(() => 0));
          else feeds[name] = make(win);
        }
        const out = await session.run(feeds);
        const logits = Array.from(out[session.outputNames[0]!]!.data, Number);
        best = Math.max(best, softmax(logits)[positive] ?? 0);
      }
      return best;
    },
  };
}

function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** BERT WordPiece tokenisation: whitespace/punctuation split, then greedy longest-prefix sub-words. */
export class WordPiece {
  readonly cls: number;
  readonly sep: number;
  private readonly unk: number;
  constructor(
    private readonly vocab: Map<string, number>,
    private readonly lowercase: boolean,
  ) {
    this.cls = vocab.get('[CLS]') ?? 101;
    this.sep = vocab.get('[SEP]') ?? 102;
    this.unk = vocab.get('[UNK]') ?? 100;
  }

  encode(text: string): number[] {
    const src = this.lowercase ? text.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '') : text;
    const out: number[] = [];
    for (const word of src.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []) {
      if (word.length > 100) {
        out.push(this.unk);
        continue;
      }
      let start = 0;
      const pieces: number[] = [];
      while (start < word.length) {
        let end = word.length;
        let id: number | undefined;
        while (end > start) {
          id = this.vocab.get((start > 0 ? '##' : '') + word.slice(start, end));
          if (id !== undefined) break;
          end--;
        }
        if (id === undefined) {
          pieces.length = 0;
          pieces.push(this.unk);
          break;
        }
        pieces.push(id);
        start = end;
      }
      out.push(...pieces);
    }
    return out;
  }
}

/**
 * Rule score and classifier score combined: the classifier can raise a verdict, never lower one the rules
 * reached, so an unfamiliar model cannot silence an explicit finding.
 */
export async function scoreWithClassifier(ruleScore: number, text: string, classifier?: InjectionClassifier): Promise<number> {
  if (!classifier) return ruleScore;
  return Math.max(ruleScore, await classifier.score(text));
}

/**
 * Loads the effective policy: built-in defaults < user file (`<stateDir>/policy.yaml`) < project file
 * (`<workspace>/.cordon/policy.yaml`). Objects merge key by key, lists replace, except `bash.overrides`, which
 * accumulate across layers.
 *
 * Each layer is validated on its own so that an error names the file, line and field. A missing file is not an
 * error; an unreadable or invalid one is, and the caller decides what to do (the hook denies).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { ZodError } from 'zod';
import { PolicySchema, type Policy } from './schema.js';

export const PROJECT_POLICY = join('.cordon', 'policy.yaml');
export const USER_POLICY = 'policy.yaml';

export interface PolicyProblem {
  file: string;
  line?: number;
  column?: number;
  field?: string;
  message: string;
}

export interface PolicyLayer {
  file: string;
  status: 'missing' | 'ok' | 'invalid';
}

export type LoadedPolicy =
  | { ok: true; policy: Policy; hash: string; layers: PolicyLayer[] }
  | { ok: false; problems: PolicyProblem[]; layers: PolicyLayer[] };

export function formatProblem(p: PolicyProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}

interface LayerResult {
  layer: PolicyLayer;
  data?: Record<string, unknown>;
  problems: PolicyProblem[];
  text?: string;
}

/** Reads and validates one policy file. */
export function readPolicyFile(file: string): LayerResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { layer: { file, status: 'missing' }, problems: [] };
    return {
      layer: { file, status: 'invalid' },
      problems: [{ file, message: `cannot read the policy file (${code ?? String(err)})` }],
    };
  }
  return validatePolicyText(text, file);
}

export function validatePolicyText(text: string, file: string): LayerResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      layer: { file, status: 'invalid' },
      text,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `YAML syntax: ${firstLine(e.message)}` };
      }),
    };
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { layer: { file, status: 'invalid' }, text, problems: [{ file, line: 1, message: 'expected a mapping of policy settings at the top level' }] };
  }
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) {
    return { layer: { file, status: 'invalid' }, text, problems: zodProblems(parsed.error, file, (path) => {
      // Point at the deepest node that exists on the path, so a missing field points at its parent.
      for (let i = path.length; i >= 0; i--) {
        const node = i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true);
        if (isNode(node) && node.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return {};
    }) };
  }
  return { layer: { file, status: 'ok' }, text, data: raw as Record<string, unknown>, problems: [] };
}

function zodProblems(
  error: ZodError,
  file: string,
  locate: (path: (string | number)[]) => { line?: number; column?: number },
): PolicyProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      const loc = locate([...path, issue.keys[0] ?? '']);
      return { file, ...loc, field: path.join('.') || '(top level)', message };
    }
    return { file, ...locate(path), field: path.join('.') || '(top level)', message };
  });
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges layer b over a: objects by key, lists replaced, `bash.overrides` concatenated. */
export function mergeLayers(a: Record<string, unknown>, b: Record<string, unknown>, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const here = path ? `${path}.${k}` : k;
    const prev = out[k];
    if (here === 'bash.overrides' && Array.isArray(prev) && Array.isArray(v)) out[k] = [...prev, ...v];
    else if (isPlainObject(prev) && isPlainObject(v)) out[k] = mergeLayers(prev, v, here);
    else out[k] = v;
  }
  return out;
}

export interface LoadOptions {
  workspace: string;
  stateDir: string;
  /**
   * An extra layer over the project policy, named by the human who starts the run (CORDON_POLICY_OVERLAY), for
   * pipeline steps that narrow what one run may do.
   */
  overlay?: string;
}

export function policyFiles(opts: LoadOptions): string[] {
  return [join(opts.stateDir, USER_POLICY), join(opts.workspace, PROJECT_POLICY), ...(opts.overlay ? [opts.overlay] : [])];
}

/**
 * Settings a repository must not choose for the people who run agents in it: where the audit trail goes is the
 * user's decision, or a cloned repository could send the records (and the review) to its own server.
 */
const USER_ONLY: { path: string[]; why: string }[] = [{ path: ['audit', 'sink'], why: 'where audit records go is set in the user policy only' }];

function userOnlyProblems(r: LayerResult): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const u of USER_ONLY) {
    let v: unknown = r.data;
    for (const k of u.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined) {
      const line = r.text?.split('\n').findIndex((l) => l.trimStart().startsWith(`${u.path.at(-1)}:`));
      out.push({ file: r.layer.file, ...(line !== undefined && line >= 0 ? { line: line + 1 } : {}), field: u.path.join('.'), message: `not allowed in a project policy: ${u.why}` });
    }
  }
  return out;
}

export function loadPolicy(opts: LoadOptions): LoadedPolicy {
  const results = policyFiles(opts).map(readPolicyFile);
  const layers = results.map((r) => r.layer);
  const problems = results.flatMap((r, i) => (i === 0 ? r.problems : [...r.problems, ...userOnlyProblems(r)]));
  // An overlay that was asked for and is missing must not silently drop the narrowing it carries.
  if (opts.overlay && results[2]?.layer.status === 'missing') problems.push({ file: opts.overlay, message: 'policy overlay (CORDON_POLICY_OVERLAY) not found' });
  if (problems.length > 0) return { ok: false, problems, layers };
  let merged: Record<string, unknown> = {};
  const hash = createHash('sha256');
  for (const r of results) {
    if (r.data) merged = mergeLayers(merged, r.data);
    hash.update(r.layer.file).update('\0').update(r.text ?? '').update('\0');
  }
  const parsed = PolicySchema.safeParse(merged);
  if (!parsed.success) {
    // Each layer was valid alone; only a combination can fail here (it should not with replace-merge).
    return { ok: false, layers, problems: zodProblems(parsed.error, 'merged policy', () => ({})) };
  }
  return { ok: true, policy: parsed.data, hash: hash.digest('hex').slice(0, 16), layers };
}

/**
 * A cache for long-lived processes (the daemon): reuses the loaded policy while no layer file changed
 * (same size and mtime).
 */
export class PolicyCache {
  private entries = new Map<string, { stamp: string; loaded: LoadedPolicy }>();

  load(opts: LoadOptions): LoadedPolicy {
    const key = `${opts.stateDir}\0${opts.workspace}\0${opts.overlay ?? ''}`;
    const stamp = policyFiles(opts).map(fileStamp).join('|');
    const hit = this.entries.get(key);
    if (hit && hit.stamp === stamp) return hit.loaded;
    const loaded = loadPolicy(opts);
    if (this.entries.size > 256) this.entries.clear();
    this.entries.set(key, { stamp, loaded });
    return loaded;
  }
}

function fileStamp(file: string): string {
  try {
    // Most layers are missing (no user policy, no overlay): telling so without an exception keeps the per-call
    // check cheap in the daemon.
    const s = statSync(file, { throwIfNoEntry: false });
    return s ? `${s.size}:${s.mtimeMs}:${s.ino}` : 'none';
  } catch {
    return 'none';
  }
}

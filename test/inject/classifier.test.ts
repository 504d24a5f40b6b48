/** The optional ONNX classifier: off unless configured, and a clear error when the runtime is missing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassifierUnavailableError, loadOnnxClassifier, scoreWithClassifier, WordPiece } from '../../src/inject/classifier.js';

test('no model configured: no classifier is loaded', async () => {
  assert.equal(await loadOnnxClassifier(), undefined);
  assert.equal(await loadOnnxClassifier({}), undefined);
});

test('model configured but runtime not installed: not-installed error naming the package', async () => {
  await assert.rejects(
    loadOnnxClassifier({ modelPath: '/tmp/model.onnx', vocabPath: '/tmp/vocab.txt' }, { runtime: 'cordon-absent-onnx-runtime' }),
    (err: unknown) => err instanceof ClassifierUnavailableError && err.reason === 'not-installed' && /npm install cordon-absent-onnx-runtime/.test(err.message),
  );
});

test('default runtime onnxruntime-node: clear error when it is not installed', async (t) => {
  let installed = true;
  try {
    await import('onnxruntime-node' as string);
  } catch {
    installed = false;
  }
  if (installed) return t.skip('onnxruntime-node is installed here');
  await assert.rejects(
    loadOnnxClassifier({ modelPath: '/tmp/model.onnx', vocabPath: '/tmp/vocab.txt' }),
    (err: unknown) => err instanceof ClassifierUnavailableError && /onnxruntime-node is not installed/.test(err.message),
  );
});

test('model without vocabulary is rejected before loading anything', async () => {
  await assert.rejects(loadOnnxClassifier({ modelPath: '/tmp/model.onnx' }), (err: unknown) => err instanceof ClassifierUnavailableError && err.reason === 'bad-model');
});

test('classifier can raise a score but never lower it', async () => {
  const fixed = (s: number) => ({ name: 'fixed', score: async () => s });
  assert.equal(await scoreWithClassifier(0.2, 'x'), 0.2);
  assert.equal(await scoreWithClassifier(0.2, 'x', fixed(0.9)), 0.9);
  assert.equal(await scoreWithClassifier(0.8, 'x', fixed(0.1)), 0.8);
});

test('WordPiece splits into known sub-words', () => {
  const vocab = new Map(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'ignore', 'previous', 'instruct', '##ions', '.'].map((t, i) => [t, i] as const));
  const wp = new WordPiece(vocab, true);
  assert.deepEqual(wp.encode('Ignore previous instructions. zzz'), [4, 5, 6, 7, 8, 1]);
});

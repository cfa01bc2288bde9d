/** Validation: mean cross-entropy and top-1 accuracy over a source of batches. */
import type { Source } from './sources.js';
import { argmax, logSumExp } from '../util/scores.js';

/**
 * Runs `logits` over every batch of `source` (in index order) and scores it.
 *
 * @example
 * const { loss, accuracy } = await evaluate(source, 500, (data, n) => learner.logits(model, data, n));
 */
export async function evaluate(source: Source, count: number, logits: (data: Float32Array, n: number) => Promise<Float32Array>): Promise<{ loss: number; accuracy: number; count: number }> {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for await (const batch of source(Array.from({ length: count }, (_, i) => i), 0, 0)) {
    const n = batch.labels.length;
    if (n === 0) continue;
    const out = await logits(batch.data, n); // [N, K]
    const k = out.length / n;
    batch.labels.forEach((label, i) => {
      const row = out.subarray(i * k, (i + 1) * k);
      lossSum += logSumExp(row) - row[label]; // −log softmax[label]
    });
    correct += countCorrect(out, batch.labels);
    seen += n;
  }
  return { loss: lossSum / Math.max(1, seen), accuracy: correct / Math.max(1, seen), count: seen };
}

/**
 * Rows of logits [N, K] whose largest entry (the first on ties, never a NaN) is the label.
 *
 * @example
 * countCorrect(new Float32Array([0.1, 2, 3, 0]), [1, 0]) // 1
 */
export function countCorrect(logits: Float32Array, labels: readonly number[]): number {
  const k = logits.length / labels.length;
  let correct = 0;
  labels.forEach((label, i) => {
    if (argmax(logits.subarray(i * k, (i + 1) * k)) === label) correct++;
  });
  return correct;
}

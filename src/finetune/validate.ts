/** Validation: mean cross-entropy and top-1 accuracy over a source of batches. */
import type { Source } from './sources.js';

/**
 * Runs `logits` over every batch of `source` (in index order) and scores it.
 *
 * @example
 * const { loss, accuracy } = await evaluate(source, 500, 32, (data, n) => learner.logits(model, data, n));
 */
export async function evaluate(source: Source, count: number, _batchSize: number, logits: (data: Float32Array, n: number) => Promise<Float32Array>): Promise<{ loss: number; accuracy: number; count: number }> {
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
      let max = -Infinity;
      let arg = 0;
      row.forEach((v, j) => (v > max ? ((max = v), (arg = j)) : 0));
      let sum = 0;
      for (const v of row) sum += Math.exp(v - max);
      lossSum += max + Math.log(sum) - row[label];
      if (arg === label) correct++;
    });
    seen += n;
  }
  return { loss: lossSum / Math.max(1, seen), accuracy: correct / Math.max(1, seen), count: seen };
}

/**
 * Softmax, log-sum-exp and argmax over rows of class scores, in float64, with one NaN rule:
 * **NaN is never chosen, but always shown.** Choices (argmax, ranks, top-k order) treat a NaN
 * score as lower than every number, so a NaN logit never becomes a prediction; values (softmax,
 * log-sum-exp, hence losses) propagate it, so a row holding a NaN comes out NaN and a broken
 * model shows as a NaN loss or NaN probabilities, never as a plausible number. Ties go to the
 * lower class index everywhere.
 */

/**
 * A score as choices compare it: NaN is lower than every number.
 *
 * @example
 * scoreForChoice(NaN) // -Infinity
 */
export function scoreForChoice(value: number): number {
  return Number.isNaN(value) ? -Infinity : value;
}

/**
 * Sort comparator for class indices, highest score first, ties by lower index (with a stable sort).
 *
 * @example
 * indices.sort(byScoreDescending(probabilities))
 */
export function byScoreDescending(scores: ArrayLike<number>): (a: number, b: number) => number {
  return (a, b) => {
    const [sa, sb] = [scoreForChoice(scores[a]), scoreForChoice(scores[b])];
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  };
}

/**
 * The top-1 class of a row of scores; ties go to the lower index, NaN never wins.
 *
 * @example
 * argmax([0.2, 0.7, 0.7]) // 1
 */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scoreForChoice(scores[i]) > scoreForChoice(scores[best])) best = i;
  return best;
}

/** The row's maximum and Σ exp(x − max): the stable core of log-sum-exp and softmax. */
function shiftedExpSum(row: ArrayLike<number>): { max: number; sum: number } {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]); // Math.max propagates NaN
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return { max, sum };
}

/**
 * log Σ exp(x) of one row, shifted by its maximum so that large logits do not overflow; NaN if
 * any entry is NaN.
 *
 * @example
 * logSumExp([0, 0]) // Math.LN2
 */
export function logSumExp(row: ArrayLike<number>): number {
  const { max, sum } = shiftedExpSum(row);
  return max + Math.log(sum);
}

/**
 * Softmax over each row of [N, K] logits; a row with a NaN comes out all NaN.
 *
 * @example
 * softmaxRows(new Float32Array([0, 0]), 2) // Float32Array [0.5, 0.5]
 */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let offset = 0; offset < logits.length; offset += classes) {
    const row = logits.subarray(offset, offset + classes);
    const { max, sum } = shiftedExpSum(row);
    for (let k = 0; k < classes; k++) out[offset + k] = Math.exp(row[k] - max) / sum;
  }
  return out;
}

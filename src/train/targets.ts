/** Class labels to the target distributions the training graph takes. */
import { InputShapeError } from '../errors.js';

/**
 * One-hot targets [N, K], smoothed as PyTorch's cross_entropy(label_smoothing=ε) does:
 * (1 − ε)·onehot + ε/K.
 *
 * @example
 * targetDistribution([2], 4, 0.1) // [0.025, 0.025, 0.925, 0.025]
 */
export function targetDistribution(labels: ArrayLike<number | bigint>, classes: number, smoothing = 0): Float32Array {
  if (!(smoothing >= 0 && smoothing < 1)) throw new InputShapeError(`label smoothing ${smoothing} should be in [0, 1)`);
  const out = new Float32Array(labels.length * classes).fill(smoothing / classes);
  for (let n = 0; n < labels.length; n++) {
    const label = Number(labels[n]);
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new InputShapeError(`label ${labels[n]} at index ${n} is not a class index in [0, ${classes})`);
    out[n * classes + label] += 1 - smoothing;
  }
  return out;
}

/**
 * Classification metrics as pure functions of (true class, scores) pairs. Ties between scores
 * are broken the way `topK` in the classify pipeline breaks them, by lower class index, so the
 * accuracy reported here agrees with what `classify` prints for the same images.
 */
import { ConfigError } from '../errors.js';
import { argmax, scoreForChoice } from '../util/scores.js';

export { argmax };

/** Per-class counts and rates; rates are `null` where they are 0/0. */
export interface ClassMetrics {
  /** Index in the model's output. */
  readonly index: number;
  readonly name: string;
  /** Images whose true class this is (the row sum of the confusion matrix). */
  readonly images: number;
  /** Of those, predicted correctly (top-1). */
  readonly correct: number;
  /** Images predicted as this class, right or wrong (the column sum). */
  readonly predicted: number;
  /** correct / images (recall); null when the class has no images. */
  readonly accuracy: number | null;
  /** correct / predicted; null when nothing was predicted as this class. */
  readonly precision: number | null;
}

export interface Metrics {
  readonly images: number;
  /** Fraction whose highest score is the true class. */
  readonly top1: number;
  /** `k` of the top-k accuracy (at most the number of classes). */
  readonly k: number;
  /** Fraction whose true class is among the k highest scores. */
  readonly topK: number;
  /** Mean of the per-class accuracies over classes that have images (balanced accuracy). */
  readonly meanClassAccuracy: number | null;
  /** The classes that have images or were predicted, in model index order. */
  readonly classes: readonly ClassMetrics[];
  /** confusion[i][j]: images of `classes[i]` predicted as `classes[j]`. */
  readonly confusion: readonly (readonly number[])[];
}

/**
 * Rank of `target` in one row of scores: 0 when it is the top-1 prediction. Classes with a
 * higher score, and tied classes with a lower index, come before it.
 *
 * @example
 * targetRank([0.1, 0.5, 0.5], 2) // 1: class 1 ties with it and wins by index
 */
export function targetRank(scores: ArrayLike<number>, target: number): number {
  const own = scoreForChoice(scores[target]); // NaN ranks last (util/scores.ts)
  let rank = 0;
  for (let i = 0; i < scores.length; i++) {
    const other = scoreForChoice(scores[i]);
    if (other > own || (other === own && i < target)) rank++;
  }
  return rank;
}

/**
 * Fraction of ranks below k: the top-k accuracy from `targetRank` values. 0 for no images.
 *
 * @example
 * topKAccuracy([0, 3, 1, 0], 2) // 0.75
 */
export function topKAccuracy(ranks: readonly number[], k: number): number {
  return ranks.length === 0 ? 0 : ranks.filter((r) => r < k).length / ranks.length;
}

/**
 * Counts of (true class, predicted class) over `numClasses` classes: rows are true classes.
 *
 * @example
 * confusionMatrix([0, 0, 1], [0, 1, 1], 2) // [[1, 1], [0, 1]]
 */
export function confusionMatrix(targets: readonly number[], predictions: readonly number[], numClasses: number): number[][] {
  if (targets.length !== predictions.length) throw new ConfigError(`${targets.length} targets but ${predictions.length} predictions`);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  targets.forEach((target, i) => {
    const predicted = predictions[i];
    for (const value of [target, predicted]) {
      if (!Number.isInteger(value) || value < 0 || value >= numClasses) throw new ConfigError(`Class index ${value} is out of range for ${numClasses} classes`);
    }
    matrix[target][predicted]++;
  });
  return matrix;
}

/**
 * Per-class counts, accuracy (recall) and precision of a square confusion matrix.
 *
 * @example
 * classMetrics([[1, 1], [0, 0]], ['cat', 'dog'])
 * // [{ name: 'cat', images: 2, correct: 1, predicted: 1, accuracy: 0.5, precision: 1, ... },
 * //  { name: 'dog', images: 0, correct: 0, predicted: 1, accuracy: null, precision: 0, ... }]
 */
export function classMetrics(confusion: readonly (readonly number[])[], names: readonly string[], indices: readonly number[] = names.map((_, i) => i)): ClassMetrics[] {
  return confusion.map((row, i) => {
    const images = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + r[i], 0);
    const correct = row[i];
    return { index: indices[i], name: names[i], images, correct, predicted, accuracy: images > 0 ? correct / images : null, precision: predicted > 0 ? correct / predicted : null };
  });
}

/**
 * Top-1, top-k, per-class metrics and the confusion matrix from each image's true class,
 * top-1 prediction and `targetRank`. Classes that have no images and were never predicted are
 * left out of `classes` and `confusion`, so a 1000-class model on a 3-class folder gives a small
 * matrix; indices still refer to the model's outputs.
 *
 * @example
 * const m = computeMetrics({ targets: [0, 1], predictions: [0, 0], ranks: [0, 1] }, ['cat', 'dog'], 5);
 * // m.top1 0.5, m.k 2, m.topK 1, m.classes[1].accuracy 0
 */
export function computeMetrics(results: { readonly targets: readonly number[]; readonly predictions: readonly number[]; readonly ranks: readonly number[] }, names: readonly string[], k: number): Metrics {
  const { targets, predictions, ranks } = results;
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`top-k must be a positive integer, got ${k}`);
  if (ranks.length !== targets.length) throw new ConfigError(`${targets.length} targets but ${ranks.length} ranks`);
  const full = confusionMatrix(targets, predictions, names.length);
  const present = names.map((_, i) => i).filter((i) => full[i].some((v) => v > 0) || full.some((row) => row[i] > 0));
  const confusion = present.map((i) => present.map((j) => full[i][j]));
  const classes = classMetrics(confusion, present.map((i) => names[i]), present);
  const accuracies = classes.map((c) => c.accuracy).filter((a): a is number => a !== null);
  const kept = Math.min(k, names.length);
  return {
    images: targets.length,
    top1: topKAccuracy(ranks, 1),
    k: kept,
    topK: topKAccuracy(ranks, kept),
    meanClassAccuracy: accuracies.length > 0 ? accuracies.reduce((a, b) => a + b, 0) / accuracies.length : null,
    classes,
    confusion,
  };
}

/**
 * Metrics straight from [N, K] scores (logits or probabilities) and true classes.
 *
 * @example
 * metricsFromScores(new Float32Array([2, 1, 0, 0, 1, 2]), [0, 1], ['a', 'b', 'c'], 2) // top1 0.5, topK 1
 */
export function metricsFromScores(scores: ArrayLike<number>, targets: readonly number[], names: readonly string[], k: number): Metrics {
  const classes = names.length;
  if (scores.length !== targets.length * classes) throw new ConfigError(`${scores.length} scores do not make ${targets.length} rows of ${classes} classes`);
  const rows = targets.map((_, i) => Array.prototype.slice.call(scores, i * classes, (i + 1) * classes) as number[]);
  return computeMetrics({ targets, predictions: rows.map(argmax), ranks: rows.map((row, i) => targetRank(row, targets[i])) }, names, k);
}

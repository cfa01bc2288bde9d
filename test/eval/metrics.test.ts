/** Metrics on cases small enough to work out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { argmax, classMetrics, computeMetrics, confusionMatrix, metricsFromScores, targetRank, topKAccuracy } from '../../src/eval/metrics.js';

test('ranks and argmax break ties by lower index, as classify does, and never rank NaN first', () => {
  assert.equal(targetRank([0.1, 0.5, 0.5], 1), 0);
  assert.equal(targetRank([0.1, 0.5, 0.5], 2), 1);
  assert.equal(targetRank([0.3, 0.3, 0.3, 0.3], 3), 3);
  assert.equal(targetRank([NaN, 0, 1], 0), 2);
  assert.equal(argmax([0.2, 0.7, 0.7]), 1);
  assert.equal(argmax([NaN, -5]), 1);
  assert.equal(topKAccuracy([0, 3, 1, 0], 2), 0.75);
  assert.equal(topKAccuracy([], 1), 0);
});

test('confusion matrix rows are true classes; bad indices are refused', () => {
  assert.deepEqual(confusionMatrix([0, 0, 1, 2, 2], [0, 1, 1, 0, 2], 3), [[1, 1, 0], [0, 1, 0], [1, 0, 1]]);
  assert.deepEqual(confusionMatrix([], [], 2), [[0, 0], [0, 0]]);
  assert.throws(() => confusionMatrix([3], [0], 3), /Class index 3 is out of range for 3 classes/);
  assert.throws(() => confusionMatrix([0], [], 3), ConfigError);
});

test('per-class accuracy and precision; 0/0 is null, not NaN', () => {
  // cat: 3 images, 2 right; dog: 1 image, wrong; fox: no images, predicted once.
  const metrics = classMetrics([[2, 0, 1], [1, 0, 0], [0, 0, 0]], ['cat', 'dog', 'fox']);
  assert.deepEqual(metrics, [
    { index: 0, name: 'cat', images: 3, correct: 2, predicted: 3, accuracy: 2 / 3, precision: 2 / 3 },
    { index: 1, name: 'dog', images: 1, correct: 0, predicted: 0, accuracy: 0, precision: null },
    { index: 2, name: 'fox', images: 0, correct: 0, predicted: 1, accuracy: null, precision: 0 },
  ]);
});

test('top-1 and top-k from scores, with ties and a class never predicted', () => {
  const names = ['a', 'b', 'c', 'd'];
  const scores = new Float32Array([
    // true a: a wins outright
    4, 1, 1, 0,
    // true b: tie between a and b at the top, a wins by index → top-1 wrong, top-2 right
    3, 3, 0, 0,
    // true c: c is third
    5, 4, 3, 0,
    // true a: d wins, a second
    1, 0, 0, 2,
  ]);
  const m = metricsFromScores(scores, [0, 1, 2, 0], names, 2);
  assert.equal(m.images, 4);
  assert.equal(m.top1, 0.25);
  assert.equal(m.k, 2);
  assert.equal(m.topK, 0.75);
  // b and c were never predicted; every class appears (d only as a prediction).
  assert.deepEqual(m.classes.map((c) => [c.name, c.images, c.correct, c.predicted]), [['a', 2, 1, 3], ['b', 1, 0, 0], ['c', 1, 0, 0], ['d', 0, 0, 1]]);
  assert.deepEqual(m.confusion, [[1, 0, 0, 1], [1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]);
  assert.equal(m.classes[1].precision, null);
  assert.equal(m.classes[3].accuracy, null);
  assert.equal(m.meanClassAccuracy, (0.5 + 0 + 0) / 3);
});

test('classes with no images that were never predicted are left out; k is capped at the class count', () => {
  const names = Array.from({ length: 10 }, (_, i) => `class_${i}`);
  const m = computeMetrics({ targets: [7, 7, 2], predictions: [7, 2, 2], ranks: [0, 1, 0] }, names, 20);
  assert.deepEqual(m.classes.map((c) => c.index), [2, 7]);
  assert.deepEqual(m.confusion, [[1, 0], [1, 1]]);
  assert.equal(m.k, 10);
  assert.equal(m.topK, 1);
  const empty = computeMetrics({ targets: [], predictions: [], ranks: [] }, names, 5);
  assert.deepEqual([empty.images, empty.top1, empty.classes.length, empty.meanClassAccuracy], [0, 0, 0, null]);
  assert.throws(() => computeMetrics({ targets: [0], predictions: [0], ranks: [0] }, names, 0), /top-k must be a positive integer/);
});

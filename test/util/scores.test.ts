import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetRank } from '../../src/eval/metrics.js';
import { countCorrect } from '../../src/finetune/validate.js';
import { topK } from '../../src/pipeline/classify.js';
import { argmax, byScoreDescending, logSumExp, softmaxRows } from '../../src/util/scores.js';

test('log-sum-exp and softmax are stable for large logits and agree with the direct formula', () => {
  assert.equal(logSumExp([1000, 1000]), 1000 + Math.LN2);
  assert.ok(Math.abs(logSumExp([1, 2, 3]) - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))) < 1e-15);
  const p = softmaxRows(new Float32Array([1, 2, 3, 800, 800, -800]), 3);
  const direct = [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
  assert.deepEqual(Array.from(p.subarray(0, 3)), direct.map(Math.fround));
  assert.deepEqual(Array.from(p.subarray(3)), [0.5, 0.5, 0]);
});

test('the NaN rule: values show it, choices never pick it', () => {
  assert.ok(Number.isNaN(logSumExp([0, NaN, 1])));
  assert.ok(Array.from(softmaxRows(new Float32Array([0, NaN, 1, 0, 0, 0]), 3).subarray(0, 3)).every(Number.isNaN));
  assert.deepEqual(Array.from(softmaxRows(new Float32Array([0, NaN, 1, 0, 0, 0]), 3).subarray(3)), [1 / 3, 1 / 3, 1 / 3].map(Math.fround), 'other rows are untouched');
  assert.equal(argmax([NaN, -5, -7]), 1, 'a NaN in first place does not win');
  assert.equal(argmax([NaN, NaN]), 0);
  assert.equal(countCorrect(new Float32Array([NaN, -5, 2, 1]), [1, 0]), 2, 'finetune accuracy uses the same argmax');
  assert.deepEqual(topK(new Float32Array([0.2, NaN, 0.5, 0.2]), 4, []).map((p) => p.index), [2, 0, 3, 1]);
  assert.equal(targetRank([NaN, 0.1, 0.9], 0), 2);
});

test('ties go to the lower index in argmax, ranks and top-k alike', () => {
  const row = [0.1, 0.4, 0.4, 0.1];
  assert.equal(argmax(row), 1);
  assert.deepEqual([0, 1, 2, 3].sort(byScoreDescending(row)), [1, 2, 0, 3]);
  assert.deepEqual(topK(new Float32Array(row), 2, ['a', 'b', 'c', 'd']).map((p) => p.label), ['b', 'c']);
  assert.equal(targetRank(row, 2), 1);
});

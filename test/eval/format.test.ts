/** The text and JSON reports, from metrics made by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Evaluation } from '../../src/eval/evaluate.js';
import { evaluationJson, formatEvaluation } from '../../src/eval/format.js';
import { computeMetrics } from '../../src/eval/metrics.js';

function evaluation(targets: number[], predictions: number[], names: string[]): Evaluation {
  const ranks = targets.map((t, i) => (t === predictions[i] ? 0 : 1));
  return { root: 'val', matchedBy: 'name', failed: [], skipped: [], ...computeMetrics({ targets, predictions, ranks }, names, 5) };
}

test('text report: rates that are 0/0 print as -, the matrix is aligned', () => {
  const text = formatEvaluation(evaluation([0, 0, 1], [0, 2, 2], ['cat', 'dog', 'fox']));
  assert.match(text, /Top-1 accuracy: 33\.33% \(1\/3\)\nTop-3 accuracy: 100\.00% \(3\/3\)\nMean per-class accuracy: 25\.00%/);
  assert.match(text, /\n {2}1 {2}dog {9}1 {8}0 {10}0 {5}0\.00% {10}-\n/);
  assert.match(text, /\n {2}2 {2}fox {9}0 {8}0 {10}2 {9}- {6}0\.00%\n/);
  assert.match(text, /Confusion matrix[^\n]*\n {2}# {2}class {2}0 {2}1 {2}2\n {2}0 {2}cat {4}1 {2}0 {2}1\n {2}1 {2}dog {4}0 {2}0 {2}1\n/);
});

test('past 30 classes the text lists the most frequent confusions instead of the matrix', () => {
  const names = Array.from({ length: 40 }, (_, i) => `class_${i}`);
  const targets = names.map((_, i) => i).concat([3, 3, 3]);
  const predictions = names.map((_, i) => (i + 1) % 40).concat([7, 7, 3]);
  const text = formatEvaluation(evaluation(targets, predictions, names));
  assert.doesNotMatch(text, /Confusion matrix/);
  assert.match(text, /Most frequent confusions \(the 40-class matrix is in the JSON report and the picture\):\n\s+images\s+true class\s+predicted as\n\s+2\s+class_3\s+class_7\n/);
  const listed = text.slice(text.indexOf('Most frequent')).trim().split('\n').slice(2);
  assert.equal(listed.length, 20, 'at most 20 rows');
});

test('JSON report parses, keeps nulls, and puts each confusion row on one line', () => {
  const result = evaluation([0, 0, 1], [0, 2, 2], ['cat', 'dog', 'fox']);
  const json = evaluationJson(result, { weights: 'm.safetensors' });
  const parsed = JSON.parse(json) as Evaluation & { weights: string };
  assert.equal(parsed.weights, 'm.safetensors');
  assert.deepEqual(parsed.confusion, result.confusion);
  assert.equal(parsed.classes[1].precision, null);
  assert.match(json, /"confusion": \[\n {4}\[1,0,1\],\n {4}\[0,0,1\],\n {4}\[0,0,0\]\n {2}\]\n\}\n$/);
  assert.deepEqual(JSON.parse(evaluationJson(evaluation([], [], ['a']))).confusion, []);
});

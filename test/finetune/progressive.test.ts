/**
 * Progressive learning (EfficientNetV2): the stage plan (sizes linear, rounded to multiples of 8,
 * regularisation growing with them), a from-scratch run on Fashion-MNIST whose loss falls across
 * a size change and whose model ends at the last size, and a run stopped in the second stage that
 * resumes bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { fit, type FitResult } from '../../src/finetune/fit.js';
import type { FitOptions } from '../../src/finetune/options.js';
import { describeStages, progressiveStages } from '../../src/finetune/progressive.js';
import { EfficientNet } from '../../src/index.js';
import { cli } from '../support/cli.js';
import { withDir } from '../support/tempdir.js';
import { fashion, folderOf, smallNet } from './support.js';
import { rm } from 'node:fs/promises';

test('stage plan: sizes linear from start to end, intermediate ones on multiples of 8, equal neighbours merged', () => {
  const plan = (epochs: number, start: number, end: number, stages?: number) =>
    progressiveStages(epochs, { start, end, stages }).map((s) => [s.firstEpoch, s.epochs, s.size]);
  assert.deepEqual(plan(8, 128, 300), [[0, 2, 128], [2, 2, 184], [4, 2, 240], [6, 2, 300]]); // 185.3 → 184, 242.7 → 240
  assert.deepEqual(plan(10, 24, 32), [[0, 5, 24], [5, 5, 32]]); // 26.7 → 24, 29.3 → 32
  assert.deepEqual(plan(3, 128, 300), [[0, 1, 128], [1, 1, 216], [2, 1, 300]]); // at most one stage per epoch
  assert.deepEqual(plan(5, 96, 96), [[0, 5, 96]]);
  assert.deepEqual(plan(6, 300, 128, 3), [[0, 2, 300], [2, 2, 216], [4, 2, 128]]); // shrinking is allowed
  const regular = progressiveStages(8, { start: 128, end: 300, dropout: [0.1, 0.3], magnitude: [5, 15] });
  assert.deepEqual(regular.map((s) => [+s.dropout!.toFixed(6), s.magnitude]), [[0.1, 5], [0.166667, 8], [0.233333, 12], [0.3, 15]]);
  assert.equal(describeStages(progressiveStages(10, { start: 24, end: 32 })), '24 px (epochs 1–5), 32 px (epochs 6–10)');
  assert.throws(() => progressiveStages(2, { start: 4, end: 32.5, stages: 3, dropout: [0.1, 1] }), (e: Error) => e instanceof ConfigError
    && e.message === 'progressive.start must be a whole number of pixels ≥ 8, got 4; progressive.end must be a whole number of pixels ≥ 8, got 32.5; '
      + 'progressive.stages must be a whole number from 1 to the 2 epoch(s), got 3; progressive.dropout must be [from, to] between 0 and 1, got [0.1,1]');
});

test('from scratch, 24 → 32 px on 120 Fashion-MNIST images: the loss falls across the size change; the model ends at 32 px', async () => {
  const train = await fashion('train', 12);
  const net = smallNet();
  const sizes: number[] = [];
  const result = await net.fit(train, {
    epochs: 4, batchSize: 20, learningRate: 3e-3, augment: false, zeroHead: true, freshStatistics: true, progressive: { start: 24, end: 32 },
    onEpoch: (e) => void sizes.push(e.epoch),
  });
  const losses = result.history.map((h) => h.loss);
  assert.ok(losses[3] < losses[0] * 0.8 && losses[2] < losses[0], `loss falls over the stages: ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
  assert.deepEqual(result.model.config.imageSize, [32, 32]);
  assert.deepEqual(result.model.preprocess.crop, [32, 32]);
  assert.deepEqual(sizes, [0, 1, 2, 3]);
  await Promise.all([result.model.dispose(), net.dispose()]);
});

function weightsOf(result: FitResult): Map<string, ArrayLike<unknown>> {
  return new Map([...result.model.weights].map(([k, t]) => [k, t.data]));
}

test('a progressive run stopped in its second stage resumes bit for bit (weights, statistics, optimizer, dropout and RandAugment growing)', () => withDir(async (dir) => {
  const train = await fashion('train', 4); // 40 images, 4 steps per epoch
  const options: FitOptions = {
    epochs: 2, batchSize: 10, learningRate: 1e-3, seed: 5, validation: { split: 0.2 },
    augment: { crop: { scale: [0.5, 1] }, flip: true, randAugment: { ops: 1 } },
    progressive: { start: 24, end: 32, dropout: [0.1, 0.3], magnitude: [3, 9] },
  };
  const whole = await fit(smallNet(), train, { ...options, out: join(dir, 'a.safetensors') });
  const controller = new AbortController();
  const stopped = await fit(smallNet(), train, {
    ...options, out: join(dir, 'b.safetensors'), signal: controller.signal,
    onStep: (s) => void (s.step === 5 ? controller.abort() : undefined), // one step into the 32 px stage
  });
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.history.length, 1);
  await stopped.model.dispose();
  const resumed = await fit(smallNet(), train, { ...options, out: join(dir, 'b.safetensors'), resume: true });
  const [a, b] = [weightsOf(whole), weightsOf(resumed)];
  for (const [key, values] of a) assert.deepEqual(b.get(key), values, `'${key}' bit-identical`);
  assert.deepEqual(resumed.history.map((h) => [h.loss, h.validationAccuracy]), whole.history.map((h) => [h.loss, h.validationAccuracy]));
  // The stage plan is part of the run's fingerprint: another plan does not resume this state.
  await assert.rejects(fit(smallNet(), train, { ...options, progressive: { start: 24, end: 40 }, out: join(dir, 'b.safetensors'), resume: true }), /progressive/);
  const saved = await EfficientNet.fromWeights(join(dir, 'b.safetensors'));
  assert.deepEqual(saved.config.imageSize, [32, 32]);
  await Promise.all([whole.model.dispose(), resumed.model.dispose(), saved.dispose()]);
}));

test('finetune --progressive 24,32: the first line names the stage sizes; the saved model is at 32 px; a bad value is named', async () => {
  const root = await folderOf(['bag', 'shoe'], 4);
  try {
    const out = join(root, 'm.safetensors');
    const r = await cli('finetune', root, '--model', 'efficientnet-b0', '--in-channels', '1', '--progressive', '24,32', '--epochs', '2', '--batch-size', '4', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'from scratch with progressive sizes 24 px (epoch 1), 32 px (epoch 2): batch-norm momentum 0.1, no augmentation, cosine schedule');
    const saved = await EfficientNet.fromWeights(out);
    assert.deepEqual([saved.config.imageSize, saved.preprocess.crop], [[32, 32], [32, 32]]);
    await saved.dispose();
    const bad = await cli('finetune', root, '--model', 'efficientnet-b0', '--progressive', '32', '--out', out);
    assert.equal(bad.code, 2); // commander's code for a bad argument, as every command's
    assert.equal(bad.stderr.trim().split('\n')[0], "error: option '--progressive <start,end>' argument '32' is invalid. '32' is not start,end image sizes (e.g. 128,300; each at least 8).");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

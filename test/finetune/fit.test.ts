/**
 * fit on real images (Fashion-MNIST): the loss falls and the accuracy rises; a run stopped
 * mid-epoch and resumed gives bit-identical weights; head-only training on cached features is
 * exactly training on recomputed ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fit, type FitResult } from '../../src/finetune/fit.js';
import type { FitOptions } from '../../src/finetune/options.js';
import { EfficientNet } from '../../src/index.js';
import { fashion, smallNet } from './support.js';

function weightsOf(result: FitResult): Map<string, ArrayLike<unknown>> {
  return new Map([...result.model.weights].map(([k, t]) => [k, t.data]));
}

test('training from scratch on 200 Fashion-MNIST images: loss falls, accuracy rises', async () => {
  const train = await fashion('train', 20);
  const net = smallNet();
  const result = await net.fit(train, { epochs: 4, batchSize: 20, learningRate: 2e-3, augment: false, zeroHead: true, freshStatistics: true, validation: await fashion('test', 10) });
  const [first, last] = [result.history[0], result.history[result.history.length - 1]];
  assert.ok(last.loss < first.loss * 0.8, `training loss falls: ${result.history.map((h) => h.loss.toFixed(3)).join(' → ')}`);
  assert.ok(last.accuracy > first.accuracy + 0.1, `training accuracy rises: ${result.history.map((h) => h.accuracy.toFixed(2)).join(' → ')}`);
  assert.ok(last.validationAccuracy! > 0.2, `held-out accuracy above chance (0.1): ${result.history.map((h) => h.validationAccuracy).join(' → ')}`);
  await result.model.dispose();
  await net.dispose();
});

test('a run stopped mid-epoch and resumed from its state file equals the uninterrupted run, bit for bit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'efficientnet-resume-'));
  const train = await fashion('train', 4); // 40 images, 4 steps per epoch
  const options: FitOptions = {
    epochs: 2, batchSize: 10, freeze: { stages: 2 }, learningRate: 1e-3, labelSmoothing: 0.1, seed: 3,
    augment: { crop: { scale: [0.5, 1] }, flip: true }, validation: { split: 0.2 },
  };
  try {
    const whole = await fit(smallNet(), train, { ...options, out: join(dir, 'a.safetensors') });
    const controller = new AbortController();
    const stopped = await fit(smallNet(), train, {
      ...options, out: join(dir, 'b.safetensors'), signal: controller.signal,
      onStep: (s) => void (s.step === 2 ? controller.abort() : undefined),
    });
    assert.equal(stopped.stopped, true);
    assert.equal(stopped.history.length, 0);
    await stopped.model.dispose();
    const resumed = await fit(smallNet(), train, { ...options, out: join(dir, 'b.safetensors'), resume: true });
    assert.equal(resumed.stopped, false);
    const [a, b] = [weightsOf(whole), weightsOf(resumed)];
    for (const [key, values] of a) assert.deepEqual(b.get(key), values, `'${key}' bit-identical`);
    assert.deepEqual(resumed.history.map((h) => [h.loss, h.accuracy, h.validationAccuracy]), whole.history.map((h) => [h.loss, h.accuracy, h.validationAccuracy]));
    // The saved files agree too, and carry the class names.
    const saved = await EfficientNet.fromWeights(join(dir, 'b.last.safetensors'));
    assert.deepEqual(saved.labels, train.classes);
    assert.deepEqual(saved.weights.get('_fc.weight')!.data, whole.model.weights.get('_fc.weight')!.data);
    await Promise.all([whole.model.dispose(), resumed.model.dispose(), saved.dispose()]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('head-only training on cached features gives the same result as recomputing them every epoch', async () => {
  const train = await fashion('train', 6);
  const backbone = smallNet(5);
  const options: FitOptions = { epochs: 3, batchSize: 16, freeze: 'head', augment: false, learningRate: 0.05, seed: 1, validation: { split: 0.25 } };
  const cached = await fit(backbone, train, { ...options, cacheFeatures: true });
  const recomputed = await fit(backbone, train, { ...options, cacheFeatures: false });
  assert.deepEqual(recomputed.history.map((h) => [h.loss, h.accuracy, h.validationLoss]), cached.history.map((h) => [h.loss, h.accuracy, h.validationLoss]));
  assert.deepEqual(weightsOf(recomputed), weightsOf(cached));
  const shorter = await fit(backbone, train, { ...options, epochs: 1 });
  assert.notDeepEqual(cached.model.weights.get('_fc.weight')!.data, shorter.model.weights.get('_fc.weight')!.data, 'the head keeps training');
  await shorter.model.dispose();
  // Only the classifier moves.
  assert.deepEqual(cached.model.weights.get('_conv_head.weight')!.data, backbone.weights.get('_conv_head.weight')!.data);
  await Promise.all([cached.model.dispose(), recomputed.model.dispose(), backbone.dispose()]);
});

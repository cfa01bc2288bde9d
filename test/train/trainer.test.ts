/**
 * The Trainer: the same seed gives bit-identical weights after N steps (masks drawn from our
 * generator), state()/loadState() mid-way gives the same result as an uninterrupted run,
 * training on one batch lowers its loss, and one compiled graph serves every batch size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { compiledSessions } from '../../src/runtime/session.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { cosineDecay, withWarmup } from '../../src/train/schedules.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { syntheticStateDict } from '../support/fixtures.js';

const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: 64, numClasses: 10 }));
const weights = syntheticStateDict(net, 'lukemelas', 3);
const batch = { input: syntheticImages([2, 3, 64, 64]), labels: [3, 7] };
const OPTIONS: TrainerOptions = {
  optimizer: { kind: 'rmsprop', weightDecay: 1e-5 },
  learningRate: withWarmup(cosineDecay(0.01, 10), 2),
  freeze: { stages: 2 },
  labelSmoothing: 0.1,
  emaDecay: 0.9,
  clipGradNorm: 5,
  seed: 7,
  runtime: { intraOpThreads: 2 },
};
const STEPS = 4;

async function run(resumeAt?: number): Promise<{ weights: Map<string, ArrayLike<unknown>>; losses: number[] }> {
  let trainer = await Trainer.create(net, weights, OPTIONS);
  const losses: number[] = [];
  try {
    for (let i = 0; i < STEPS; i++) {
      if (i === resumeAt) {
        const state = trainer.state();
        await trainer.dispose();
        trainer = await Trainer.create(net, weights, OPTIONS);
        trainer.loadState(state);
      }
      losses.push((await trainer.step(batch)).loss);
    }
    const out = new Map<string, ArrayLike<unknown>>();
    for (const [k, t] of trainer.weights) out.set(k, t.data);
    for (const [k, t] of trainer.emaWeights()!) out.set(`ema:${k}`, t.data);
    return { weights: out, losses };
  } finally {
    await trainer.dispose();
  }
}

test('same seed gives bit-identical weights; resuming mid-way equals the uninterrupted run', async () => {
  const a = await run();
  const b = await run();
  const resumed = await run(2);
  assert.ok(a.losses[STEPS - 1] < a.losses[0], `loss falls on a repeated batch: ${a.losses.join(' → ')}`);
  for (const [key, values] of a.weights) {
    assert.deepEqual(b.weights.get(key), values, `rerun: '${key}' bit-identical`);
    assert.deepEqual(resumed.weights.get(key), values, `resumed: '${key}' bit-identical`);
  }
  assert.deepEqual(resumed.losses, a.losses);
  // Frozen weights never move; trainable ones do; batch counters count.
  assert.deepEqual(a.weights.get('_blocks.0._depthwise_conv.weight'), weights.get('_blocks.0._depthwise_conv.weight')!.data);
  assert.notDeepEqual(a.weights.get('_blocks.15._depthwise_conv.weight'), weights.get('_blocks.15._depthwise_conv.weight')!.data);
  assert.deepEqual(a.weights.get('_bn1.num_batches_tracked'), BigInt64Array.from([BigInt(STEPS)]));
});

test('a trainer that ran batch 8 runs a batch of 3 through the same graph, with the gradients of a graph built for 3', async () => {
  // Plain SGD and no random masks, so that a step's weight change is −lr·gradient: the first
  // trainer's step on 8 images has rate 0 and leaves the weights as they were.
  const options: TrainerOptions = {
    optimizer: { kind: 'sgd' }, learningRate: (step) => (step === 0 ? 0 : 0.1), freeze: 'none', dropout: false, dropConnect: false, runtime: { intraOpThreads: 2 },
  };
  const images = syntheticImages([8, 3, 64, 64]);
  const three = { input: images.subarray(0, 3 * 3 * 64 * 64), labels: [1, 4, 9] };
  const afterEight = await Trainer.create(net, weights, options);
  const fresh = await Trainer.create(net, weights, { ...options, learningRate: 0.1 });
  try {
    await afterEight.step({ input: images, labels: [0, 1, 2, 3, 4, 5, 6, 7] });
    const compiled = compiledSessions();
    const last = await afterEight.step(three);
    assert.equal(compiledSessions(), compiled, 'the batch of 3 compiled no second graph');
    const first = await fresh.step(three); // a graph expecting 3: its fastest forms at 3
    assert.deepEqual([afterEight.tunedBatchSize, fresh.tunedBatchSize], [8, 3], 'tuned for the first batch when not told');
    assert.ok(Math.abs(last.loss - first.loss) <= 1e-6 * first.loss, `loss ${last.loss} vs ${first.loss}`);
    let checked = 0;
    for (const [key, t] of fresh.weights) {
      if (t.dtype !== 'float32' || !/\.(weight|bias)$/.test(key)) continue;
      const start = weights.get(key)!.data as Float32Array;
      const a = afterEight.weights.get(key)!.data as Float32Array;
      const b = t.data;
      let largest = 0;
      let diff = 0;
      for (let i = 0; i < b.length; i++) {
        largest = Math.max(largest, Math.abs(b[i] - start[i]));
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      assert.ok(diff <= 1e-4 * largest + 1e-9, `${key}: update differs by ${diff} (largest update ${largest})`);
      checked++;
    }
    assert.ok(checked > 200, `${checked} parameters compared`);
  } finally {
    await afterEight.dispose();
    await fresh.dispose();
  }
});

test('a trainer told its batch size is tuned for it even when the first batch is smaller', async () => {
  const options: TrainerOptions = { optimizer: { kind: 'sgd' }, learningRate: 0.01, freeze: { stages: 6 }, batchSize: 4, runtime: { intraOpThreads: 2 } };
  const trainer = await Trainer.create(net, weights, options);
  try {
    const before = compiledSessions();
    await trainer.step(batch); // 2 images first (a resumed epoch's tail)
    await trainer.step({ input: syntheticImages([4, 3, 64, 64]), labels: [0, 1, 2, 3] });
    assert.equal(trainer.tunedBatchSize, 4);
    assert.equal(compiledSessions() - before, 1, 'one graph for both sizes');
  } finally {
    await trainer.dispose();
  }
});

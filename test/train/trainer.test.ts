/**
 * The Trainer: the same seed gives bit-identical weights after N steps (masks drawn from our
 * generator), state()/loadState() mid-way gives the same result as an uninterrupted run, and
 * training on one batch lowers its loss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
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

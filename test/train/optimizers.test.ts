/**
 * Optimizers, clipping, EMA and schedules against PyTorch (and TF 1's RMSProp update written
 * out directly), over a few steps from synthetic parameters and gradients.
 * Fixture: scripts/make_optimizer_fixtures.py.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clipGradNorm, updateEma } from '../../src/train/averaging.js';
import { type OptimizerOptions, createOptimizer } from '../../src/train/optimizers.js';
import { cosineDecay, exponentialDecay, withWarmup } from '../../src/train/schedules.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import type { Tensor } from '../../src/weights/tensor.js';
import { FIXTURES, relativeError } from '../support/fixtures.js';

const TOLERANCE = 1e-6; // relative to the largest |value| of the tensor
const fixture = readSafetensors(join(FIXTURES, 'train', 'optimizers.safetensors'));
const KEYS = ['a', 'b'];

async function load(): Promise<{ t: Map<string, Tensor>; lrs: number[]; steps: number }> {
  const { tensors, metadata } = await fixture;
  return { t: tensors, lrs: JSON.parse(metadata.lrs), steps: Number(metadata.steps) };
}
const floats = (t: Map<string, Tensor>, key: string) => t.get(key)!.data as Float32Array;

const CASES: Record<string, OptimizerOptions> = {
  sgd: { kind: 'sgd' },
  sgd_momentum: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-3 },
  sgd_nesterov: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
  adam: { kind: 'adam', weightDecay: 1e-3 },
  adamw: { kind: 'adamw', weightDecay: 1e-2 },
  rmsprop_tf: { kind: 'rmsprop', decay: 0.9, momentum: 0.9, epsilon: 1e-3, weightDecay: 1e-3 },
  sgd_clip: { kind: 'sgd', momentum: 0.9 },
};

for (const [name, options] of Object.entries(CASES)) {
  test(`optimizer matches its reference: ${name}`, async () => {
    const { t, lrs, steps } = await load();
    const params = new Map(KEYS.map((k) => [k, floats(t, `init.${k}`).slice()]));
    const ema = new Map(KEYS.map((k) => [k, floats(t, `init.${k}`).slice()]));
    const optimizer = createOptimizer(options);
    for (let step = 0; step < steps; step++) {
      const grads = new Map(KEYS.map((k) => [k, floats(t, `grad.${step}.${k}`).slice()]));
      if (name === 'sgd_clip') clipGradNorm(grads, 0.5);
      optimizer.step(params, grads, lrs[step]);
      if (name === 'sgd_clip') updateEma(ema, params, 0.9);
      for (const k of KEYS) {
        const error = relativeError(params.get(k)!, floats(t, `${name}.${step}.${k}`));
        assert.ok(error < TOLERANCE, `${name} step ${step} '${k}': relative error ${error.toExponential(2)}`);
        if (name === 'sgd_clip') assert.ok(relativeError(ema.get(k)!, floats(t, `${name}.${step}.ema.${k}`)) < TOLERANCE, `EMA step ${step} '${k}'`);
      }
    }
  });
}

test('optimizer state round-trips: resuming mid-way gives the same trajectory', async () => {
  const { t, lrs, steps } = await load();
  for (const options of Object.values(CASES)) {
    const run = (resumeAt?: number) => {
      const params = new Map(KEYS.map((k) => [k, floats(t, `init.${k}`).slice()]));
      let optimizer = createOptimizer(options);
      for (let step = 0; step < steps; step++) {
        if (step === resumeAt) {
          const state = optimizer.state();
          optimizer = createOptimizer(options);
          optimizer.loadState(state);
        }
        optimizer.step(params, new Map(KEYS.map((k) => [k, floats(t, `grad.${step}.${k}`)])), lrs[step]);
      }
      return params;
    };
    const whole = run();
    const resumed = run(2);
    for (const k of KEYS) assert.deepEqual(resumed.get(k), whole.get(k), `${options.kind}: resumed '${k}' is bit-identical`);
  }
});

test('schedules match torch: linear warm-up then cosine, and the staircase exponential decay', async () => {
  const { t } = await load();
  const warmCosine = withWarmup(cosineDecay(0.1, 20), 5, 0.1);
  // torch's cosine turns back up after T_max; ours holds the minimum, so compare up to the end.
  const expected = floats(t, 'schedule.warmup_cosine').slice(0, 5 + 20 + 1);
  expected.forEach((lr, step) => assert.ok(Math.abs(warmCosine(step) - lr) < 1e-7, `warm-up + cosine step ${step}: ${warmCosine(step)} vs ${lr}`));
  const paper = exponentialDecay(0.256, { stepsPerEpoch: 10 }); // ×0.97 every 2.4 epochs = 24 steps
  floats(t, 'schedule.exponential').forEach((lr, step) => assert.ok(Math.abs(paper(step) - lr) < 1e-7, `exponential step ${step}`));
});

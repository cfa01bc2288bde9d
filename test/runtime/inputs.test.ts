import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { InputShapeError } from '../../src/errors.js';
import { EfficientNet } from '../../src/index.js';
import { checkImageBatch, checkNchwFile, nchwProblems } from '../../src/runtime/inputs.js';
import { computeGradients } from '../../src/train/gradients.js';

test('one NCHW rule lists every problem at once', () => {
  assert.deepEqual(nchwProblems({ data: new Float32Array(10), dims: [1, 3, 16, 16] }, { channels: 1 }), [
    'channels 3 should be 1', 'size 16×16 should be at least 32×32', 'data has 10 values but [1, 3, 16, 16] needs 768',
  ]);
  assert.deepEqual(nchwProblems({ data: [1, 2], dims: [2] }), ['data should be a Float32Array', 'rank 1 should be 4 (NCHW)']);
  assert.deepEqual(nchwProblems({ data: new Float32Array(0), dims: [0, 3, 64, 64] }, { size: [64, 64] }), ['batch 0 should be at least 1']);
  assert.deepEqual(nchwProblems({ data: new Float32Array(3 * 64 * 48), dims: [1, 3, 64, 48] }, { size: [64, 64] }), ['size 64×48 should be 64×64']);
});

test('network batches, files and the gradient step all use it', async () => {
  const config = resolveConfig('efficientnet-b0', { imageSize: 64 });
  assert.doesNotThrow(() => checkImageBatch({ data: new Float32Array(3 * 96 * 80), dims: [1, 3, 96, 80] }, config));
  assert.throws(() => checkImageBatch({ data: new Float32Array(3 * 96 * 80), dims: [1, 3, 96, 80] }, config, { exactSize: true }),
    (e: Error) => e instanceof InputShapeError && e.message === 'Invalid input [1, 3, 96, 80] for efficientnet-b0: size 96×80 should be 64×64');
  assert.throws(() => checkNchwFile('y.npy', { dtype: 'int64', shape: [1, 3, 32, 32], data: new BigInt64Array(3072) }), /y\.npy holds int64 \[1, 3, 32, 32\]; expected float \[N, C, H, W\]/);
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: 64, numClasses: 3 });
  try {
    await assert.rejects(computeGradients(net, { data: new Float32Array(3 * 32 * 32), dims: [1, 3, 32, 32] }, [0]),
      (e: Error) => e instanceof InputShapeError && /size 32×32 should be 64×64/.test(e.message));
  } finally {
    await net.dispose();
  }
});

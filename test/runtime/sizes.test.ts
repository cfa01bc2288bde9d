/** Every variant runs at any batch and input size, square or not, from one session. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VARIANT_NAMES } from '../../src/arch/variants.js';
import { EfficientNet } from '../../src/index.js';
import { InputShapeError } from '../../src/errors.js';

const SIZES: [number, number][] = [[224, 224], [256, 256], [512, 512], [200, 320]];

for (const name of VARIANT_NAMES) {
  test(`${name} runs at 224, 256, 512 and 200×320`, async () => {
    const net = EfficientNet.fromName(name, { numClasses: 10, runtime: { intraOpThreads: 2 } });
    try {
      for (const [h, w] of SIZES) {
        const out = await net.forward({ data: new Float32Array(3 * h * w).fill(0.5), dims: [1, 3, h, w] });
        assert.deepEqual(out.dims, [1, 10], `${h}×${w}`);
        assert.ok(out.data.every(Number.isFinite), `${h}×${w} finite`);
      }
      const features = await net.extractFeatures({ data: new Float32Array(2 * 3 * 256 * 256), dims: [2, 3, 256, 256] });
      assert.deepEqual(features.dims, [2, net.network.featureChannels, 8, 8]);
    } finally {
      await net.dispose();
    }
  });
}

test('includeTop: false returns pooled features', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { includeTop: false });
  try {
    const out = await net.forward({ data: new Float32Array(3 * 3 * 224 * 224), dims: [3, 3, 224, 224] });
    assert.deepEqual(out.dims, [3, 1280]);
    assert.equal(net.network.fc, undefined);
  } finally {
    await net.dispose();
  }
});

test('bad inputs are reported with every problem and the expected shape', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { inChannels: 1 });
  await assert.rejects(net.forward({ data: new Float32Array(10), dims: [1, 3, 16, 16] }), (e: Error) =>
    e instanceof InputShapeError && /channels 3 should be 1/.test(e.message) && /size 16×16 should be at least 32×32/.test(e.message) && /data has 10 values but \[1, 3, 16, 16\] needs 768/.test(e.message));
  await assert.rejects(net.forward({ data: new Float32Array(4), dims: [2, 2] }), /rank 2 should be 4 \(NCHW\)/);
  await net.dispose();
});

/**
 * b0 inference in headless Chromium on onnxruntime-web, wasm and WebGPU (SwiftShader), against
 * onnxruntime-node on the same ONNX bytes: logits within 1e-4 of the largest logit. The full b0
 * graph at 64 px batch 2 (synthetic weights): SwiftShader compiles a shader per distinct kernel
 * and takes about 40 s over its first 224 px run, more than this test may spend.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EfficientNet } from '../../src/index.js';
import { relativeError } from '../support/fixtures.js';
import { browserMissing } from './support/chromium.js';
import { BrowserHarness } from './support/harness.js';

const LOGIT_TOLERANCE = 1e-4;
const SIZE = 64;
const dims = [2, 3, SIZE, SIZE];

describe('b0 in the browser', { skip: browserMissing, timeout: 120_000 }, () => {
  let harness: BrowserHarness;
  const net = EfficientNet.fromName('efficientnet-b0', { seed: 7, imageSize: SIZE, runtime: { intraOpThreads: 2 } });
  const data = new Float32Array(dims.reduce((a, b) => a * b)).map((_, i) => Math.sin(i * 0.37));
  let expected: Float32Array;

  before(async () => {
    harness = await BrowserHarness.open();
    expected = (await net.forward({ data, dims })).data;
  });
  after(async () => {
    await harness?.close();
    await net.dispose();
  });

  test('the page is cross-origin isolated (wasm threads) and WebGPU has an adapter', async () => {
    const env = await harness.environment();
    assert.equal(env.crossOriginIsolated, true, 'COOP/COEP headers make the page cross-origin isolated');
    assert.ok(!('missing' in env.adapter), `WebGPU adapter: ${JSON.stringify(env.adapter)}`);
  });

  for (const provider of ['wasm', 'webgpu'] as const) {
    test(`logits on ${provider} equal onnxruntime-node's within ${LOGIT_TOLERANCE} of the largest`, async () => {
      const run = await harness.run(net.toOnnx({ batchSize: 2 }), { provider, feeds: { input: { dims, data } }, fetch: ['logits'] });
      assert.deepEqual(run.dims.logits, [2, 1000]);
      const error = relativeError(run.outputs.get('logits')!, expected);
      assert.ok(error < LOGIT_TOLERANCE, `${provider}: logits differ from Node's by ${error.toExponential(2)} of the largest`);
      if (provider === 'wasm') assert.equal(run.threads, (await harness.environment()).hardwareConcurrency, 'wasm runs one thread per core');
    });
  }
});

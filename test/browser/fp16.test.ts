/**
 * The fp16 graph in headless Chromium on onnxruntime-web: logits within 1e-2 of onnxruntime-node's
 * fp32 (relative to the largest) on wasm, and on WebGPU where the adapter has `shader-f16`.
 * SwiftShader's adapter has no `shader-f16` (Chromium 156): there the WebGPU session refuses the
 * fp16 graph when it is created, which is what lets a provider list fall through to the next
 * provider, and the WebGPU logits test is skipped, saying so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EfficientNet } from '../../src/index.js';
import { relativeError } from '../support/fixtures.js';
import { FP16_TOLERANCE, fp16Dims as dims, fp16Input, fp16TestNet } from '../runtime/quantize/fp16Net.js';
import { browserMissing } from './support/chromium.js';
import { BrowserHarness } from './support/harness.js';

describe('the fp16 graph in the browser', { skip: browserMissing, timeout: 180_000 }, () => {
  let harness: BrowserHarness;
  let net: EfficientNet;
  let model: Uint8Array;
  const data = fp16Input();
  let expected: Float32Array;
  /** The adapter's optional features: `shader-f16` decides which WebGPU test applies. */
  let features: readonly string[] = [];

  before(async () => {
    harness = await BrowserHarness.open();
    const { adapter } = await harness.environment();
    if ('features' in adapter) features = adapter.features;
    net = fp16TestNet();
    expected = (await net.forward({ data, dims })).data;
    model = net.toOnnx({ batchSize: 2, fp16: true });
  });
  after(async () => {
    await harness?.close();
    await net?.dispose();
  });

  test(`fp16 logits on wasm are within ${FP16_TOLERANCE} of Node's fp32`, async () => {
    const run = await harness.run(model, { provider: 'wasm', feeds: { input: { dims, data } }, fetch: ['logits'] });
    const error = relativeError(run.outputs.get('logits')!, expected);
    assert.ok(error < FP16_TOLERANCE, `wasm fp16: logits differ by ${error.toExponential(2)} of the largest`);
  });

  test(`fp16 logits on WebGPU are within ${FP16_TOLERANCE} of Node's fp32`, async (t) => {
    if (!features.includes('shader-f16')) return t.skip(`the WebGPU adapter has no shader-f16 (it has ${features.join(', ') || 'no optional features'})`);
    const run = await harness.run(model, { provider: 'webgpu', feeds: { input: { dims, data } }, fetch: ['logits'] });
    const error = relativeError(run.outputs.get('logits')!, expected);
    assert.ok(error < FP16_TOLERANCE, `webgpu fp16: logits differ by ${error.toExponential(2)} of the largest`);
  });

  test('without shader-f16, the WebGPU session refuses the fp16 graph when it is created', async (t) => {
    if (features.includes('shader-f16')) return t.skip('the adapter has shader-f16');
    await assert.rejects(
      harness.run(model, { provider: 'webgpu', feeds: { input: { dims, data } }, fetch: ['logits'] }),
      /Can't create a session.*requires f16 but the device does not support it/s,
    );
  });
});

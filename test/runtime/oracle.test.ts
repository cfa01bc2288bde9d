/**
 * The network against PyTorch: full-size b0–b7 with the oracle's synthetic weights, in both
 * padding styles (the reference re-statement and Debian's torchvision), compared on logits,
 * final features and endpoints. Fixtures: scripts/make_forward_fixtures.py.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { EfficientNet } from '../../src/index.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import type { KeyFamily } from '../../src/weights/keymaps.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { FIXTURES, SAMPLE_STRIDE, channelMeans, mapError, relativeError, strided, syntheticStateDict } from '../support/fixtures.js';

const TOLERANCE = 1e-4; // max |ours − torch| relative to torch's largest value
const dir = join(FIXTURES, 'forward');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()) {
  test(`forward matches PyTorch: ${file}`, async () => {
    const { tensors: expected, metadata } = await readSafetensors(join(dir, file));
    const family = metadata.family as KeyFamily;
    const [height, width] = file.replace('.safetensors', '').split('-').pop()!.split('x').map(Number);
    const logits = expected.get('logits')!;
    const batch = logits.shape[0];
    const keyNet = buildNetwork(resolveConfig(metadata.model));
    const weights = syntheticStateDict(keyNet, family, Number(metadata.gain));
    const net = EfficientNet.fromStateDict(weights, { imageSize: [height, width], runtime: { intraOpThreads: 2 } });
    assert.equal(net.config.name, metadata.model, 'variant recognised from the checkpoint shapes');
    assert.equal(net.config.padding, family === 'lukemelas' ? 'same' : 'symmetric');
    const x = { data: syntheticImages([batch, 3, height, width]), dims: [batch, 3, height, width] };
    try {
      const out = await net.forward(x);
      assert.deepEqual(out.dims, logits.shape);
      const error = relativeError(out.data, logits.data as Float32Array);
      assert.ok(error < TOLERANCE, `logits relative error ${error.toExponential(2)} ≥ ${TOLERANCE}`);
      if (expected.has('features.sample')) {
        const features = await net.extractFeatures(x);
        assert.deepEqual(features.dims.slice(1), [net.network.featureChannels, ...net.network.head.conv.outputSize]);
        assert.ok(relativeError(strided(features.data, SAMPLE_STRIDE), expected.get('features.sample')!.data as Float32Array) < TOLERANCE);
        assert.ok(relativeError(channelMeans(features.data, features.dims), expected.get('features.channel_mean')!.data as Float32Array) < TOLERANCE);
      }
      if (expected.has('reduction_1.sample')) {
        const endpoints = await net.extractEndpoints(x);
        assert.deepEqual(Object.keys(endpoints).sort(), net.network.endpoints.map((e) => e.name).sort());
        for (const [name, value] of Object.entries(endpoints)) {
          const error = mapError(value, expected, name);
          assert.ok(error < TOLERANCE, `${name} relative error ${error.toExponential(2)}`);
        }
      }
    } finally {
      await net.dispose();
    }
  });
}

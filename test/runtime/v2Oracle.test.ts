/**
 * EfficientNetV2 against PyTorch (scripts/make_v2_fixtures.py): full-size S, M and L with the
 * oracle's synthetic weights under torchvision's key names, recognised from the shapes and run
 * with torchvision's padding and batch norm, compared on logits, final features and every
 * endpoint; and timm's tf_efficientnetv2 (restated in scripts/timm_efficientnetv2.py): the key
 * names, parameter count and logits with TF "same" padding. Batch 1, small images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { countParameters } from '../../src/arch/parameters.js';
import { EfficientNet } from '../../src/index.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { FIXTURES, mapError, relativeError, syntheticStateDict } from '../support/fixtures.js';

const TOLERANCE = 1e-4; // max |ours − torch| relative to torch's largest value
const dir = join(FIXTURES, 'v2');
const sizeOf = (file: string) => file.replace('.safetensors', '').split('-').pop()!.split('x').map(Number) as [number, number];

for (const file of readdirSync(dir).filter((f) => f.startsWith('torchvision-') && f.endsWith('.safetensors')).sort()) {
  test(`V2 forward, features and endpoints match torchvision 0.14: ${file}`, async () => {
    const { tensors: expected, metadata } = await readSafetensors(join(dir, file));
    const [height, width] = sizeOf(file);
    const weights = syntheticStateDict(buildNetwork(resolveConfig(metadata.model)), 'torchvision', Number(metadata.gain));
    const net = EfficientNet.fromStateDict(weights, { imageSize: [height, width], runtime: { intraOpThreads: 2 } });
    assert.equal(net.config.name, metadata.model, 'variant recognised from the checkpoint shapes');
    assert.deepEqual([net.config.padding, net.config.batchNormEpsilon], ['symmetric', 1e-3]);
    const x = { data: syntheticImages([1, 3, height, width]), dims: [1, 3, height, width] };
    try {
      const logits = expected.get('logits')!;
      const out = await net.forward(x);
      assert.deepEqual(out.dims, logits.shape);
      const error = relativeError(out.data, logits.data as Float32Array);
      assert.ok(error < TOLERANCE, `logits relative error ${error.toExponential(2)}`);
      const featureError = mapError(await net.extractFeatures(x), expected, 'features');
      assert.ok(featureError < TOLERANCE, `features relative error ${featureError.toExponential(2)}`);
      const endpoints = await net.extractEndpoints(x);
      const names = [...expected.keys()].filter((k) => k.startsWith('reduction_') && k.endsWith('.sample')).map((k) => k.split('.')[0]);
      assert.deepEqual(Object.keys(endpoints).sort(), names.sort());
      for (const [name, value] of Object.entries(endpoints)) {
        const error = mapError(value, expected, name);
        assert.ok(error < TOLERANCE, `${name} relative error ${error.toExponential(2)}`);
      }
    } finally {
      await net.dispose();
    }
  });
}

for (const file of readdirSync(dir).filter((f) => f.startsWith('timm-')).sort()) {
  test(`timm's tf_efficientnetv2 key names, parameter count and "same"-padded logits: ${file}`, async () => {
    const { tensors: expected, metadata } = await readSafetensors(join(dir, file));
    const [height, width] = sizeOf(file);
    const template = buildNetwork(resolveConfig(metadata.model));
    assert.equal(countParameters(template), Number(metadata.parameters));
    const weights = syntheticStateDict(template, 'timm', Number(metadata.gain));
    assert.deepEqual([...weights.keys()], JSON.parse(metadata.keys), 'timm key names in state-dict order');
    // The model name tells a TF port (same padding, ε 1e-3) from a PyTorch-trained timm model.
    const net = EfficientNet.fromStateDict(weights, { model: metadata.model, imageSize: [height, width], runtime: { intraOpThreads: 2 } });
    assert.deepEqual([net.config.padding, net.config.batchNormEpsilon], ['same', 1e-3]);
    try {
      const out = await net.forward({ data: syntheticImages([1, 3, height, width]), dims: [1, 3, height, width] });
      const error = relativeError(out.data, expected.get('logits')!.data as Float32Array);
      assert.ok(error < TOLERANCE, `logits relative error ${error.toExponential(2)}`);
    } finally {
      await net.dispose();
    }
  });
}

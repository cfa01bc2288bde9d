/**
 * EfficientNetV2 checkpoints: our torchvision-named state dict has exactly torchvision 0.14's
 * layout for S, M and L (keys in order, dtypes, shapes: scripts/make_v2_fixtures.py `keys`); a
 * .pth with that layout loads strictly and is recognised with torchvision's V2 settings; convert
 * round-trips V2 through every key family.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { EfficientNet } from '../../src/index.js';
import { readCheckpoint, writeCheckpoint } from '../../src/weights/checkpoint.js';
import { getPretrained, resolvePretrained } from '../../src/weights/pretrained/registry.js';
import { withDir } from '../support/tempdir.js';
import { FIXTURES, syntheticStateDict } from '../support/fixtures.js';
import { cli } from '../support/cli.js';

const LAYOUT = JSON.parse(readFileSync(join(FIXTURES, 'v2', 'torchvision-state-dicts.json'), 'utf8')) as Record<string, [string, string, number[]][]>;

test('torchvision V2 S, M and L state dicts: the same keys in the same order, dtypes and shapes', () => {
  for (const [model, layout] of Object.entries(LAYOUT)) {
    const ours = syntheticStateDict(buildNetwork(resolveConfig(model)), 'torchvision', 3);
    assert.deepEqual([...ours].map(([key, t]) => [key, t.dtype, [...t.shape]]), layout, model);
  }
});

test('a torchvision-layout V2-S .pth loads strictly, recognised with its family settings', () => withDir(async (dir) => {
  const tensors = syntheticStateDict(buildNetwork(resolveConfig('efficientnet-v2-s', { numClasses: 10 })), 'torchvision', 3);
  await writeCheckpoint(join(dir, 'v2s.pth'), tensors, 'pth');
  const net = await EfficientNet.fromWeights(join(dir, 'v2s.pth'), { runtime: { intraOpThreads: 2 } });
  try {
    assert.deepEqual([net.config.name, net.config.numClasses, net.family, net.config.padding, net.config.batchNormEpsilon, net.config.batchNormMomentum], ['efficientnet-v2-s', 10, 'torchvision', 'symmetric', 1e-3, 0.1]);
    assert.equal(net.weights.size, tensors.size);
    assert.deepEqual(net.preprocess, getPretrained('torchvision:efficientnet_v2_s.IMAGENET1K_V1').preprocess);
    const out = await net.forward({ data: new Float32Array(3 * 64 * 64).fill(0.1), dims: [1, 3, 64, 64] });
    assert.deepEqual(out.dims, [1, 10]);
  } finally {
    await net.dispose();
  }
  // One missing key is named, not skipped.
  const partial = new Map(tensors);
  partial.delete('features.2.0.block.1.0.weight');
  await writeCheckpoint(join(dir, 'partial.pth'), partial, 'pth');
  await assert.rejects(EfficientNet.fromWeights(join(dir, 'partial.pth'), { model: 'efficientnet_v2_s' }), /features\.2\.0\.block\.1\.0\.weight/);
}));

test('convert torchvision V2-S .pth → timm → torchvision → lukemelas is lossless', () => withDir(async (dir) => {
  const tensors = syntheticStateDict(buildNetwork(resolveConfig('efficientnet-v2-s', { numClasses: 10 })), 'torchvision', 3);
  await writeCheckpoint(join(dir, 'tv.pth'), tensors, 'pth');
  for (const [from, to, family] of [['tv.pth', 'a.safetensors', 'timm'], ['a.safetensors', 'b.pth', 'torchvision'], ['b.pth', 'c.safetensors', 'lukemelas']]) {
    const result = await cli('convert', join(dir, from), join(dir, to), '--to', family, '--model', 'efficientnet_v2_s');
    assert.equal(result.code, 0, result.stderr);
  }
  const timm = (await readCheckpoint(join(dir, 'a.safetensors'))).tensors;
  assert.ok(timm.has('blocks.1.0.conv_exp.weight') && timm.has('blocks.0.0.conv.weight') && timm.has('blocks.3.0.se.conv_reduce.bias'));
  const tv = (await readCheckpoint(join(dir, 'b.pth'))).tensors;
  assert.deepEqual([...tv.keys()], [...tensors.keys()]);
  for (const [key, tensor] of tensors) assert.deepEqual(tv.get(key)!.data, tensor.data, key);
  const ours = (await readCheckpoint(join(dir, 'c.safetensors'))).tensors;
  assert.ok(ours.has('_blocks.2._expand_conv.weight') && ours.has('_blocks.2._project_conv.weight') && !ours.has('_blocks.0._project_conv.weight'));
}));

test('V2 registry rows: torchvision S/M/L and timm tf_efficientnetv2 with their transforms', () => {
  const rows = ['s', 'm', 'l'].map((v) => getPretrained(`torchvision:efficientnet_v2_${v}.IMAGENET1K_V1`));
  assert.deepEqual(rows.map((e) => [e.preprocess.crop[0], e.preprocess.resize, e.preprocess.interpolation, e.preprocess.mean[0], e.top1, e.parameters]), [
    [384, 384, 'bilinear', 0.485, 84.228, 21_458_488], [480, 480, 'bilinear', 0.485, 85.112, 54_139_356], [480, 480, 'bicubic', 0.5, 85.808, 118_515_272],
  ]);
  assert.deepEqual(rows.map((e) => e.fileName), ['efficientnet_v2_s-dd5fe13b.pth', 'efficientnet_v2_m-dc08266a.pth', 'efficientnet_v2_l-59c71312.pth']);
  const timm = resolvePretrained('efficientnet-v2-s', 'timm');
  assert.deepEqual([timm.tag, timm.padding, timm.preprocess.resize, timm.preprocess.mean[0]], ['timm:tf_efficientnetv2_s.in21k_ft_in1k', 'same', 384, 0.5]);
  const b1 = getPretrained('timm:tf_efficientnetv2_b1.in1k');
  assert.deepEqual([b1.arch, b1.preprocess.resize, b1.preprocess.crop[0], b1.parameters], ['efficientnet-v2-b1', 272, 240, 8_141_052]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getVariant } from '../../src/arch/variants.js';
import { ConfigError } from '../../src/errors.js';
import { getPretrained, PRETRAINED, pretrainedFor } from '../../src/weights/pretrained/registry.js';

test('every entry has an https URL whose file name carries its SHA-256 prefix', () => {
  for (const entry of PRETRAINED.values()) {
    assert.match(entry.url, /^https:\/\//, entry.tag);
    assert.ok(entry.url.endsWith(`/${entry.fileName}`), entry.tag);
    assert.ok(entry.fileName.includes(`-${entry.sha256}`), entry.tag);
    assert.match(entry.sha256, /^[0-9a-f]{8,64}$/, entry.tag);
    assert.doesNotThrow(() => getVariant(entry.arch), entry.tag);
  }
  assert.equal(new Set([...PRETRAINED.values()].map((e) => e.fileName)).size, PRETRAINED.size, 'file names are unique in the cache');
});

test('lukemelas and AdvProp: TF padding, eps 1e-3, native-resolution bicubic crop, [-1, 1] pixels for AdvProp', () => {
  const b0 = getPretrained('lukemelas:efficientnet-b0');
  assert.equal(b0.fileName, 'efficientnet-b0-355c32eb.pth');
  assert.deepEqual([b0.padding, b0.batchNormEpsilon, b0.keyFamily], ['same', 1e-3, 'lukemelas']);
  assert.deepEqual(b0.preprocess, { resize: 224, crop: [224, 224], interpolation: 'bicubic', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  const b8 = getPretrained('advprop:efficientnet-b8');
  assert.equal(b8.fileName, 'adv-efficientnet-b8-22a8fe65.pth');
  assert.deepEqual([b8.preprocess.crop, b8.preprocess.mean, b8.preprocess.std], [[672, 672], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  assert.equal(getPretrained('lukemelas:b3'), getPretrained('lukemelas:efficientnet-b3'), 'variant spellings are accepted');
  assert.throws(() => getPretrained('lukemelas:efficientnet-b8'), ConfigError, 'no plain b8 weights were published');
});

test('torchvision: the 0.14 weight enums\' transforms and batch-norm eps', () => {
  const rows: [string, number, number, string, number][] = [
    ['efficientnet_b0.IMAGENET1K_V1', 256, 224, 'bicubic', 1e-5],
    ['efficientnet_b1.IMAGENET1K_V1', 256, 240, 'bicubic', 1e-5],
    ['efficientnet_b1.IMAGENET1K_V2', 255, 240, 'bilinear', 1e-5],
    ['efficientnet_b3.IMAGENET1K_V1', 320, 300, 'bicubic', 1e-5],
    ['efficientnet_b5.IMAGENET1K_V1', 456, 456, 'bicubic', 1e-3],
    ['efficientnet_b7.IMAGENET1K_V1', 600, 600, 'bicubic', 1e-3],
  ];
  for (const [name, resize, crop, interpolation, eps] of rows) {
    const entry = getPretrained(`torchvision:${name}`);
    assert.deepEqual([entry.preprocess.resize, entry.preprocess.crop, entry.preprocess.interpolation, entry.batchNormEpsilon, entry.padding], [resize, [crop, crop], interpolation, eps, 'symmetric'], name);
  }
});

test('timm tf_ ports: crop ratio res/(res+32), bicubic, AdvProp means 0.5', () => {
  for (const entry of PRETRAINED.values()) {
    if (entry.source !== 'timm' || entry.arch.startsWith('efficientnet-v2')) continue; // V2's transforms: test/weights/v2.test.ts
    const res = entry.preprocess.crop[0];
    assert.ok(Math.abs(res / entry.preprocess.resize - res / (res + 32)) < 0.004, `${entry.tag}: ${res}/${entry.preprocess.resize}`);
    assert.equal(entry.preprocess.interpolation, 'bicubic');
    assert.deepEqual(entry.preprocess.mean, entry.tag.includes('.ap_') ? [0.5, 0.5, 0.5] : [0.485, 0.456, 0.406], entry.tag);
  }
  assert.equal(getPretrained('timm:tf_efficientnet_b0.ns_jft_in1k').preprocess.resize, 256);
  assert.deepEqual(pretrainedFor('efficientnet-b8').map((e) => e.tag), ['advprop:efficientnet-b8', 'timm:tf_efficientnet_b8.ap_in1k', 'timm:tf_efficientnet_b8.ra_in1k']);
});

test('unknown tags list what exists', () => {
  assert.throws(() => getPretrained('torchvision:efficientnet_b9'), /Should be one of: 'torchvision:efficientnet_b0\.IMAGENET1K_V1'/);
  assert.throws(() => getPretrained('hub:x'), /source should be 'lukemelas', 'advprop', 'torchvision' or 'timm'/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preset } from '../../src/data/presets.js';
import { ConfigError } from '../../src/errors.js';

const geometry = (name: Parameters<typeof preset>[0], variant: string) => {
  const c = preset(name, variant);
  return `${c.resize}/${c.crop[0]} ${c.interpolation} ${c.mean[0]}`;
};

test('torchvision 0.14 tables, per variant', () => {
  assert.deepEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'].map((v) => geometry('torchvision', v)), [
    '256/224 bicubic 0.485', '256/240 bicubic 0.485', '288/288 bicubic 0.485', '320/300 bicubic 0.485',
    '384/380 bicubic 0.485', '456/456 bicubic 0.485', '528/528 bicubic 0.485', '600/600 bicubic 0.485',
  ]);
  assert.equal(geometry('torchvision-v2', 'efficientnet_b1'), '255/240 bilinear 0.485');
  assert.throws(() => preset('torchvision', 'b8'), (e: Error) => e instanceof ConfigError && /No torchvision weights for 'b8'/.test(e.message));
});

test('lukemelas and AdvProp use the native resolution; AdvProp maps to [−1, 1]', () => {
  assert.equal(geometry('lukemelas', 'efficientnet-b3'), '300/300 bicubic 0.485');
  assert.equal(geometry('advprop', 'b8'), '672/672 bicubic 0.5');
});

test("timm tf_ presets floor res / crop_pct with timm's rounded crop_pct", () => {
  assert.deepEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'l2'].map((v) => preset('timm-tf', `tf_efficientnet_${v}`).resize),
    [256, 272, 292, 331, 412, 488, 560, 632, 704, 833]);
  assert.equal(geometry('timm-tf-ap', 'b0'), '256/224 bicubic 0.5');
});

test('every field can be overridden; unknown names are refused', () => {
  const config = preset('torchvision', 'b0', { interpolation: 'bilinear', crop: [200, 180] });
  assert.deepEqual([config.resize, config.crop, config.interpolation], [256, [200, 180], 'bilinear']);
  assert.throws(() => preset('keras' as never, 'b0'), /Unknown preprocessing preset 'keras'/);
  assert.throws(() => preset('lukemelas', 'b9'), ConfigError);
});

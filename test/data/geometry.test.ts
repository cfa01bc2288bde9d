import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centerCropBox, resizedSize, roundHalfEven } from '../../src/data/geometry.js';
import { resample } from '../../src/data/resample.js';
import { normalize, stackBatch } from '../../src/data/tensor.js';
import { ConfigError, InputShapeError } from '../../src/errors.js';

test('Resize(int) keeps the short side exact and truncates the long one', () => {
  assert.deepEqual(resizedSize(427, 640, 256), [256, 383]); // 383.6 → 383
  assert.deepEqual(resizedSize(640, 427, 256), [383, 256]);
  assert.deepEqual(resizedSize(300, 300, 224), [224, 224]);
});

test('CenterCrop rounds half to even and pads larger crops', () => {
  assert.equal(roundHalfEven(79.5), 80);
  assert.equal(roundHalfEven(80.5), 80);
  assert.equal(roundHalfEven(0.5), 0);
  assert.deepEqual(centerCropBox(256, 383, [224, 224]), { top: 16, left: 80, height: 224, width: 224 });
  assert.deepEqual(centerCropBox(256, 385, [224, 224]).left, 80); // 80.5 → 80
  assert.deepEqual(centerCropBox(150, 225, [160, 240]), { top: -5, left: -7, height: 160, width: 240 });
});

test('resampling to the same size is a copy; the window outside the image is zero', () => {
  const image = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i), width: 4, height: 3, channels: 3 };
  assert.deepEqual(resample(image, 3, 4, 'bicubic').data, image.data);
  const padded = resample(image, 3, 4, 'bilinear', { top: -1, left: 0, height: 5, width: 4 });
  assert.deepEqual(padded.data.subarray(0, 12), new Uint8Array(12));
  assert.deepEqual(padded.data.subarray(12, 48), image.data);
});

test('normalize gives [C, H, W] and checks one mean per channel', () => {
  const image = { data: new Uint8Array([0, 255, 51, 102]), width: 2, height: 1, channels: 2 };
  const { data, dims } = normalize(image, [0, 0.5], [1, 0.5]);
  assert.deepEqual(dims, [2, 1, 2]);
  assert.deepEqual([...data].map((v) => +v.toFixed(4)), [0, 0.2, 1, -0.2]);
  assert.throws(() => normalize(image, [0.485, 0.456, 0.406], [1, 1, 1]), ConfigError);
});

test('batches stack to [N, C, H, W] and refuse mixed sizes', () => {
  const a = { data: new Float32Array(12).fill(1), dims: [3, 2, 2] as const };
  const b = { data: new Float32Array(12).fill(2), dims: [3, 2, 2] as const };
  const batch = stackBatch([a, b]);
  assert.deepEqual(batch.dims, [2, 3, 2, 2]);
  assert.equal(batch.data[12], 2);
  assert.throws(() => stackBatch([a, { data: new Float32Array(3), dims: [3, 1, 1] }]), InputShapeError);
});

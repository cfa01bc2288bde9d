import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomHorizontalFlip, randomResizedCropBox, resizedCrop } from '../../../src/data/transforms/augment.js';
import { seededRng } from '../../../src/util/random.js';

test('the seeded RNG repeats and stays in [0, 1)', () => {
  const a = seededRng(42);
  const b = seededRng(42);
  const values = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(values, Array.from({ length: 1000 }, () => b()));
  assert.ok(values.every((v) => v >= 0 && v < 1));
  assert.notEqual(seededRng(43)(), values[0]);
});

test('random resized crops fit the image and respect the area and ratio ranges', () => {
  const rng = seededRng(1);
  for (let i = 0; i < 200; i++) {
    const box = randomResizedCropBox(300, 451, rng);
    assert.ok(box.top >= 0 && box.left >= 0 && box.top + box.height <= 300 && box.left + box.width <= 451);
    const area = (box.height * box.width) / (300 * 451);
    assert.ok(area > 0.07 && area < 1.01, `area ${area}`);
  }
  // A 10:1 strip cannot hold a 4:3 crop at most tries: the fallback is the centre, clamped to 4/3.
  const strip = randomResizedCropBox(10, 1000, seededRng(2), { scale: [0.9, 1] });
  assert.deepEqual(strip, { top: 0, left: 493, height: 10, width: 13 });
});

test('resized crop and horizontal flip', () => {
  const image = { data: Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => i), width: 6, height: 4, channels: 3 };
  assert.deepEqual(resizedCrop(image, { top: 1, left: 2, height: 2, width: 2 }, [2, 2], 'bilinear').data,
    Uint8Array.from([24, 25, 26, 27, 28, 29, 42, 43, 44, 45, 46, 47]));
  assert.deepEqual(resizedCrop(image, { top: 0, left: 0, height: 4, width: 6 }, [8, 8], 'bicubic').width, 8);
  const flipped = randomHorizontalFlip(image, () => 0); // always flips
  assert.deepEqual([...flipped.data.subarray(0, 3)], [15, 16, 17]);
  assert.equal(randomHorizontalFlip(image, () => 0.9), image);
});

/** RandAugment: repeatable from its seed, shape-preserving, and its operations do what they say. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { seededRng } from '../../../src/util/random.js';
import { decodeImage } from '../../../src/data/decode.js';
import { randAugment } from '../../../src/data/transforms/randAugment.js';
import { SUBSET } from '../../finetune/support.js';

test('RandAugment is repeatable from its seed and keeps the image size and channels', async () => {
  const image = await decodeImage(join(SUBSET, 'train', '0-tshirt-top', '00001.png'));
  const outs = Array.from({ length: 20 }, (_, seed) => randAugment(image, seededRng(seed), { ops: 2, magnitude: 9 }));
  for (const [seed, out] of outs.entries()) {
    assert.deepEqual([out.width, out.height, out.channels], [image.width, image.height, image.channels]);
    assert.deepEqual(randAugment(image, seededRng(seed), { ops: 2, magnitude: 9 }).data, out.data);
  }
  assert.ok(new Set(outs.map((o) => Buffer.from(o.data).toString('base64'))).size > 10, 'different seeds give different images');
});

test('operations: translation shifts, posterize drops bits, autocontrast stretches', () => {
  // A 4×1 grey ramp; the generator is scripted to pick operation `index` (of 14) with a positive sign.
  const ramp = { data: new Uint8Array([10, 20, 30, 40]), width: 4, height: 1, channels: 1 };
  const pick = (index: number, sign = 0.9) => {
    const values = [index / 14 + 1e-9, sign];
    return () => values.shift() ?? 0;
  };
  assert.deepEqual([...randAugment(ramp, pick(12), { ops: 1 }).data], [0, 85, 170, 255], 'AutoContrast');
  assert.deepEqual([...randAugment(ramp, pick(10), { ops: 1, magnitude: 30 }).data], [0, 16, 16, 32], 'Posterize to 4 bits');
  const shifted = randAugment(ramp, pick(3), { ops: 1, magnitude: 30 }); // TranslateX by round(150/331 · 4) = 2
  assert.deepEqual([...shifted.data], [0, 0, 10, 20]);
});

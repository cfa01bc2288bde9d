import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../src/data/decode.js';
import { preprocessImage } from '../../src/data/preprocess.js';
import { ImageDecodeError, InputShapeError } from '../../src/errors.js';
import { difference, fixture } from './fixtures.js';

test('every format decodes to RGB at its size', async () => {
  const sizes: Record<string, [number, number]> = {
    'astronaut.jpg': [300, 300], 'chelsea.jpg': [451, 300], 'rocket.jpg': [640, 427],
    'chelsea-alpha.png': [120, 80], 'coffee-grey.png': [120, 80], 'rocket-cmyk.jpg': [120, 80],
    'astronaut.gif': [96, 96], 'coffee.webp': [120, 80], 'rocket.tiff': [120, 80], 'astronaut.avif': [96, 96],
  };
  for (const [name, [width, height]] of Object.entries(sizes)) {
    const image = await decodeImage(fixture(name));
    assert.deepEqual([image.width, image.height, image.channels], [width, height, 3], name);
    assert.equal(image.data.length, width * height * 3, name);
  }
});

test('EXIF orientation 6 is applied: stored 80×120, shown 120×80', async () => {
  const image = await decodeImage(fixture('chelsea-exif6.jpg'));
  assert.deepEqual([image.width, image.height], [120, 80]);
});

test('grey, alpha and CMYK become RGB; grey stays equal across channels', async () => {
  const grey = await decodeImage(fixture('coffee-grey.png'));
  for (let i = 0; i < grey.data.length; i += 3) {
    assert.ok(grey.data[i] === grey.data[i + 1] && grey.data[i] === grey.data[i + 2]);
  }
  assert.equal((await decodeImage(fixture('chelsea-alpha.png'))).channels, 3);
  assert.equal((await decodeImage(fixture('rocket-cmyk.jpg'))).channels, 3);
});

test('one-channel output for models with inChannels: 1', async () => {
  const image = await decodeImage(fixture('chelsea.jpg'), { channels: 1 });
  assert.equal(image.channels, 1);
  assert.equal(image.data.length, 451 * 300);
  const tensor = await preprocessImage(fixture('coffee-grey.png'), { resize: 64, crop: [56, 56], interpolation: 'bicubic', mean: [0.5], std: [0.5] }, { channels: 1 });
  assert.deepEqual(tensor.dims, [1, 56, 56]);
});

test('AVIF (lossy) decodes close to its source', async () => {
  // astronaut.gif holds the same 96×96 picture, palette-quantised: both are approximations.
  const config = { resize: 64, crop: [56, 56] as [number, number], interpolation: 'bicubic' as const, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
  const avif = await preprocessImage(fixture('astronaut.avif'), config);
  const gif = await preprocessImage(fixture('astronaut.gif'), config);
  assert.ok(difference(avif.data, gif.data).mean < 0.1);
});

test('a Buffer and raw pixels give the same tensor as the path', async () => {
  const config = { resize: 64, crop: [56, 56] as [number, number], interpolation: 'bilinear' as const, mean: [0, 0, 0], std: [1, 1, 1] };
  const fromPath = await preprocessImage(fixture('coffee.webp'), config);
  const fromBuffer = await preprocessImage(readFileSync(fixture('coffee.webp')), config);
  const raw = await decodeImage(fixture('coffee.webp'));
  const fromRaw = await preprocessImage({ data: raw.data, width: raw.width, height: raw.height, channels: 3 }, config);
  assert.deepEqual(fromBuffer.data, fromPath.data);
  assert.deepEqual(fromRaw.data, fromPath.data);
  const rgba = new Uint8Array(raw.width * raw.height * 4);
  for (let i = 0; i < raw.width * raw.height; i++) rgba.set(raw.data.subarray(i * 3, i * 3 + 3), i * 4);
  assert.deepEqual((await preprocessImage({ data: rgba, width: raw.width, height: raw.height, channels: 4 }, config)).data, fromPath.data);
});

test('bad files give an ImageDecodeError naming the file', async () => {
  const cases: [string, RegExp][] = [
    ['empty.jpg', /empty/], ['notes.jpg', /unsupported image format/], ['truncated.png', /.+/], ['missing.jpg', /': no such file or folder$/],
  ];
  for (const [name, reason] of cases) {
    await assert.rejects(decodeImage(fixture(name)), (error: Error) => {
      assert.ok(error instanceof ImageDecodeError, `${name}: ${error.name}`);
      assert.equal(error.source, fixture(name));
      assert.ok(error.message.includes(`'${fixture(name)}'`) && reason.test(error.message), error.message);
      return true;
    });
  }
  await assert.rejects(decodeImage(new Uint8Array(0), { name: 'upload #3' }), /Cannot decode image 'upload #3': the file is empty/);
});

test('raw pixels with a wrong length or channel count are rejected with their shape', async () => {
  await assert.rejects(decodeImage({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 }), InputShapeError);
  await assert.rejects(decodeImage({ data: new Uint8Array(10), width: 2, height: 1, channels: 5 }), /channels must be 1, 2, 3 or 4/);
});

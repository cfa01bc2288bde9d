/** Images in, answers out, against torchvision's preprocessing and model on the same photos. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { EfficientNet } from '../../src/index.js';
import { ImageDecodeError } from '../../src/errors.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import { softmaxRows, topK } from '../../src/pipeline/classify.js';
import { FIXTURES, syntheticStateDict } from '../support/fixtures.js';

const IMAGES = join(FIXTURES, 'images');

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}

async function torchvisionB0(): Promise<{ net: EfficientNet; expected: Float32Array; photos: string[] }> {
  const { tensors, metadata } = await readSafetensors(join(FIXTURES, 'embeddings.safetensors'));
  const weights = syntheticStateDict(buildNetwork(resolveConfig('efficientnet-b0')), 'torchvision', Number(metadata.gain));
  return { net: EfficientNet.fromStateDict(weights), expected: tensors.get('pooled')!.data as Float32Array, photos: metadata.photos.split(',') };
}

test('pooled features of real photos match torchvision (cosine > 0.999)', async () => {
  const { net, expected, photos } = await torchvisionB0();
  try {
    assert.deepEqual(net.preprocess.crop, [224, 224]);
    assert.equal(net.preprocess.resize, 256); // torchvision's b0 transform, chosen from the key family
    const { data, dims } = await net.embed(photos.map((p) => join(IMAGES, p)));
    assert.deepEqual(dims, [photos.length, 1280]);
    photos.forEach((photo, i) => {
      const similarity = cosine(data.subarray(i * 1280, (i + 1) * 1280), expected.subarray(i * 1280, (i + 1) * 1280));
      assert.ok(similarity > 0.999, `${photo}: cosine ${similarity}`);
    });
    // Buffers and single paths give the same rows.
    const one = await net.embed(await readFile(join(IMAGES, photos[1])));
    assert.ok(cosine(one.data, data.subarray(1280, 2560)) > 0.99999);
  } finally {
    await net.dispose();
  }
});

test('classify returns the top-k ImageNet classes, most probable first', async () => {
  const { net } = await torchvisionB0();
  try {
    const top = await net.classify(join(IMAGES, 'chelsea.jpg'), { topK: 3 });
    assert.equal(top.length, 3);
    assert.ok(top[0].probability >= top[1].probability && top[1].probability >= top[2].probability);
    assert.equal(typeof top[0].label, 'string');
    const many = await net.classify([join(IMAGES, 'coffee.jpg'), join(IMAGES, 'rocket.jpg')], { topK: 1 });
    assert.equal(many.length, 2);
    await assert.rejects(net.classify([join(IMAGES, 'coffee.jpg'), join(IMAGES, 'notes.jpg')]), (e: Error) => e instanceof ImageDecodeError && /notes\.jpg/.test(e.message));
  } finally {
    await net.dispose();
  }
});

test('softmax and top-k', () => {
  const p = softmaxRows(new Float32Array([1, 2, 3, 0, 0, 0]), 3);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6);
  assert.ok(Math.abs(p[3] - 1 / 3) < 1e-7);
  assert.deepEqual(topK(p.subarray(0, 3), 2, ['a', 'b', 'c']).map((x) => x.label), ['c', 'b']);
  assert.equal(topK(new Float32Array([0.2, 0.8]), 1, [])[0].label, 'class_1');
});

test('a model with one input channel reads images as grey', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { inChannels: 1, numClasses: 4, labels: ['a', 'b', 'c', 'd'] });
  try {
    assert.deepEqual(net.preprocess.mean.length, 1);
    const top = await net.classify(join(IMAGES, 'coffee.jpg'), { topK: 4 });
    assert.deepEqual(top.map((t) => t.label).sort(), ['a', 'b', 'c', 'd']);
  } finally {
    await net.dispose();
  }
});

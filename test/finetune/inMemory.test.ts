/**
 * A dataset whose images are already in memory (`{ path: name, label, image }`, as a page's
 * Blobs and canvases arrive): fit trains on the pixels and bytes themselves, and an unreadable
 * one is skipped under its name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EfficientNet, type RawImage } from '../../src/index.js';

/** A 32×32 grey image: dark with a bright left half (class 0) or bright with a dark left half (class 1). */
function synthetic(label: number, seed: number): RawImage {
  const data = new Uint8Array(32 * 32).map((_, i) => {
    const left = i % 32 < 16;
    return (left !== (label === 0) ? 30 : 220) + ((i * 7 + seed * 13) % 20);
  });
  return { data, width: 32, height: 32, channels: 1 };
}

test('fit on in-memory images: pixels train, a bad buffer is skipped by its name', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { inChannels: 1, imageSize: 32, numClasses: 2, seed: 1, runtime: { intraOpThreads: 2 } });
  const samples = Array.from({ length: 8 }, (_, i) => ({ path: `synthetic ${i}`, label: i % 2, image: synthetic(i % 2, i) }));
  const skipped: string[] = [];
  try {
    const { model, history } = await net.fit({ classes: ['a', 'b'], samples: [...samples, { path: 'broken bytes', label: 0, image: new Uint8Array([1, 2, 3]) }] }, {
      epochs: 2, batchSize: 4, freeze: 'head', learningRate: 1e-2, seed: 0, onSkip: (path) => skipped.push(path),
    });
    assert.deepEqual(skipped, ['broken bytes']);
    assert.equal(history.length, 2);
    assert.deepEqual(model.labels, ['a', 'b']);
    await model.dispose();
  } finally {
    await net.dispose();
  }
});

/**
 * fit's last, smaller batch runs through the training graph its full batches compiled: a fit
 * over 10 images in batches of 4 (the last of 2) compiles as many sessions as one over 8.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EfficientNet, type RawImage } from '../../src/index.js';
import { compiledSessions, nchwcBlockSize } from '../../src/runtime/session.js';

/** A 32×32 grey image, bright on the left for class 0 and on the right for class 1. */
function image(label: number, seed: number): RawImage {
  const data = new Uint8Array(32 * 32).map((_, i) => ((i % 32 < 16) !== (label === 0) ? 30 : 220) + ((i * 7 + seed * 13) % 20));
  return { data, width: 32, height: 32, channels: 1 };
}

async function sessionsForFit(count: number): Promise<number> {
  const net = EfficientNet.fromName('efficientnet-b0', { inChannels: 1, imageSize: 32, numClasses: 2, seed: 1, runtime: { intraOpThreads: 2 } });
  const samples = Array.from({ length: count }, (_, i) => ({ path: `image ${i}`, label: i % 2, image: image(i % 2, i) }));
  const before = compiledSessions();
  try {
    const { model, history } = await net.fit({ classes: ['a', 'b'], samples }, { epochs: 2, batchSize: 4, freeze: { stages: 2 }, augment: false, learningRate: 1e-3, seed: 0 });
    assert.equal(history.length, 2);
    await model.dispose();
    return compiledSessions() - before;
  } finally {
    await net.dispose();
  }
}

test('fit compiles no second training graph for its last, smaller batch', async () => {
  await nchwcBlockSize(); // its probe session compiles once per process: not either fit's
  const whole = await sessionsForFit(8); // batches of 4 and 4
  const ragged = await sessionsForFit(10); // 4, 4 and 2
  assert.ok(whole >= 1, `${whole} sessions for 8 images`);
  assert.equal(ragged, whole, 'a last batch of 2 compiles nothing more');
});

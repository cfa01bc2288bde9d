import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, writeCheckpoint } from '../../src/weights/checkpoint.js';
import { serializePth } from '../../src/weights/formats/pthWriter.js';
import { readZipDirectory } from '../../src/weights/formats/zip.js';
import { floatTensor, int64Tensor, type StateDict } from '../../src/weights/tensor.js';
import { FIXTURES, fixture } from './fixtures.js';

const sample = (): StateDict => new Map([
  ['_conv_stem.weight', floatTensor([2, 1, 2, 2], Float32Array.from({ length: 8 }, (_, i) => i / 3 - 1))],
  ['_bn0.num_batches_tracked', int64Tensor([], BigInt64Array.of(123456789012n))],
  ['_fc.bias', floatTensor([0], new Float32Array(0))],
]);

for (const format of ['pth', 'safetensors'] as const) {
  test(`${format}: what we write reads back identically, atomically`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'efficientnet-ts-'));
    try {
      const path = join(dir, `model.${format}`);
      await writeCheckpoint(path, sample(), format);
      const { tensors, format: read } = await readCheckpoint(path);
      assert.equal(read, format === 'pth' ? 'pth-zip' : 'safetensors');
      assert.deepEqual(tensors, sample());
    } finally {
      await rm(dir, { recursive: true });
    }
  });
}

test('pth entries are stored and their data 64-byte aligned, as torch.save lays them out', () => {
  const file = Buffer.concat(serializePth(sample(), 'model'));
  const entries = readZipDirectory(file, 'model.pth');
  assert.deepEqual([...entries.keys()], ['model/data.pkl', 'model/data/0', 'model/data/1', 'model/data/2', 'model/version']);
  for (const entry of entries.values()) {
    assert.equal(entry.method, 0);
    const start = entry.localHeaderOffset + 30 + file.readUInt16LE(entry.localHeaderOffset + 26) + file.readUInt16LE(entry.localHeaderOffset + 28);
    assert.equal(start % 64, 0, entry.name);
  }
});

// The torch round trip: written-by-ts.pth is our writer's output for lukemelas-zip.pth, and
// `scripts/make_checkpoint_fixtures.py --check` proves torch.load(weights_only=True) reads it.
// `UPDATE_FIXTURES=1 npm test` rewrites it after a deliberate writer change; then run --check.
test('written-by-ts.pth is exactly what the writer produces now', async () => {
  const { tensors } = await readCheckpoint(fixture('lukemelas-zip.pth'));
  const produced = Buffer.concat(serializePth(tensors, 'written-by-ts'));
  const path = `${FIXTURES}written-by-ts.pth`;
  if (process.env.UPDATE_FIXTURES === '1') await writeFile(path, produced);
  assert.ok(produced.equals(await readFile(path)), 'writer output changed: run UPDATE_FIXTURES=1 npm test, then /usr/bin/python3 scripts/make_checkpoint_fixtures.py --check');
});

test('saveBytes(name) is byte for byte what save(name) writes, in both formats', async () => {
  const { EfficientNet } = await import('../../src/index.js');
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: 32, numClasses: 3, labels: ['a', 'b', 'c'] });
  const dir = await mkdtemp(join(tmpdir(), 'efficientnet-ts-'));
  try {
    for (const name of ['b0.pth', 'b0.safetensors']) {
      await net.save(join(dir, name));
      assert.deepEqual(net.saveBytes(name), new Uint8Array(await readFile(join(dir, name))), name);
    }
  } finally {
    await rm(dir, { recursive: true });
    await net.dispose();
  }
});

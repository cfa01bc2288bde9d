import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { EfficientNet } from '../../src/index.js';
import { WeightLoadError, FileFormatError } from '../../src/errors.js';
import { parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from '../../src/weights/formats/safetensors.js';
import { loadStateDict } from '../../src/weights/load.js';
import { renameStateDict } from '../../src/weights/keymaps.js';
import { floatTensor, int64Tensor } from '../../src/weights/tensor.js';
import { syntheticStateDict } from '../support/fixtures.js';

const b0 = buildNetwork(resolveConfig('efficientnet-b0'));

test('a strict load lists every missing, unexpected and wrong-shaped key at once', () => {
  const weights = syntheticStateDict(b0, 'torchvision', 3);
  weights.delete('features.1.0.block.0.0.weight');
  weights.delete('classifier.1.bias');
  weights.set('features.9.weight', floatTensor([1], new Float32Array(1)));
  weights.set('features.0.1.running_var', floatTensor([31], new Float32Array(31)));
  assert.throws(() => loadStateDict(b0, weights), (e: Error) => {
    assert.ok(e instanceof WeightLoadError);
    assert.deepEqual(e.problems, [
      'missing features.1.0.block.0.0.weight',
      'missing classifier.1.bias',
      'unexpected features.9.weight',
      'wrong shape: features.0.1.running_var is float32 [31], expected float32 [32]',
    ]);
    return /torchvision checkpoint does not fit efficientnet-b0 \(4 problems\)/.test(e.message);
  });
});

test('a non-strict load reports the same problems and fills in', () => {
  const weights = syntheticStateDict(b0, 'lukemelas', 3);
  weights.delete('_fc.bias');
  weights.set('extra', floatTensor([1], new Float32Array(1)));
  const { weights: loaded, report } = loadStateDict(b0, weights, { strict: false });
  assert.deepEqual(report.missing, ['_fc.bias']);
  assert.deepEqual(report.unexpected, ['extra']);
  assert.equal(loaded.get('_fc.bias')!.shape[0], 1000);
});

test('checkpoints without num_batches_tracked (pre-0.4.1, like the reference) load', () => {
  const weights = syntheticStateDict(b0, 'lukemelas', 3);
  for (const key of [...weights.keys()]) if (key.endsWith('num_batches_tracked')) weights.delete(key);
  assert.doesNotThrow(() => loadStateDict(b0, weights));
});

test('another class count re-initialises the classifier and says so', () => {
  const net = EfficientNet.fromStateDict(syntheticStateDict(b0, 'lukemelas', 3), { numClasses: 10 });
  assert.equal(net.config.numClasses, 10);
  assert.deepEqual(net.loadReport!.reinitialized, ['_fc.weight', '_fc.bias']);
  assert.match(net.loadReport!.notes.join(), /classifier re-initialised for 10 classes \(checkpoint has 1000\)/);
});

test('one input channel sums the pretrained stem; more repeat and rescale', () => {
  const weights = syntheticStateDict(b0, 'lukemelas', 3);
  const stem = weights.get('_conv_stem.weight')!.data as Float32Array;
  const grey = EfficientNet.fromStateDict(weights, { inChannels: 1 }).weights.get('_conv_stem.weight')!;
  assert.deepEqual(grey.shape, [32, 1, 3, 3]);
  assert.ok(Math.abs((grey.data as Float32Array)[0] - (stem[0] + stem[9] + stem[18])) < 1e-6);
  const five = EfficientNet.fromStateDict(weights, { inChannels: 5 }).weights.get('_conv_stem.weight')!;
  assert.deepEqual(five.shape, [32, 5, 3, 3]);
  assert.ok(Math.abs((five.data as Float32Array)[4 * 9] - (stem[9] * 3) / 5) < 1e-6); // channel 4 repeats channel 1
});

test('class count, channels and variant are read from the checkpoint', () => {
  const b2 = buildNetwork(resolveConfig('efficientnet-b2', { numClasses: 7, inChannels: 1 }));
  const net = EfficientNet.fromStateDict(syntheticStateDict(b2, 'torchvision', 3));
  assert.equal(net.config.name, 'efficientnet-b2');
  assert.equal(net.config.numClasses, 7);
  assert.equal(net.config.inChannels, 1);
  assert.equal(net.config.padding, 'symmetric');
  assert.equal(net.config.batchNormEpsilon, 1e-5); // torchvision b0–b4
});

test('safetensors round-trips floats, int64 and metadata', () => {
  const tensors = new Map([
    ['a', floatTensor([2, 2], new Float32Array([1, -2, 3.5, 1e-30]))],
    ['ü', int64Tensor([], new BigInt64Array([7n]))],
  ]);
  const bytes = Buffer.concat(serializeSafetensors(tensors, { format: 'pt' }));
  const parsed = parseSafetensors(bytes);
  assert.deepEqual(parsed.metadata, { format: 'pt' });
  assert.deepEqual([...parsed.tensors.get('a')!.data], [1, -2, 3.5, Math.fround(1e-30)]);
  assert.deepEqual([...parsed.tensors.get('ü')!.data], [7n]);
  assert.equal((8 + bytes.readUInt32LE(0)) % 8, 0, 'data section 8-byte aligned');
});

test('broken safetensors files are clear errors', () => {
  const good = Buffer.concat(serializeSafetensors(new Map([['w', floatTensor([4], new Float32Array(4))]])));
  const cases: [string, Buffer, RegExp][] = [
    ['too short', Buffer.from([1, 2]), /fewer than the 8-byte header length/],
    ['lying header length', Buffer.concat([Buffer.from([255, 255, 0, 0, 0, 0, 0, 0]), good.subarray(8)]), /header claims 65535 bytes/],
    ['truncated data', good.subarray(0, good.length - 4), /fall outside the 12-byte data section/],
    ['not JSON', Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{')]), /not UTF-8 JSON/],
  ];
  for (const [name, bytes, pattern] of cases) {
    assert.throws(() => parseSafetensors(bytes, name), (e: Error) => e instanceof FileFormatError && pattern.test(e.message), name);
  }
  const header = JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } });
  const lying = Buffer.concat([Buffer.alloc(8), Buffer.from(header), Buffer.alloc(16)]);
  lying.writeUInt32LE(header.length, 0);
  assert.throws(() => parseSafetensors(lying), /spans 12 bytes but float32 \[4\] needs 16/);
});

test('writes are atomic: no temporary file is left behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enet-'));
  try {
    const path = join(dir, 'w.safetensors');
    await writeFile(path, 'old');
    await writeSafetensors(path, renameStateDict(new Map([['_fc.bias', floatTensor([1], new Float32Array([2]))]]), b0, 'lukemelas', 'lukemelas'));
    assert.deepEqual(await readdir(dir), ['w.safetensors']);
    assert.deepEqual([...(await readSafetensors(path)).tensors.get('_fc.bias')!.data], [2]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

/**
 * Memory amplification: tiny files whose tensors would take gigabytes (broadcast views, one
 * deflated storage viewed many times). Each load runs in a child process whose peak RSS is
 * measured: the index is checked first, and data is read only within a budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { stateDictSpec } from '../../src/arch/parameters.js';
import { parseCheckpoint } from '../../src/weights/checkpoint.js';
import { withDir } from '../support/tempdir.js';
import { craftPth, statePickle, type CraftedTensor } from './craft.js';

const DIST = fileURLToPath(new URL('../../src/', import.meta.url));

/** Loads `path` in a fresh Node (`api`: readCheckpoint or EfficientNet.fromWeights) and reports its error and peak RSS. */
async function loadInChild(api: 'readCheckpoint' | 'fromWeights', path: string): Promise<{ error: string; name: string; peakMiB: number }> {
  const script = `
    const { readCheckpoint } = await import(${JSON.stringify(join(DIST, 'weights', 'checkpoint.js'))});
    const { EfficientNet } = await import(${JSON.stringify(join(DIST, 'index.js'))});
    let error = '', name = '';
    try { ${api === 'readCheckpoint' ? 'await readCheckpoint(process.argv[1])' : 'await EfficientNet.fromWeights(process.argv[1])'}; } catch (e) { error = e.message; name = e.name; }
    process.stdout.write(JSON.stringify({ error, name, peakMiB: process.resourceUsage().maxRSS / 1024 }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, path], { maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout);
  if (process.env.SHOW_PEAKS) console.log(api, path, result.peakMiB);
  return result;
}

/** `torch.zeros(1).expand(2**24)`, `count` times, under keys no model has. */
const broadcastBomb = (count: number) => craftPth(
  statePickle(Array.from({ length: count }, (_, i): CraftedTensor => ({ key: `w${i}`, storage: `${i}`, numel: 1, shape: [1 << 24], stride: [0] }))),
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${i}`, new Uint8Array(4)])),
);

test('64 broadcast tensors from a 16 KB file: the keys are refused before any data is read', () => withDir(async (dir) => {
  const path = join(dir, 'bomb.pth');
  const file = broadcastBomb(64);
  assert.ok(file.byteLength < 20_000, `${file.byteLength} bytes`);
  await writeFile(path, file);
  // Was 4.5 GB before the keys were checked.
  const model = await loadInChild('fromWeights', path);
  assert.equal(model.name, 'WeightLoadError');
  assert.match(model.error, /Cannot tell which EfficientNet checkpoint family these 64 keys \('w0', 'w1', 'w2', \.\.\.\)/);
  assert.ok(model.peakMiB < 250, `peak ${model.peakMiB} MiB`);
  // A generic read has no model to check against: the file's budget stops it after one tensor.
  const generic = await loadInChild('readCheckpoint', path);
  assert.equal(generic.name, 'FileFormatError');
  assert.match(generic.error, /bomb\.pth: reading tensor 'w1' needs 67108864 more bytes \(134217728 in all\), beyond the \d+-byte budget for a \d+-byte file; the file is damaged or crafted to exhaust memory/);
  assert.ok(generic.peakMiB < 250, `peak ${generic.peakMiB} MiB`);
}));

test('300 broadcast tensors: a clear error, never "Array buffer allocation failed"', () => {
  assert.throws(() => parseCheckpoint(broadcastBomb(300), { source: 'bomb300.pth' }), /bomb300\.pth: reading tensor 'w1' needs 67108864 more bytes/);
});

/** Every b0 tensor (lukemelas names) as a view of one float32 storage of `numel` elements. */
function b0Views(numel: number): CraftedTensor[] {
  return stateDictSpec(buildNetwork(resolveConfig('efficientnet-b0')))
    .filter((spec) => spec.dtype === 'float32')
    .map((spec) => ({ key: spec.key, storage: '0', numel, shape: spec.shape, stride: spec.shape.map((_, d) => spec.shape.slice(d + 1).reduce((a, b) => a * b, 1)) }));
}

test('one deflated 256 MB storage viewed by every tensor: refused before it is inflated', () => withDir(async (dir) => {
  const numel = 1 << 26; // 256 MB of float32 zeros
  const path = join(dir, 'deflated.pth');
  const views = b0Views(numel);
  const zeros = new Uint8Array(numel * 4);
  const file = craftPth(statePickle(views.slice(0, 20).map((t, i) => ({ ...t, key: `w${i}` }))), { 0: zeros }, true);
  assert.ok(file.byteLength < 400_000, `${file.byteLength} bytes`);
  await writeFile(path, file);
  const generic = await loadInChild('readCheckpoint', path); // was 5.6 GB: inflated once per tensor
  assert.match(generic.error, /deflated\.pth: reading storage '0' \(deflated, \d+ bytes in the file\) needs 268435456 more bytes .* beyond the \d+-byte budget for a \d+-byte file/);
  assert.ok(generic.peakMiB < 250, `peak ${generic.peakMiB} MiB`);
  // Keys and shapes that fit b0: the model's budget (three times its 21 MB) refuses the storage.
  await writeFile(path, craftPth(statePickle(views), { 0: zeros }, true));
  const model = await loadInChild('fromWeights', path);
  assert.equal(model.name, 'FileFormatError');
  assert.match(model.error, /needs 268435456 more bytes .* beyond the \d+-byte budget for efficientnet-b0's \d+ bytes of weights/);
  assert.ok(model.peakMiB < 250, `peak ${model.peakMiB} MiB`);
}));

test('a deflated storage viewed 20 times is inflated once: the tensors share its memory', () => {
  const numel = 1 << 18;
  const file = craftPth(statePickle(Array.from({ length: 20 }, (_, i): CraftedTensor => ({ key: `w${i}`, storage: '0', numel, shape: [numel], stride: [1] }))),
    { 0: new Uint8Array(new Float32Array(numel).fill(1.5).buffer) }, true);
  const { tensors } = parseCheckpoint(file);
  const buffers = new Set([...tensors.values()].map((t) => t.data.buffer));
  assert.equal(buffers.size, 1);
  assert.equal(tensors.get('w19')!.data[numel - 1], 1.5);
});

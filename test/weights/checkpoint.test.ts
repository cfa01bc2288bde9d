import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCheckpoint } from '../../src/weights/checkpoint.js';
import type { Tensor } from '../../src/weights/tensor.js';
import { expectedTensors, FIXTURES, fixture, type ExpectedTensor } from './fixtures.js';

const expected = expectedTensors();

function assertTensor(actual: Tensor | undefined, wanted: ExpectedTensor, label: string): void {
  assert.ok(actual, `${label} is missing`);
  assert.equal(actual.dtype, wanted.dtype, label);
  assert.deepEqual(actual.shape, wanted.shape, label);
  const values = [...actual.data].map((v) => (typeof v === 'bigint' ? String(v) : v));
  // Exact: fp16/bf16/fp64 values were rounded to float32 by torch, as our reader must round them.
  assert.deepEqual(values, wanted.values, label);
}

const FORMATS: Record<string, string> = {
  'lukemelas-legacy.pth': 'pth-legacy', 'torchvision-fp16-legacy.pth': 'pth-legacy',
};

for (const [name, tensors] of Object.entries(expected)) {
  const [file, variant] = name.split('#');
  test(`${name}: every tensor equals torch.load's`, async () => {
    const checkpoint = await readCheckpoint(`${FIXTURES}${file}`, { ema: variant === 'ema' });
    assert.equal(checkpoint.format, FORMATS[file] ?? 'pth-zip');
    assert.deepEqual([...checkpoint.tensors.keys()], Object.keys(tensors), 'keys in file order');
    for (const [key, wanted] of Object.entries(tensors)) assertTensor(checkpoint.tensors.get(key), wanted, `${name} ${key}`);
  });
}

test('wrapped checkpoints name the wrapper they were taken from', async () => {
  assert.equal((await readCheckpoint(fixture('wrapped.pth'))).wrapper, 'state_dict');
  assert.equal((await readCheckpoint(fixture('timm-train.pth'))).wrapper, 'state_dict');
  assert.equal((await readCheckpoint(fixture('timm-train.pth'), { ema: true })).wrapper, 'state_dict_ema');
  assert.equal((await readCheckpoint(fixture('lukemelas-zip.pth'))).wrapper, undefined);
});

test('module. prefixes are stripped', async () => {
  const { tensors } = await readCheckpoint(fixture('module-prefixed.pth'));
  assert.ok([...tensors.keys()].every((k) => !k.startsWith('module.')));
  assert.ok(tensors.has('features.0.0.weight'));
});

test('non-contiguous and shared-storage tensors come out in row-major order', async () => {
  const { tensors } = await readCheckpoint(fixture('lukemelas-legacy.pth'));
  // _fc.weight was saved as a transposed [5, 4] view of a [4, 5] tensor.
  assert.deepEqual(tensors.get('_fc.weight')?.shape, [5, 4]);
  const reduce = tensors.get('_blocks.0._se_reduce.bias')!;
  const expand = tensors.get('_blocks.0._se_expand.bias')!;
  assert.equal(reduce.data.length + expand.data.length, 6);
  assert.notEqual(reduce.data.buffer, expand.data.buffer, 'shared storages are copied apart');
});

test('a Buffer reads like a path, with the source name in errors', async () => {
  const fromPath = await readCheckpoint(`${FIXTURES}timm-bf16.pth`);
  const fromBuffer = await readCheckpoint(fixture('timm-bf16.pth'));
  assert.deepEqual([...fromBuffer.tensors.keys()], [...fromPath.tensors.keys()]);
  await assert.rejects(readCheckpoint(Buffer.from('nope'), { source: 'upload.bin' }), /upload\.bin is not a checkpoint/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageFolder } from '../../src/data/imageFolder.js';
import { loadBatches } from '../../src/data/loader.js';
import { globToRegExp, listImages } from '../../src/node/walk.js';
import { DatasetError, ImageDecodeError } from '../../src/errors.js';
import { fixture } from './fixtures.js';

async function tree(files: Record<string, string | null>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'effnet-data-'));
  for (const [path, from] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    if (path.endsWith('/')) await mkdir(join(root, path), { recursive: true });
    else if (from === null) await writeFile(join(root, path), '');
    else await copyFile(fixture(from), join(root, path));
  }
  return root;
}

test('globs: ** spans folders, * and ? do not, braces alternate', () => {
  assert.ok(globToRegExp('**/*.{jpg,png}').test('a/b/c.png'));
  assert.ok(globToRegExp('**/*.jpg').test('c.jpg'));
  assert.ok(!globToRegExp('*.jpg').test('a/c.jpg'));
  assert.ok(globToRegExp('img_??.jp[e]g').test('img_01.jpeg'));
});

test('files, folders and globs expand to a sorted, de-duplicated list; odd paths are reported', async () => {
  const root = await tree({ 'b/2.jpg': 'coffee.jpg', 'b/10.png': 'coffee-grey.png', 'a.webp': 'coffee.webp', 'b/readme.txt': 'LICENSES.md', 'b/empty.jpg': null });
  try {
    const { files, skipped } = await listImages([join(root, 'a.webp'), root, join(root, 'b', '*.png'), join(root, 'nothing')]);
    assert.deepEqual(files, [join(root, 'a.webp'), join(root, 'b/10.png'), join(root, 'b/2.jpg')]);
    assert.deepEqual(skipped.map((s) => [s.path.slice(root.length), s.reason]), [
      ['/b/empty.jpg', 'empty file'], ['/b/readme.txt', 'not an image file extension'], ['/nothing', 'not found'],
    ]);
  } finally {
    await rm(root, { recursive: true });
  }
});

test('image folders: classes sorted, images below each class, clear errors', async () => {
  const root = await tree({ 'dog/1.jpg': 'coffee.jpg', 'cat/x/2.png': 'coffee-grey.png', 'cat/1.jpg': 'chelsea.jpg', 'cat/notes.txt': 'LICENSES.md' });
  try {
    const dataset = await imageFolder(root);
    assert.deepEqual(dataset.classes, ['cat', 'dog']);
    assert.deepEqual(dataset.samples.map((s) => [s.path.slice(root.length), s.label]), [['/cat/1.jpg', 0], ['/cat/x/2.png', 0], ['/dog/1.jpg', 1]]);
    assert.equal(dataset.skipped.length, 1);
    await mkdir(join(root, 'emu'));
    await assert.rejects(imageFolder(root), (e: Error) => e instanceof DatasetError && /class folder\(s\) 'emu'/.test(e.message));
  } finally {
    await rm(root, { recursive: true });
  }
  const single = await tree({ 'only/1.jpg': 'coffee.jpg' });
  try {
    await assert.rejects(imageFolder(single), /1 class folder\(s\) \(only\); at least 2 are needed/);
    assert.equal((await imageFolder(single, { minClasses: 1 })).samples.length, 1);
  } finally {
    await rm(single, { recursive: true });
  }
  await assert.rejects(imageFolder(fixture('nowhere')), DatasetError);
  const flat = await tree({ '1.jpg': 'coffee.jpg' });
  await assert.rejects(imageFolder(flat), /no class folders/);
  await rm(flat, { recursive: true });
});

test('the loader yields ordered [N, C, H, W] batches and reports bad files without stopping', async () => {
  const config = { resize: 32, crop: [32, 32] as [number, number], interpolation: 'bilinear' as const, mean: [0, 0, 0], std: [1, 1, 1] };
  const files = ['coffee.jpg', 'notes.jpg', 'chelsea.jpg', 'empty.jpg', 'rocket.jpg', 'coffee.webp', 'truncated.png'].map(fixture);
  const batches = [];
  for await (const batch of loadBatches(files, config, { batchSize: 2, inFlight: 3 })) batches.push(batch);
  assert.deepEqual(batches.map((b) => b.dims), [[2, 3, 32, 32], [2, 3, 32, 32], [0, 0, 0, 0]]);
  assert.deepEqual(batches.flatMap((b) => b.items), [files[0], files[2], files[4], files[5]]);
  assert.deepEqual(batches.flatMap((b) => b.failed.map((f) => f.item)), [files[1], files[3], files[6]]);
  assert.ok(batches.every((b) => b.failed.every((f) => f.error instanceof ImageDecodeError)));
});

test('the loader never has more than inFlight images in progress', async () => {
  let running = 0;
  let peak = 0;
  const load = async (n: number) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, 2));
    running--;
    return { data: new Float32Array(3).fill(n), dims: [3, 1, 1] as const };
  };
  const config = { resize: 1, crop: [1, 1] as [number, number], interpolation: 'nearest' as const, mean: [0, 0, 0], std: [1, 1, 1] };
  const seen: number[] = [];
  for await (const batch of loadBatches(Array.from({ length: 20 }, (_, i) => i), config, { batchSize: 4, inFlight: 6 }, load)) seen.push(...batch.items);
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i));
  assert.ok(peak <= 6 && peak >= 4, `peak ${peak}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagenetClasses, loadLabels, parseLabels } from '../../src/data/labels.js';
import { ConfigError, FileFormatError } from '../../src/errors.js';

test('the shipped ImageNet list has 1000 names in torchvision order', async () => {
  const names = await imagenetClasses();
  assert.equal(names.length, 1000);
  assert.equal(names[0], 'tench');
  assert.equal(names[281], 'tabby');
  assert.equal(names[999], 'toilet tissue');
});

test('label files: lines, JSON arrays and lukemelas-style index maps', () => {
  assert.deepEqual(parseLabels('cat\r\ndog\n', 'a.txt'), ['cat', 'dog']);
  assert.deepEqual(parseLabels('["cat", "dog"]', 'a.json'), ['cat', 'dog']);
  assert.deepEqual(parseLabels('{"1": "dog", "0": "cat"}', 'labels_map.txt'), ['cat', 'dog']);
});

test('bad label files name the file and the problem', async () => {
  assert.throws(() => parseLabels('  \n', 'a.txt'), /'a.txt' is empty/);
  assert.throws(() => parseLabels('cat\n\ndog', 'a.txt'), /'a.txt': line 2 is empty/);
  assert.throws(() => parseLabels('["cat", 3]', 'a.json'), /'a.json': entry 1 must be a non-empty string, got 3/);
  assert.throws(() => parseLabels('["cat",', 'a.json'), (e: Error) => e instanceof FileFormatError && /not valid JSON/.test(e.message));
  assert.throws(() => parseLabels('{"0": "cat", "2": "dog"}', 'm.json'), /missing 1/);
  const dir = await mkdtemp(join(tmpdir(), 'effnet-labels-'));
  try {
    await writeFile(join(dir, 'l.txt'), 'a\nb\nc\n');
    assert.deepEqual(await loadLabels(join(dir, 'l.txt'), 3), ['a', 'b', 'c']);
    await assert.rejects(loadLabels(join(dir, 'l.txt'), 5), (e: Error) => e instanceof ConfigError && /has 3 labels but the model has 5 classes/.test(e.message));
    await assert.rejects(loadLabels(join(dir, 'missing.txt')), /Cannot read label file/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

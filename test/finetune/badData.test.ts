/**
 * Bad data through the command line: each case is one line on stderr and exit code 1 (or a
 * report of the skipped files and success), and nothing already saved is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { FIXTURES } from '../support/fixtures.js';
import { CheckpointWriteError, guardWrite } from '../../src/finetune/runState.js';
import { checkSameClasses, splitDataset } from '../../src/finetune/dataset.js';
import { DatasetError } from '../../src/errors.js';
import { folderOf } from './support.js';

const TRAIN = ['--model', 'efficientnet-b0', '--in-channels', '1', '--image-size', '32', '--epochs', '1', '--batch-size', '4'];

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  return lines[0];
}

test('empty class folder, single class, classes that differ: one line, exit 1', async () => {
  const root = await folderOf(['bag', 'shoe'], 2);
  const out = join(root, 'm.safetensors');
  try {
    await mkdir(join(root, 'coat'));
    let r = await cli('finetune', root, ...TRAIN, '--out', out);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /no images in class folder\(s\) 'coat'/);
    await rm(join(root, 'coat'), { recursive: true });

    const single = await folderOf(['bag'], 2);
    r = await cli('finetune', single, ...TRAIN, '--out', out);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /1 class folder\(s\) \(bag\); at least 2 are needed/);
    await rm(single, { recursive: true });

    const val = await folderOf(['bag', 'sock'], 1);
    r = await cli('finetune', root, ...TRAIN, '--val-dir', val, '--out', out);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /Validation classes differ .*missing 'shoe'; not in training: 'sock'/);
    await rm(val, { recursive: true });

    r = await cli('finetune', root, '--epochs', '1', '--out', out);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /needs --model .* or --weights/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('unreadable and non-image files are skipped by name; the run finishes and saves', async () => {
  const root = await folderOf(['bag', 'shoe'], 3);
  try {
    await writeFile(join(root, 'bag', 'notes.txt'), 'not an image');
    await writeFile(join(root, 'bag', 'fake.png'), 'not a png either');
    await copyFile(join(FIXTURES, 'images', 'truncated.png'), join(root, 'shoe', 'truncated.png'));
    const out = join(root, 'm.safetensors');
    const r = await cli('finetune', root, ...TRAIN, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['notes.txt', 'fake.png', 'truncated.png']) assert.match(r.stderr, new RegExp(`skipped .*${name.replace('.', '\\.')}`));
    assert.match(r.stdout, /epoch 1\/1: loss/);
    const classified = await cli('classify', join(root, 'bag'), '--weights', out, '--top-k', '1', '--json');
    assert.match(classified.stdout, /"label":"(bag|shoe)"/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a failed checkpoint write (disk full) is one clear error and leaves the previous file intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'efficientnet-enospc-'));
  const path = join(dir, 'model.safetensors');
  try {
    await writeFile(path, 'previous checkpoint');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    await assert.rejects(guardWrite(path, 'model', async () => { throw full; }), (e: Error) => e instanceof CheckpointWriteError && /no space left on device \(ENOSPC\); the previous file, if any, is intact/.test(e.message));
    assert.equal(await readFile(path, 'utf8'), 'previous checkpoint');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('resume refuses a state written with other options, naming the one that changed', async () => {
  const root = await folderOf(['bag', 'shoe'], 2);
  const out = join(root, 'm.safetensors');
  try {
    assert.equal((await cli('finetune', root, ...TRAIN, '--out', out)).code, 0);
    const r = await cli('finetune', root, ...TRAIN, '--lr', '0.5', '--out', out, '--resume');
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /Cannot resume from '.*m\.state\.safetensors': it was written by a run with other settings \(learningRate 0\.001 → 0\.5\)/);
    await writeFile(join(root, 'm.state.safetensors'), '{"truncated');
    const damaged = await cli('finetune', root, ...TRAIN, '--out', out, '--resume');
    assert.equal(damaged.code, 1);
    assert.match(oneLine(damaged.stderr), /^efficientnet: Training state '.*m\.state\.safetensors' is damaged: it is not a valid safetensors file/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('seeded validation split is stratified and repeatable; class check names the differences', () => {
  const samples = Array.from({ length: 30 }, (_, i) => ({ path: `c${i % 3}/${i}.png`, label: i % 3 }));
  const a = splitDataset({ classes: ['a', 'b', 'c'], samples }, 0.2, 4);
  assert.deepEqual(splitDataset({ classes: ['a', 'b', 'c'], samples }, 0.2, 4), a);
  assert.deepEqual([0, 1, 2].map((l) => a.validation.samples.filter((s) => s.label === l).length), [2, 2, 2]);
  assert.equal(a.train.samples.length, 24);
  assert.throws(() => checkSameClasses({ classes: ['a', 'b'], samples: [] }, { classes: ['b', 'a'], samples: [] }), DatasetError);
});

/**
 * The int8 options of the commands, as a user runs them: `eval --int8 --calibration` reports
 * int8 beside fp32 (text and JSON), `classify` and `export` take the same options, and a
 * calibration folder without images, or --int8 without one, is a one-line error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { cli } from '../support/cli.js';
import { SUBSET, folderOf } from '../finetune/support.js';
import { EfficientNet } from '../../src/index.js';

let dir: string;
let weights: string;
let evalDir: string;
let calibration: string;
let CLASSES: string[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'efficientnet-int8-cli-'));
  CLASSES = (await readdir(join(SUBSET, 'train'))).sort(); // folderOf names folders after them in this order
  const net = EfficientNet.fromName('efficientnet-b0', { numClasses: 10, inChannels: 1, imageSize: 32, seed: 3, labels: CLASSES });
  weights = join(dir, 'grey.safetensors');
  await net.save(weights);
  await net.dispose();
  evalDir = await folderOf(CLASSES, 2);
  calibration = await folderOf(CLASSES.slice(0, 4), 3);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(evalDir, { recursive: true, force: true });
  await rm(calibration, { recursive: true, force: true });
});

test('eval --int8 prints fp32 and int8 side by side; with --json top1 is int8 and fp32 carries the float figures', async () => {
  const text = await cli('eval', evalDir, '--weights', weights, '--int8', '--calibration', calibration, '--top-k', '3');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /int8 beside fp32 on 20 images/);
  assert.match(text.stdout, /top-1 +\d+\.\d\d% +\d+\.\d\d%/);
  assert.match(text.stdout, /top-1 agreement \d+\.\d\d%, largest logit difference \d+\.\d{4}/);

  const json = await cli('eval', evalDir, '--weights', weights, '--int8', '--calibration', calibration, '--calibration-count', '5', '--json');
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { top1: number; images: number; precision: string; fp32: { top1: number }; agreement: number; maxLogitDifference: number; calibration: { images: number; method: string } };
  assert.equal(report.precision, 'int8');
  assert.equal(report.images, 20);
  assert.deepEqual([report.calibration.images, report.calibration.method], [5, 'percentile']);
  assert.ok(report.top1 >= 0 && report.top1 <= 1 && report.fp32.top1 >= 0 && report.fp32.top1 <= 1);
  assert.ok(report.agreement > 0 && report.agreement <= 1 && report.maxLogitDifference >= 0, json.stdout);
  // The float figures are the model's own, as eval without --int8 gives them.
  const float = JSON.parse((await cli('eval', evalDir, '--weights', weights, '--json')).stdout) as { top1: number; precision?: string };
  assert.equal(float.top1, report.fp32.top1);
  assert.equal(float.precision, undefined);
});

test('classify and export run the int8 model; the exported file runs in a bare session', async () => {
  const image = join(evalDir, CLASSES[1], (await readdir(join(evalDir, CLASSES[1])))[0]);
  const classified = await cli('classify', image, '--weights', weights, '--int8', '--calibration', calibration, '--top-k', '2');
  assert.equal(classified.code, 0, classified.stderr);
  assert.match(classified.stdout, /\d-[a-z-]+/);
  const out = join(dir, 'grey-int8.onnx');
  const exported = await cli('export', '--weights', weights, '--onnx', out, '--int8', '--calibration', calibration);
  assert.equal(exported.code, 0, exported.stderr);
  const session = await ort.InferenceSession.create(await readFile(out));
  try {
    const { [session.outputNames[0]]: logits } = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(32 * 32), [1, 1, 32, 32]) });
    assert.deepEqual(logits.dims, [1, 10]);
  } finally {
    await session.release();
  }
});

test('a calibration folder with no images, or --int8 without one, is a one-line error', async () => {
  const empty = join(dir, 'empty');
  await mkdir(empty);
  await writeFile(join(empty, 'notes.txt'), 'not an image');
  for (const args of [['--int8', '--calibration', empty], ['--int8'], ['--calibration', calibration]]) {
    const result = await cli('eval', evalDir, '--weights', weights, ...args);
    assert.notEqual(result.code, 0, args.join(' '));
    assert.match(result.stderr, /calibration/i);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

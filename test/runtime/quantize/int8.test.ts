/**
 * The int8 model of a network trained here on the committed Fashion-MNIST subset (b0 at 32×32
 * grey, from scratch, 5 epochs on its 2000 training images without augmentation: 77–83% top-1
 * over seeds, a minute of training): top-1 within 1 point of fp32 on held-out images, the same top-1 on at
 * least 97% of them, deterministic calibration, saving and loading without images, and an
 * exported int8 file that gives the same logits in a bare onnxruntime session.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as ort from 'onnxruntime-node';
import { EfficientNet } from '../../../src/index.js';
import { fashion, smallNet } from '../../finetune/support.js';

let fp32: EfficientNet;
let int8: EfficientNet;
let heldOut: { paths: string[]; labels: number[] };
let calibration: string[];
const dir = await mkdtemp(join(tmpdir(), 'efficientnet-int8-'));

function argmaxRows(data: Float32Array, classes: number): number[] {
  return Array.from({ length: data.length / classes }, (_, i) => {
    const row = data.subarray(i * classes, (i + 1) * classes);
    return row.indexOf(Math.max(...row));
  });
}

/** Class probabilities [N, 10] of image files. */
async function probabilities(net: EfficientNet, paths: string[]): Promise<Float32Array> {
  const rows = await net.classify(paths, { topK: 10 });
  const out = new Float32Array(paths.length * 10);
  rows.forEach((row, i) => row.forEach((p) => { out[i * 10 + p.index] = p.probability; }));
  return out;
}

before(async () => {
  // Trained on 60 images a class instead (56% top-1, many near ties), int8 agreed with fp32 on only
  // 92%: the model, not the quantization (fp32 itself moves 0.4% of its answers under input noise
  // of one int8 step there, 0.2% here). The README's int8 section has the figures.
  const train = await fashion('train', 200);
  // After 3 epochs (75–81% top-1) near ties still move with the float summation order of the
  // training graph: agreement measured 95.8–97.6% over seeds; after 5, 97.4–97.6%.
  const result = await smallNet().fit(train, { epochs: 5, batchSize: 32, learningRate: 3e-3, augment: false, zeroHead: true, freshStatistics: true });
  fp32 = result.model;
  const test = await fashion('test', 50);
  heldOut = { paths: test.samples.map((s) => s.path), labels: test.samples.map((s) => s.label) };
  calibration = (await fashion('train', 200)).samples.map((s) => s.path);
  int8 = await fp32.quantize({ calibration, count: 100 });
});

after(async () => {
  await fp32?.dispose();
  await int8?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('int8 keeps top-1 within 1 point of fp32 on held-out images', async () => {
  const [a, b] = [await probabilities(fp32, heldOut.paths), await probabilities(int8, heldOut.paths)];
  const [pa, pb] = [argmaxRows(a, 10), argmaxRows(b, 10)];
  const top1 = (p: number[]) => p.filter((c, i) => c === heldOut.labels[i]).length / p.length;
  const agreement = pa.filter((c, i) => c === pb[i]).length / pa.length;
  console.log(`fp32 top-1 ${(top1(pa) * 100).toFixed(1)}%, int8 ${(top1(pb) * 100).toFixed(1)}%, agreement ${(agreement * 100).toFixed(1)}% on ${pa.length} images`);
  assert.ok(top1(pa) > 0.4, `the trained model is a real classifier (fp32 top-1 ${top1(pa)})`);
  assert.ok(Math.abs(top1(pa) - top1(pb)) <= 0.01, `top-1 fp32 ${top1(pa)} vs int8 ${top1(pb)}`);
  agreementSeen = agreement;
});

let agreementSeen = 0;

test('int8 agrees with fp32 on at least 97% of held-out images', () => {
  assert.ok(agreementSeen >= 0.97, `agreement ${agreementSeen}`);
});

test('calibration is deterministic, and a saved int8 model loads without calibrating again', async () => {
  const again = await fp32.quantize({ calibration, count: 100 });
  assert.deepEqual(again.quantization, int8.quantization);
  const x = { data: new Float32Array(4 * 32 * 32).map((_, i) => Math.sin(i)), dims: [4, 1, 32, 32] };
  const path = join(dir, 'int8.safetensors');
  await int8.save(path);
  const loaded = await EfficientNet.fromWeights(path);
  assert.deepEqual(loaded.quantization, int8.quantization);
  assert.deepEqual((await loaded.forward(x)).data, (await int8.forward(x)).data);
  assert.notDeepEqual((await int8.forward(x)).data, (await fp32.forward(x)).data, 'the int8 model runs another graph');
  await Promise.all([again.dispose(), loaded.dispose()]);
});

test('the exported int8 ONNX file gives the same logits in a bare onnxruntime session and says what it is', async () => {
  const path = join(dir, 'int8.onnx');
  await int8.exportOnnx(path, { batchSize: undefined });
  const session = await ort.InferenceSession.create(await readFile(path));
  const data = new Float32Array(2 * 32 * 32).map((_, i) => Math.cos(i));
  const { logits: bare } = await session.run({ input: new ort.Tensor('float32', data, [2, 1, 32, 32]) });
  const ours = await int8.forward({ data, dims: [2, 1, 32, 32] });
  assert.deepEqual(bare.data, ours.data);
  await session.release();
  const text = new TextDecoder('latin1').decode(await readFile(path));
  for (const key of ['labels', 'mean', 'quantization', '0-tshirt-top']) assert.ok(text.includes(key), `metadata carries ${key}`);
  assert.ok(text.includes('QuantizeLinear') && text.includes('DequantizeLinear'), 'standard QDQ operators');
});

test('an empty calibration set and undecodable calibration images are clear errors', async () => {
  await assert.rejects(fp32.quantize({ calibration: [] }), /calibration set is empty/);
  const bad = join(dir, 'bad.png');
  await writeFile(bad, 'not an image');
  await assert.rejects(fp32.quantize({ calibration: [calibration[0], bad] }), (e: Error) => e.message.includes('bad.png'));
});

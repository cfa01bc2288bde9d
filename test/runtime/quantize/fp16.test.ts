/**
 * The fp16 graph in Node: float16 weights and activations with float32 edges and pools, logits
 * within 1e-2 of fp32 (relative to the largest) on onnxruntime-node's CPU provider, `export
 * --fp16`, and the model option that runs it only where float16 is computed (WebGPU); the
 * network is described in fp16Net.ts. The browser half is test/browser/fp16.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { EfficientNet } from '../../../src/index.js';
import { floatToHalf, halfToFloat } from '../../../src/weights/formats/dtypes.js';
import { OpenModel, TENSOR_TYPE } from '../../../src/runtime/quantize/onnxModel.js';
import { relativeError } from '../../support/fixtures.js';
import { cli } from '../../support/cli.js';
import { FP16_SIZE, FP16_TOLERANCE, fp16Dims as dims, fp16Input, fp16TestNet } from './fp16Net.js';

const data = fp16Input();

let net: EfficientNet;
let expected: Float32Array;
const dir = await mkdtemp(join(tmpdir(), 'efficientnet-fp16-'));

before(async () => {
  net = fp16TestNet();
  expected = (await net.forward({ data, dims })).data;
});

after(async () => {
  await net?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function bareLogits(model: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    return (await session.run({ input: new ort.Tensor('float32', data, dims) })).logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

test('floatToHalf inverts halfToFloat on every finite half and rounds ties to even', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const value = halfToFloat(bits);
    if (Number.isFinite(value)) assert.equal(floatToHalf(value), bits, `half 0x${bits.toString(16)}`);
  }
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00, 'halfway between 1 and its successor: to the even one');
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(floatToHalf(65520), 0x7c00, 'past the largest half: infinity');
  assert.equal(floatToHalf(2 ** -25 * 1.5), 0x0001, 'subnormals round too');
});

test('the fp16 graph holds float16 weights, float32 edges, float32 pools, and half the bytes', () => {
  const float = net.toOnnx({ batchSize: 2 });
  const half = net.toOnnx({ batchSize: 2, fp16: true });
  const m = OpenModel.decode(half);
  const types = new Set([...m.initializers.values()].map((t) => t.dataType));
  assert.deepEqual([...types], [TENSOR_TYPE.float16], 'every weight is float16');
  assert.equal(m.valueType('input'), TENSOR_TYPE.float32);
  assert.equal(m.valueType('logits'), TENSOR_TYPE.float32);
  const producer = new Map(m.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const pools = m.nodes.filter((n) => n.opType === 'GlobalAveragePool');
  assert.equal(pools.length, 17, 'the 16 SE pools and the final one');
  for (const pool of pools) assert.equal(producer.get(pool.inputs[0])?.opType, 'Cast', `${pool.name} reads a float32 cast`);
  const ratio = half.byteLength / float.byteLength;
  assert.ok(ratio > 0.49 && ratio < 0.52, `fp16 file is ${ratio.toFixed(3)} of the fp32 one`);
  assert.ok(new TextDecoder('latin1').decode(half).includes('float16'), 'the metadata says fp16');
});

test(`fp16 logits on onnxruntime-node's CPU are within ${FP16_TOLERANCE} of fp32`, async () => {
  const logits = await bareLogits(net.toOnnx({ batchSize: 2, fp16: true }));
  const error = relativeError(logits, expected);
  assert.ok(error < FP16_TOLERANCE, `fp16 logits differ by ${error.toExponential(2)} of the largest`);
  assert.ok(error > 0, 'the fp16 graph rounds: it is not the float32 graph');
});

test('fp16: true runs float16 only on WebGPU: a provider list that falls to the CPU runs the float32 graph', async () => {
  const fallback = fp16TestNet({ fp16: true, executionProviders: ['webgpu', 'cpu'] });
  try {
    assert.equal(await fallback.executionProvider(), 'cpu', 'no WebGPU adapter in Node here');
    assert.deepEqual((await fallback.forward({ data, dims })).data, expected);
  } finally {
    await fallback.dispose();
  }
});

test('export --fp16 writes the fp16 graph; with --int8, or for an int8 model, it is a clear error', async () => {
  const weights = join(dir, 'b0.safetensors');
  await net.save(weights);
  const out = join(dir, 'b0-fp16.onnx');
  const result = await cli('export', '--weights', weights, '--onnx', out, '--fp16', '--dynamic-batch');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`efficientnet-b0 fp16, input \\[batch, 3, ${FP16_SIZE}, ${FP16_SIZE}\\]`));
  assert.ok(relativeError(await bareLogits(await readFile(out)), expected) < FP16_TOLERANCE);
  const both = await cli('export', '--weights', weights, '--onnx', join(dir, 'x.onnx'), '--fp16', '--int8', '--calibration', dir);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--fp16 and --int8/);
  assert.doesNotMatch(both.stderr, /\n\s+at /, 'no stack trace');
  const int8 = net.withQuantization({ method: 'minmax', keepFloat: ['classifier'], ranges: {}, images: 0 });
  assert.throws(() => int8.toOnnx({ fp16: true }), /fp16 export is for float models/);
});

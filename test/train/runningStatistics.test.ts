/**
 * The running-statistics update of every batch-norm layer at once (src/train/emit/runningStatistics.ts):
 * the values PyTorch's per-layer rule gives, bit for bit (the same float32 operations in the same
 * order), in a number of operators that does not grow seven a layer, with no Concat or Split
 * binding more than WebGPU's minimum of 8 storage buffers. That the statistics match PyTorch's is
 * test/train/gradients.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { BatchNormLayer } from '../../src/arch/network.js';
import { GraphBuilder } from '../../src/runtime/onnx/graph.js';
import { ModelProto } from '../../src/runtime/onnx/schema.js';
import type { LayerStatistics } from '../../src/train/emit/context.js';
import { Ops } from '../../src/train/emit/ops.js';
import { updateRunningStatistics } from '../../src/train/emit/runningStatistics.js';

const f = Math.fround;
const BATCH = 3;

// 60 layers (more than 7², so the Concat and Split trees have three levels), mixed widths, map
// sizes and momenta.
const LAYERS = Array.from({ length: 60 }, (_, i) => ({
  name: `_blocks.${i}._bn0`, channels: 1 + ((i * 7) % 13), perSample: [1, 49, 196, 3136][i % 4], momentum: i % 3 === 0 ? 0.01 : 0.1,
}));

const values = (seed: number, n: number, positive = false) =>
  Float32Array.from({ length: n }, (_, j) => { const v = Math.sin(seed * 12.9898 + j * 78.233) * 3; return positive ? Math.abs(v) + 0.1 : v; });

function build() {
  const g = new GraphBuilder('running');
  const ops = new Ops(g);
  const n = g.input('n', 'float32', []);
  const layers: LayerStatistics[] = LAYERS.map((l) => ({
    bn: { name: l.name, channels: l.channels, momentum: l.momentum } as BatchNormLayer,
    mean: g.input(`${l.name}.batch_mean`, 'float32', [l.channels]),
    variance: g.input(`${l.name}.batch_var`, 'float32', [l.channels]),
    perSample: l.perSample,
  }));
  const param = (key: string) => g.input(key, 'float32', [LAYERS.find((l) => key.startsWith(`${l.name}.`))!.channels]);
  const keys = updateRunningStatistics(ops, layers, { param, outputName: (key) => `new:${key}`, batchSize: n });
  return { model: g.toModel(), keys };
}

test('every layer gets PyTorch’s per-layer running mean and unbiased variance, bit for bit', async () => {
  const { model, keys } = build();
  assert.deepEqual(keys, LAYERS.flatMap((l) => [`${l.name}.running_mean`, `${l.name}.running_var`]));
  const feeds: Record<string, ort.Tensor> = { n: new ort.Tensor('float32', Float32Array.of(BATCH), []) };
  LAYERS.forEach((l, i) => {
    feeds[`${l.name}.batch_mean`] = new ort.Tensor('float32', values(4 * i, l.channels), [l.channels]);
    feeds[`${l.name}.batch_var`] = new ort.Tensor('float32', values(4 * i + 1, l.channels, true), [l.channels]);
    feeds[`${l.name}.running_mean`] = new ort.Tensor('float32', values(4 * i + 2, l.channels), [l.channels]);
    feeds[`${l.name}.running_var`] = new ort.Tensor('float32', values(4 * i + 3, l.channels, true), [l.channels]);
  });
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run(feeds);
    for (const l of LAYERS) {
      const [keep, m] = [f(1 - l.momentum), f(l.momentum)];
      const count = f(BATCH * l.perSample);
      const bessel = f(count / f(count - 1));
      const data = (key: string) => feeds[key].data as Float32Array;
      const mean = data(`${l.name}.running_mean`).map((old, c) => f(f(old * keep) + f(data(`${l.name}.batch_mean`)[c] * m)));
      const variance = data(`${l.name}.running_var`).map((old, c) => f(f(old * keep) + f(f(data(`${l.name}.batch_var`)[c] * bessel) * m)));
      assert.deepEqual(Array.from(out[`new:${l.name}.running_mean`].data as Float32Array), Array.from(mean), `${l.name} running mean`);
      assert.deepEqual(Array.from(out[`new:${l.name}.running_var`].data as Float32Array), Array.from(variance), `${l.name} running var`);
    }
  } finally {
    await session.release();
  }
});

test('the update is under 100 operators for 60 layers (seven a layer would be 420), none binding more than 8 buffers', () => {
  const nodes = (ModelProto.decode(build().model) as unknown as { graph: { node: { opType: string; input: string[]; output: string[] }[] } }).graph.node;
  assert.ok(nodes.length < 100, `${nodes.length} operators (seven a layer would be ${7 * LAYERS.length})`);
  for (const node of nodes) {
    if (node.opType === 'Concat') assert.ok(node.input.length <= 7, `Concat of ${node.input.length} inputs`);
    if (node.opType === 'Split') assert.ok(node.output.length <= 7, `Split into ${node.output.length} outputs`);
  }
});

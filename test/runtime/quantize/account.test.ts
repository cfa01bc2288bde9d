/**
 * The role account traces every kernel of onnxruntime's profile back to its role: b0 (32 px,
 * batch 2, synthetic calibration) profiled in fp32 and int8 on this onnxruntime build, whose
 * fusions and layout transformers rename the nodes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EfficientNet } from '../../../src/index.js';
import { type RoleTime, roleAccount } from '../../../src/runtime/quantize/account.js';
import { OpenModel } from '../../../src/runtime/quantize/onnxModel.js';
import { operatorAccount } from '../../../src/runtime/profile.js';
import { Session } from '../../../src/runtime/session.js';

const dir = await mkdtemp(join(tmpdir(), 'efficientnet-account-'));
after(() => rm(dir, { recursive: true, force: true }));

const batch = (n: number, seed: number) => ({ data: new Float32Array(n * 3 * 32 * 32).map((_, i) => Math.sin(i * 0.01 + seed)), dims: [n, 3, 32, 32] });

async function profiled(net: EfficientNet, name: string): Promise<RoleTime[]> {
  const floatGraph = OpenModel.decode(EfficientNet.fromName('efficientnet-b0', { imageSize: 32 }).toOnnx({ batchSize: 2 }));
  const session = await Session.create(net.toOnnx({ batchSize: 2 }), { intraOpThreads: 1, profileFilePrefix: join(dir, name), executionProviders: ['cpu'] });
  const x = batch(2, 2);
  for (let i = 0; i < 2; i++) await session.run({ [session.inputNames[0]]: { type: 'float32', dims: x.dims, data: x.data } });
  session.endProfiling();
  await session.release();
  const file = (await readdir(dir)).find((f) => f.startsWith(`${name}_`))!;
  return roleAccount(floatGraph, await operatorAccount(join(dir, file), 1, Infinity));
}

const nodes = (rows: RoleTime[], role: string, op: string) => rows.find((r) => r.role === role && r.op === op)?.nodes ?? 0;

test('every int8 kernel of b0 is traced to its role: 33 swishes, 16 gates, 16 depthwise convolutions', async () => {
  const fp32 = EfficientNet.fromName('efficientnet-b0', { imageSize: 32 });
  const int8 = await fp32.quantizeBatches([batch(2, 1)]);
  const rows = await profiled(int8, 'int8');
  await int8.dispose();
  assert.deepEqual(rows.filter((r) => r.role === 'edges' && r.op.startsWith('QLinear')), [], 'no integer kernel left without a role');
  assert.equal(nodes(rows, 'swish', 'QLinearSigmoid'), 33);
  assert.equal(nodes(rows, 'swish', 'QLinearMul'), 33);
  assert.equal(nodes(rows, 'gate', 'QLinearMul'), 16);
  assert.equal(nodes(rows, 'depthwise', 'QLinearConv'), 16);
  assert.equal(nodes(rows, 'conv', 'QLinearConv'), 32); // 15 expansions, 16 projections, the head
  assert.equal(nodes(rows, 'stem', 'QLinearConv'), 1);
  assert.equal(nodes(rows, 'classifier', 'Gemm'), 1);
  assert.ok(rows.every((r) => r.ms >= 0 && r.nodes > 0));
});

test('fp32 kernels renamed by onnxruntime (NCHWc convolutions, fused swish) keep their roles', async () => {
  const fp32 = EfficientNet.fromName('efficientnet-b0', { imageSize: 32 });
  const rows = await profiled(fp32, 'fp32');
  await fp32.dispose();
  const convs = rows.filter((r) => ['stem', 'conv', 'depthwise', 'se'].includes(r.role) && r.op === 'Conv').reduce((a, r) => a + r.nodes, 0);
  assert.equal(convs, 81, 'every convolution of b0 (1 + 32 + 16 + 32 SE) has its role');
  assert.equal(nodes(rows, 'swish', 'QuickGelu'), 33, 'the fused x·sigmoid(x) is a swish');
});

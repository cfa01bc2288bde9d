/**
 * Operator forms by target (src/train/emit/forms.ts): the portable graph holds no training-mode
 * BatchNormalization and no LogSoftmax, the CPU graph keeps both; createTrainingStep builds for
 * the provider that actually runs the step; a bad target is one clear error. Exactness of both
 * forms against PyTorch is test/train/gradients.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { ConfigError } from '../../src/errors.js';
import { ModelProto } from '../../src/runtime/onnx/schema.js';
import { type TrainingTarget, trainingTarget } from '../../src/train/emit/forms.js';
import { createTrainingStep } from '../../src/train/step.js';
import { buildTrainingGraph } from '../../src/train/trainingGraph.js';
import { syntheticStateDict } from '../support/fixtures.js';

const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: 32, numClasses: 10 }));
const weights = syntheticStateDict(net, 'lukemelas', 3);

interface NodeLike { opType: string; attribute?: { name: string; i?: number | { toNumber(): number } }[] }

/** Operator type → count, training-mode batch norms counted apart. */
function operators(target: TrainingTarget): Map<string, number> {
  const graph = buildTrainingGraph(net, weights, { batchSize: 2, freeze: { stages: 2 }, target });
  const nodes = (ModelProto.decode(graph.model) as unknown as { graph: { node: NodeLike[] } }).graph.node;
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const training = node.attribute?.some((a) => a.name === 'training_mode' && Number(a.i) === 1);
    const type = training ? 'BatchNormalization(training)' : node.opType;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

test('the portable forms use no training-mode BatchNormalization and no LogSoftmax; the CPU forms do', () => {
  const cpu = operators('cpu');
  const webgpu = operators('webgpu');
  assert.ok((cpu.get('BatchNormalization(training)') ?? 0) > 0 && cpu.get('LogSoftmax') === 1, 'CPU graph keeps the fused kernels');
  assert.equal(webgpu.get('BatchNormalization(training)'), undefined);
  assert.equal(webgpu.get('LogSoftmax'), undefined);
  assert.equal(webgpu.get('ReduceMean'), cpu.get('BatchNormalization(training)'), 'a mean per training batch norm');
  assert.equal(webgpu.get('ReduceSumSquare'), cpu.get('BatchNormalization(training)'), 'a variance per training batch norm');
  assert.equal(webgpu.get('ReduceMax'), 1);
});

test('unknown providers get the portable forms', () => {
  assert.equal(trainingTarget('cpu'), 'cpu');
  assert.equal(trainingTarget('wasm'), 'wasm');
  assert.equal(trainingTarget('webnn'), 'webgpu');
});

test('createTrainingStep builds for the provider that runs the step', async () => {
  const step = await createTrainingStep(net, weights, { batchSize: 2, freeze: 'head' }, { executionProviders: ['webgpu', 'cpu'], intraOpThreads: 1 });
  try {
    // No WebGPU adapter in Node here: the session falls back to the CPU and the graph is rebuilt for it.
    assert.equal(step.graph.target, trainingTarget(step.provider));
    if (step.provider === 'cpu') assert.equal(step.graph.forms.batchNorm, 'fused');
  } finally {
    await step.release();
  }
});

test('a bad target and a bad batch norm mode are reported together', () => {
  assert.throws(
    () => buildTrainingGraph(net, weights, { batchSize: 2, target: 'gpu' as TrainingTarget, batchNorm: 'running' as 'train' }),
    (e: Error) => e instanceof ConfigError && /batchNorm 'running'/.test(e.message) && /target 'gpu'. Should be one of: 'cpu', 'wasm', 'webgpu', 'cuda' or 'tensorrt'/.test(e.message),
  );
});

/**
 * One inference engine per model: every output of a model comes from one compiled session (plus
 * the endpoints graph once endpoints are asked for), with the values that one graph per output
 * gave before the engine; unavailable execution providers hand over to the next.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeNpy } from '../../src/io/npy.js';
import { EfficientNet } from '../../src/index.js';
import { buildInferenceGraph, type InferenceOutput } from '../../src/runtime/inference.js';
import { Session, compiledSessions, liveSessions } from '../../src/runtime/session.js';
import { syntheticImages } from '../../src/weights/synthetic.js';
import { cli } from '../support/cli.js';
import { withDir } from '../support/tempdir.js';

const SIZE = 96; // small enough to compile quickly, large enough for every endpoint
const RUNTIME = { intraOpThreads: 1 };
const x = { data: syntheticImages([2, 3, SIZE, SIZE]), dims: [2, 3, SIZE, SIZE] };

/** What a graph with only `output`, compiled on its own (the design before the engine), returns. */
async function alone(net: EfficientNet, output: InferenceOutput): Promise<Record<string, Float32Array>> {
  const { model } = buildInferenceGraph(net.network, net.weights, output);
  const session = await Session.create(model, RUNTIME);
  try {
    const results = await session.run({ input: { type: 'float32', dims: x.dims, data: x.data } });
    return Object.fromEntries(Object.entries(results).map(([name, value]) => [name, value.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** Largest |a − b| relative to b's largest magnitude: 0 when the same kernels ran on the same values. */
function difference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / scale;
}

const TOLERANCE = 1e-6; // same operators and weights; only onnxruntime's fusion choices may differ

test('forward, pooled features, embed and extractFeatures share one session; endpoints recompile it once', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: RUNTIME });
  try {
    const before = compiledSessions();
    const logits = await net.forward(x);
    const pooled = await net.pooledFeatures(x);
    const embedded = await net.embed(x);
    const features = await net.extractFeatures(x);
    assert.equal(compiledSessions() - before, 1, 'one session for logits, pooled features and the feature map');
    const endpoints = await net.extractEndpoints(x);
    await net.forward(x);
    await net.extractEndpoints(x);
    assert.equal(compiledSessions() - before, 2, 'endpoints compile one more graph, once');
    assert.equal(liveSessions(), 1, 'the graph with endpoints replaced the first one');

    assert.deepEqual(logits.dims, [2, 1000]);
    assert.deepEqual(pooled.dims, [2, 1280]);
    assert.deepEqual(features.dims, [2, 1280, 3, 3]);
    assert.ok(difference(logits.data, (await alone(net, 'logits')).logits) <= TOLERANCE);
    assert.ok(difference(pooled.data, (await alone(net, 'pooled')).pooled) <= TOLERANCE);
    assert.deepEqual(embedded, pooled);
    assert.ok(difference(features.data, (await alone(net, 'features')).features) <= TOLERANCE);
    const expected = await alone(net, 'endpoints');
    assert.deepEqual(Object.keys(endpoints), net.network.endpoints.map((e) => e.name));
    for (const { name, channels, size } of net.network.endpoints) {
      assert.deepEqual(endpoints[name].dims, [2, channels, ...size], name);
      assert.ok(difference(endpoints[name].data, expected[name]) <= TOLERANCE, name);
    }
    // The head endpoint is the final feature map.
    assert.ok(difference(endpoints.reduction_6.data, features.data) <= TOLERANCE);
  } finally {
    await net.dispose();
  }
});

test("the graph is compiled for the network's image size; another size recompiles it once, symbolic, and gives what a fresh model gives", async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: RUNTIME });
  const other = 64;
  const y = { data: syntheticImages([1, 3, other, other]), dims: [1, 3, other, other] };
  const fresh = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: RUNTIME });
  try {
    const before = compiledSessions();
    const native = await net.forward(x);
    assert.equal(compiledSessions() - before, 1);
    const small = await net.forward(y);
    assert.equal(compiledSessions() - before, 2, 'the first other size recompiles');
    assert.ok(difference((await net.forward(x)).data, native.data) <= TOLERANCE, 'the symbolic graph gives the native size the same logits');
    await net.forward(y);
    assert.equal(compiledSessions() - before, 2, 'and serves every size from then on');
    assert.equal(liveSessions(), 1);
    assert.ok(difference(small.data, (await fresh.forward(y)).data) <= TOLERANCE);
  } finally {
    await net.dispose();
    await fresh.dispose();
  }
});

test('tensor-in use keeps spinning threads; an image task recompiles once with sleeping threads and keeps them', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: RUNTIME });
  const pixels = { data: new Uint8Array(SIZE * SIZE * 3).fill(128), width: SIZE, height: SIZE, channels: 3 };
  try {
    const before = compiledSessions();
    const spinning = await net.forward(x);
    assert.equal(compiledSessions() - before, 1);
    await net.classify(pixels); // images decode beside inference from now on
    assert.equal(compiledSessions() - before, 2, 'the image task recompiles the graph with sleeping threads');
    const sleeping = await net.forward(x);
    await net.classify([pixels, pixels]);
    assert.equal(compiledSessions() - before, 2, 'and keeps it: no recompiling back and forth');
    assert.equal(liveSessions(), 1);
    assert.ok(difference(sleeping.data, spinning.data) <= TOLERANCE, 'the thread policy changes no value');
  } finally {
    await net.dispose();
  }
  const first = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: RUNTIME });
  try {
    const before = compiledSessions();
    await first.classify(pixels);
    await first.forward(x);
    assert.equal(compiledSessions() - before, 1, 'a model first used on images compiles once');
  } finally {
    await first.dispose();
  }
});

test('a headless model has no logits output: forward gives pooled features from the same session', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, includeTop: false, runtime: RUNTIME });
  try {
    const before = compiledSessions();
    const forward = await net.forward(x);
    const pooled = await net.pooledFeatures(x);
    assert.equal(compiledSessions() - before, 1);
    assert.deepEqual(forward.dims, [2, 1280]);
    assert.deepEqual(forward, pooled);
    assert.throws(() => buildInferenceGraph(net.network, net.weights, ['logits', 'pooled']), /includeTop: false and has no classifier/);
  } finally {
    await net.dispose();
  }
});

test('dispose frees the session and a later call compiles again; calls racing the recompile all succeed', async () => {
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, runtime: RUNTIME });
  const first = await net.forward(x);
  await net.dispose();
  assert.equal(liveSessions(), 0);
  const before = compiledSessions();
  assert.deepEqual(await net.forward(x), first);
  assert.equal(compiledSessions() - before, 1);
  const [a, endpoints, b] = await Promise.all([net.forward(x), net.extractEndpoints(x), net.forward(x)]);
  assert.deepEqual(a, first);
  assert.deepEqual(b, first);
  assert.equal(Object.keys(endpoints).length, net.network.endpoints.length);
  assert.equal(liveSessions(), 1);
  await net.dispose();
  assert.equal(liveSessions(), 0);
});

/** Whether this machine has a WebGPU adapter (then the fallback cannot be observed here). */
async function webgpuAvailable(): Promise<boolean> {
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, runtime: { executionProviders: ['webgpu'] } });
  try {
    return (await net.executionProvider()) === 'webgpu';
  } catch {
    return false;
  } finally {
    await net.dispose();
  }
}

test('execution providers: an unavailable one hands over to the next; alone it is a one-line error', async (t) => {
  if (await webgpuAvailable()) return t.skip('this machine has a WebGPU adapter');
  const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: { ...RUNTIME, executionProviders: ['webgpu', 'cpu'] } });
  const cpu = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3, runtime: RUNTIME });
  try {
    assert.deepEqual(await net.forward(x), await cpu.forward(x));
    assert.equal(await net.executionProvider(), 'cpu');
    assert.equal(await cpu.executionProvider(), 'cpu');
  } finally {
    await net.dispose();
    await cpu.dispose();
  }
  const only = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, runtime: { executionProviders: ['webgpu'] } });
  await assert.rejects(only.forward(x), (e: Error) => {
    assert.equal(e.name, 'RuntimeError');
    assert.match(e.message, /^onnxruntime could not load the graph with provider webgpu: \S/);
    assert.doesNotMatch(e.message, /\n|onnxruntime_src/);
    return true;
  });
  await assert.rejects(
    EfficientNet.fromName('efficientnet-b0', { runtime: { executionProviders: ['tpu'] } }).forward(x),
    /Unknown execution provider 'tpu'\. Should be one of: 'cpu', 'webgpu'/,
  );
});

test('CLI --provider webgpu,cpu falls back to the CPU; --provider webgpu alone is one line, exit 1', async (t) => {
  if (await webgpuAvailable()) return t.skip('this machine has a WebGPU adapter');
  await withDir(async (dir) => {
    const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 3 });
    await net.save(join(dir, 'w.safetensors'));
    await writeNpy(join(dir, 'x.npy'), { dtype: 'float32', data: x.data, shape: x.dims });
    const args = ['forward', '--weights', join(dir, 'w.safetensors'), '--input', join(dir, 'x.npy')];
    const fallback = await cli(...args, '--output', join(dir, 'y.npy'), '--provider', 'webgpu,cpu');
    assert.equal(fallback.code, 0, fallback.stderr);
    const only = await cli(...args, '--output', join(dir, 'z.npy'), '--provider', 'webgpu');
    assert.equal(only.code, 1);
    // Dawn (the WebGPU library inside onnxruntime) may print its own native warning first.
    assert.match(only.stderr, /^efficientnet: onnxruntime could not load the graph with provider webgpu: .+\n$/m);
    assert.doesNotMatch(only.stderr, /at (file|node|async)[:\s]/, 'no JavaScript stack trace');
  });
});

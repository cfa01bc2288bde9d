/**
 * One process of the WebGPU benchmark (bench/gpu.ts): onnxruntime-web in Node with Dawn's WebGPU
 * as `navigator.gpu` (bench/dawn.ts) and the browser build's engine (src/browser/engine.ts) as the
 * platform's. Prints one JSON line: per contender and batch, the first run and the median. Run as
 *   node dist/bench/gpuSide.js '<side as JSON>'      (or `probe`: the adapter's report, or why there is none)
 * Contenders (see `Side`): `ours` is the library's `forward` (model built for the provider, fp16
 * on request), `raw` a bare onnxruntime-web session on the same model's exported ONNX (`toOnnx`,
 * `{ fp16 }`), `pair` both in one process, runs interleaved (a WebGPU session's first compile
 * takes tens of seconds, and a second session in the process reuses its shaders), `train` b0's
 * training step built for the provider and run bare, as the browser test pages do. On wasm, the
 * bare session is onnxruntime-web's Node build with a thread per core, for scale (the browser
 * bundle's wasm has no threads in Node: its workers need a page). Every timed run ends with the
 * outputs read back into JS memory (onnxruntime-web's default output location), so a GPU time
 * includes the GPU's work and the copy back.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { EfficientNet } from '../src/api/efficientNet.js';
import { resolveConfig } from '../src/arch/config.js';
import { buildNetwork } from '../src/arch/network.js';
import { ort } from '../src/browser/engine.js';
import { browserPlatform } from '../src/browser/platform.js';
import { configureBrowser } from '../src/browser/settings.js';
import { usePlatform } from '../src/platform/index.js';
import type { FloatBatch } from '../src/runtime/inputs.js';
import { targetDistribution } from '../src/train/targets.js';
import { batchDims, buildTrainingGraph, im2colKernel } from '../src/train/trainingGraph.js';
import { initialWeights } from '../src/weights/init.js';
import { syntheticImages } from '../src/weights/synthetic.js';
import { syntheticStateDict } from '../test/support/fixtures.js';
import { installDawn } from './dawn.js';
import { median, timeOnce } from './stats.js';

export interface Side {
  readonly who: 'ours' | 'raw' | 'pair' | 'train';
  /** Appended to each contender's name in the results: `ours-fp32`. */
  readonly label: string;
  readonly provider: 'webgpu' | 'wasm';
  readonly fp16: boolean;
  /** 'efficientnet-b0', … */
  readonly model: string;
  /** Image size; the model's own when absent. */
  readonly size?: number;
  readonly batches: readonly number[];
  /** Timed runs per batch after the warm-up. */
  readonly runs: number;
}

export interface BatchResult {
  /** Milliseconds: session creation (compiling the graph) with the first run, then the median of the timed runs. */
  readonly firstMs: number;
  readonly ms: number;
  /** Inference sides: the logits of the last run, for the fp16 / fp32 / wasm comparison. */
  readonly logits?: number[];
}

/** Per contender (`ours-fp32`, …), per batch. */
export type SideResults = Record<string, Record<number, BatchResult>>;

const WARMUP = 2;

/** b0-like weights whose activations stay of order 1 (fresh initial weights give float16-underflowing logits): test/runtime/quantize/fp16Net.ts's. */
function net(side: Side): EfficientNet {
  const config = resolveConfig(side.model);
  const weights = syntheticStateDict(buildNetwork(config), 'lukemelas', 3);
  return EfficientNet.fromStateDict(weights, { ...(side.size ? { imageSize: side.size } : {}), runtime: { executionProviders: [side.provider], fp16: side.fp16 } });
}

async function timed(run: () => Promise<unknown>, runs: number, createMs = 0): Promise<{ firstMs: number; ms: number }> {
  const firstMs = createMs + await timeOnce(run);
  for (let i = 1; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeOnce(run));
  return { firstMs, ms: median(times) };
}

/**
 * The onnxruntime-web that runs a bare session: the browser bundle for WebGPU (as the library
 * uses it), its Node build for wasm, whose threads are worker_threads, one per core.
 */
async function bareEngine(provider: Side['provider']): Promise<typeof ort> {
  if (provider === 'webgpu') return ort;
  const name = 'onnxruntime-web'; // the Node build, in Node
  const web = (await import(name)) as typeof ort;
  web.env.wasm.numThreads = availableParallelism();
  return web;
}

/** Inference: our `forward`, a bare session on the exported graph, or both with their runs interleaved. */
async function inference(side: Side): Promise<SideResults> {
  const model = net(side);
  const [h, w] = model.config.imageSize;
  const engine = await bareEngine(side.provider);
  const names = side.who === 'pair' ? ['ours', 'raw'] : [side.who];
  let createMs = 0;
  let session: ort.InferenceSession | undefined;
  if (names.includes('raw')) {
    const start = performance.now();
    session = await engine.InferenceSession.create(model.toOnnx({ fp16: side.fp16 }), { executionProviders: [side.provider], graphOptimizationLevel: 'all' });
    createMs = performance.now() - start;
  }
  const out: SideResults = {};
  for (const batch of side.batches) {
    const x: FloatBatch = { data: syntheticImages([batch, 3, h, w]), dims: [batch, 3, h, w] };
    const logits: Record<string, Float32Array> = {};
    const bare = session;
    const runs: Record<string, () => Promise<unknown>> = {
      ours: async () => { logits.ours = (await model.forward(x)).data; },
      raw: async () => { logits.raw = (await bare!.run({ input: new engine.Tensor('float32', x.data, [...x.dims]) })).logits.data as Float32Array; },
    };
    // The first runs compile; in a pair, ours finds what the raw session's creation compiled.
    const first: Record<string, number> = {};
    for (const name of names) first[name] = (name === 'raw' ? createMs : 0) + await timeOnce(runs[name]);
    for (let i = 1; i < WARMUP; i++) for (const name of names) await runs[name]();
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < side.runs; i++) for (const name of i % 2 ? [...names].reverse() : names) times[name].push(await timeOnce(runs[name]));
    for (const name of names) (out[`${name}-${side.label}`] ??= {})[batch] = { firstMs: first[name], ms: median(times[name]), logits: Array.from(logits[name]) };
    createMs = 0;
  }
  await session?.release();
  await model.dispose();
  return out;
}

/** b0's training step (forward, loss, every gradient; batch norm training), built for the provider. */
async function trainingStep(side: Side): Promise<SideResults> {
  const size = side.size ?? 224;
  const network = buildNetwork(resolveConfig(side.model, { imageSize: size }));
  const weights = initialWeights(network, 0);
  const engine = await bareEngine(side.provider);
  const out: Record<number, BatchResult> = {};
  for (const batch of side.batches) {
    const graph = buildTrainingGraph(network, weights, { batchSize: batch, freeze: 'none', batchNorm: 'train', nchwcBlock: 0, target: side.provider });
    const tensor = (data: Float32Array, dims: readonly number[]) => new engine.Tensor('float32', data, [...dims]);
    const shape = (key: string, n?: number) => batchDims(graph.inputShapes.get(key)!, n);
    const feeds: Record<string, ort.Tensor> = {
      input: tensor(new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i * 0.37)), shape('input', batch)),
      targets: tensor(targetDistribution(Array.from({ length: batch }, (_, i) => (i * 37) % 1000), 1000), shape('targets', batch)),
    };
    for (const k of graph.im2colKernels) feeds[`im2col.k${k}`] = tensor(im2colKernel(k), [k * k, 1, k, k]);
    for (const key of graph.weightInputs) feeds[key] = tensor(weights.get(key)!.data as Float32Array, shape(key));
    const start = performance.now();
    const session = await engine.InferenceSession.create(graph.model, { executionProviders: [side.provider], graphOptimizationLevel: 'all' });
    const createMs = performance.now() - start;
    out[batch] = await timed(() => session.run(feeds), side.runs, createMs);
    await session.release();
  }
  return { [`train-${side.label}`]: out };
}

/**
 * Runs one side after installing Dawn and the browser platform.
 *
 * @example
 * await runSide({ who: 'pair', label: 'fp16', provider: 'webgpu', fp16: true, model: 'efficientnet-b0', batches: [1, 8], runs: 20 }); // { 'ours-fp16': …, 'raw-fp16': … }
 */
export async function runSide(side: Side): Promise<SideResults> {
  const { adapter, missing } = await installDawn();
  if (side.provider === 'webgpu' && !adapter) throw new Error(missing);
  // The browser bundle's wasm has no threads in Node; WebGPU leaves the CPU little to do anyway.
  configureBrowser({ threads: 1 });
  ort.env.wasm.numThreads = 1;
  usePlatform(browserPlatform);
  ort.env.logLevel = 'error';
  return side.who === 'train' ? trainingStep(side) : inference(side);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv[2];
  const line = JSON.stringify(arg === 'probe' ? await installDawn() : await runSide(JSON.parse(arg) as Side));
  // Dawn's device keeps the event loop alive: exit once the line (hundreds of kB into a pipe) is written.
  process.stdout.write(`${line}\n`, () => process.exit(0));
}

/**
 * b0 inference at 224 px, batch 1 and 8, in headless Chromium through the library's bundle
 * (dist/browser) on onnxruntime-web's wasm backend (threads: the page is cross-origin isolated),
 * beside a raw onnxruntime-web session on the same graph in the same page, runs interleaved;
 * and onnxruntime-node on the same weights in this process for scale. WebGPU in this headless
 * Chromium is SwiftShader (a CPU implementation): its figures are for correctness only.
 *
 * Then b0's training step (forward, loss, every gradient; full network, batch norm training) at
 * 32 px batch 32 and 224 px batch 8: the step graph built for wasm, run in the page on wasm,
 * beside Node's own step graph (built for its CPU provider) in a fresh process, the sides
 * alternating and never running at once; and the WebGPU step graph at 32 px under SwiftShader.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveConfig } from '../src/arch/config.js';
import { buildNetwork } from '../src/arch/network.js';
import { EfficientNet } from '../src/index.js';
import { TrainingStep, createTrainingStep } from '../src/train/step.js';
import type { TrainingTarget } from '../src/train/emit/forms.js';
import { targetDistribution } from '../src/train/targets.js';
import { batchDims, buildTrainingGraph, im2colKernel } from '../src/train/trainingGraph.js';
import { initialWeights } from '../src/weights/init.js';
import type { Float32Feed } from '../test/browser/support/harness.js';
import type { PageProvider } from '../test/browser/support/protocol.js';
import { browserMissing } from '../test/browser/support/chromium.js';
import { BrowserHarness } from '../test/browser/support/harness.js';
import { median, timeOnce } from './stats.js';

const ROUNDS: Record<number, number> = { 1: 10, 8: 4 };
const THREADS = 2;

export async function benchBrowser(): Promise<void> {
  if (browserMissing) {
    console.log(`skipped: ${browserMissing}`);
    return;
  }
  const net = EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS } });
  const harness = await BrowserHarness.open({ page: 'library.html', ready: 'lib' });
  try {
    harness.server.put('b0.safetensors', net.saveBytes('b0.safetensors'));
    const page = await harness.call<{ rows: { batch: number; ours: number; raw: number }[]; threads: number; provider: string }>('lib', 'bench', {
      weights: 'b0.safetensors', provider: 'wasm', batches: [1, 8], rounds: ROUNDS,
    });
    console.log(`b0 inference at 224 px in headless Chromium, ${page.provider} with ${page.threads} threads, median of interleaved runs after the first (ms)`);
    console.log('batch\tours\traw ort-web\tours/raw\tnode cpu (same process, for scale)');
    for (const { batch, ours, raw } of page.rows) {
      const dims = [batch, 3, 224, 224];
      const data = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i));
      await net.forward({ data, dims });
      const node: number[] = [];
      for (let i = 0; i < ROUNDS[batch]; i++) node.push(await timeOnce(() => net.forward({ data, dims })));
      console.log(`${batch}\t${ours.toFixed(1)}\t${raw.toFixed(1)}\t${(ours / raw).toFixed(3)}\t${median(node).toFixed(1)}`);
    }
  } finally {
    await harness.close();
    await net.dispose();
  }
  await benchBrowserTraining();
}

/** Training-step regimes: image size, batch, timed steps per round, rounds. */
const TRAIN_REGIMES = [{ size: 32, batch: 32, steps: 5, rounds: 2 }, { size: 224, batch: 8, steps: 3, rounds: 2 }] as const;

/** Each regime on both sides, then WebGPU; the graphs run on the engine page (onnxruntime-web as served). */
async function benchBrowserTraining(): Promise<void> {
  const harness = await BrowserHarness.open();
  try {
    await trainingRegimes(harness);
  } finally {
    await harness.close();
  }
}

async function trainingRegimes(harness: BrowserHarness): Promise<void> {
  for (const { size, batch, steps, rounds } of TRAIN_REGIMES) {
    const page: number[] = [];
    const node: number[] = [];
    for (let round = 0; round < rounds; round++) {
      node.push(...(await nodeStepTimes(size, batch, steps)));
      page.push(...(await pageStepTimes(harness, 'wasm', size, batch, steps)));
    }
    console.log(`b0 training step (full, batch norm training), ${size} px batch ${batch}, median of ${rounds}×${steps} steps after each side's first: page wasm ${median(page).toFixed(0)} ms, Node cpu (fresh process) ${median(node).toFixed(0)} ms, page/Node ${(median(page) / median(node)).toFixed(2)}`);
  }
  const gpu = await pageStepTimes(harness, 'webgpu', 32, 8, 2);
  console.log(`b0 training step on WebGPU (SwiftShader, a CPU implementation: correctness only, not speed), 32 px batch 8: ${median(gpu).toFixed(0)} ms`);
}

/** The step graph for `target` with synthetic weights, images and labels, and its feeds. */
function stepGraph(target: TrainingTarget, size: number, batch: number) {
  const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: size }));
  const weights = initialWeights(net, 0);
  const input = new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i * 0.37));
  const targets = targetDistribution(Array.from({ length: batch }, (_, i) => (i * 37) % 1000), 1000);
  return { net, weights, input, targets };
}

/** Step times in the page: the graph built for wasm (or WebGPU), run `steps` times after its first run. */
async function pageStepTimes(harness: BrowserHarness, provider: PageProvider, size: number, batch: number, steps: number): Promise<number[]> {
  const { net, weights, input, targets } = stepGraph(provider, size, batch);
  const graph = buildTrainingGraph(net, weights, { batchSize: batch, freeze: 'none', batchNorm: 'train', nchwcBlock: 0, target: provider });
  const feeds: Record<string, Float32Feed> = {
    input: { dims: batchDims(graph.inputShapes.get('input')!, batch), data: input },
    targets: { dims: batchDims(graph.inputShapes.get('targets')!, batch), data: targets },
  };
  for (const k of graph.im2colKernels) feeds[`im2col.k${k}`] = { dims: [k * k, 1, k, k], data: im2colKernel(k) };
  for (const key of graph.weightInputs) feeds[key] = { dims: batchDims(graph.inputShapes.get(key)!), data: weights.get(key)!.data as Float32Array };
  return [...(await harness.run(graph.model, { provider, feeds, rounds: steps, threads: THREADS })).roundMs];
}

const execute = promisify(execFile);

/** Node's step times, in a fresh process (this file with --train-worker). */
async function nodeStepTimes(size: number, batch: number, steps: number): Promise<number[]> {
  const { stdout } = await execute(process.execPath, [fileURLToPath(import.meta.url), '--train-worker', String(size), String(batch), String(steps)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as number[];
}

/** Worker: Node's own step graph (CPU forms), `steps` runs after the first. */
async function trainWorker([size, batch, steps]: number[]): Promise<void> {
  const { net, weights, input, targets } = stepGraph('cpu', size, batch);
  const step: TrainingStep = await createTrainingStep(net, weights, { batchSize: batch, freeze: 'none', batchNorm: 'train' }, { intraOpThreads: THREADS });
  const times: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = performance.now();
    await step.run({ input, targets, weights });
    if (i > 0) times.push(performance.now() - t);
  }
  await step.release();
  console.log(JSON.stringify(times));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--train-worker')) {
  await trainWorker(process.argv.slice(process.argv.indexOf('--train-worker') + 1).map(Number));
}

/**
 * One side of the inference benchmark, alone in its process (no other engine alive beside it,
 * so no second thread pool competes): prints one JSON line. Run by bench/inference.ts as
 *   node dist/bench/inferenceSide.js <side> <batch> <runs>
 * Sides: ours | raw | raw-nospin (latency of `forward` / a raw session on the same ONNX bytes),
 * alone | inturn (the four outputs each alone / called in turn on one model),
 * rss-forward | rss-all (resident memory after `forward` alone / after all four outputs, b3).
 */
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { EfficientNet, type FloatBatch } from '../src/index.js';
import { median, timeOnce } from './stats.js';

export const THREADS = 2;
const WARMUP = 3;

type Call = (net: EfficientNet, x: FloatBatch) => Promise<unknown>;

/** The four outputs a user can ask a model for. */
export const OUTPUTS: Record<string, Call> = {
  forward: (net, x) => net.forward(x),
  embed: (net, x) => net.embed(x),
  extractFeatures: (net, x) => net.extractFeatures(x),
  extractEndpoints: (net, x) => net.extractEndpoints(x),
};

function input(batch: number, size: number): FloatBatch {
  const dims = [batch, 3, size, size];
  return { data: new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i)), dims };
}

/** Median milliseconds of `runs` calls after the warm-up (which also compiles). */
async function latency(fn: () => Promise<unknown>, runs: number): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeOnce(fn));
  return median(times);
}

async function rawSession(bytes: Uint8Array, spinning: boolean): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: THREADS, graphOptimizationLevel: 'all', executionMode: 'sequential',
    ...(spinning ? {} : { extra: { 'session.intra_op.allow_spinning': '0' } }),
  });
}

async function side(name: string, batch: number, runs: number): Promise<Record<string, number>> {
  const b0 = () => EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS } });
  const x = input(batch, 224);
  switch (name) {
    case 'ours': {
      const net = b0();
      return { ms: await latency(() => net.forward(x), runs) };
    }
    case 'raw':
    case 'raw-nospin': {
      // onnxruntime's defaults (threads spin) or the same thread policy as ours.
      const session = await rawSession(b0().toOnnx(), name === 'raw');
      const feeds = { input: new ort.Tensor('float32', x.data, x.dims) };
      return { ms: await latency(() => session.run(feeds), runs) };
    }
    case 'alone': {
      const result: Record<string, number> = {};
      for (const [output, call] of Object.entries(OUTPUTS)) {
        const net = b0(); // a fresh engine per output, the previous one disposed
        result[output] = await latency(() => call(net, x), runs);
        await net.dispose();
      }
      return result;
    }
    case 'inturn': {
      const net = b0();
      const calls = Object.values(OUTPUTS);
      return { ms: await latency(async () => { for (const call of calls) await call(net, x); }, runs) };
    }
    case 'rss-forward':
    case 'rss-all': {
      const net = EfficientNet.fromName('efficientnet-b3', { runtime: { intraOpThreads: THREADS } });
      const big = input(batch, net.config.imageSize[0]);
      const calls = name === 'rss-all' ? Object.values(OUTPUTS) : [OUTPUTS.forward];
      for (let i = 0; i < runs; i++) for (const call of calls) await call(net, big);
      return { mb: process.memoryUsage().rss / 2 ** 20 };
    }
    default:
      throw new Error(`unknown side ${name}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [name, batch, runs] = process.argv.slice(2);
  console.log(JSON.stringify(await side(name, Number(batch), Number(runs))));
}

/**
 * WebGPU on a real GPU, in Node: onnxruntime-web's WebGPU backend on Dawn (bench/dawn.ts), each
 * side in a fresh process (bench/gpuSide.ts), ours and raw together in one with their runs
 * interleaved (a WebGPU session compiles for tens of seconds; the second reuses the shaders);
 * per contender and batch the median over GPU_ROUNDS processes (1) of each one's median. Not a
 * browser figure: no page, no browser's GPU process, but the same onnxruntime-web build and
 * graphs a page runs.
 *
 *   npm run bench -- gpu                      (every part; prints "skipped: …" without an adapter)
 *   node dist/bench/gpu.js probe inference train b3     (parts, as scripts/device/gpu-bench.sh runs them)
 *
 * Parts: `probe` (adapter, features, limits), `inference` (b0 at 224, batch 1 and 8: our
 * `forward` and a bare session on the exported graph, fp32 and fp16, beside onnxruntime-web's
 * wasm on every core; fp16 and WebGPU logits against wasm fp32), `train` (b0's training step,
 * WebGPU beside wasm, at 32 px batch 32 and 224 px batch 8), `b3` (b3 at 300, batch 1 and 8).
 * GPU_ROUNDS, GPU_RUNS, GPU_SIZE (a smaller inference image) and GPU_TRAIN (training regimes,
 * e.g. `32x4,64x2`) scale it down for a smoke run on SwiftShader.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { relativeError } from '../test/support/fixtures.js';
import type { AdapterReport } from './dawn.js';
import type { BatchResult, Side, SideResults } from './gpuSide.js';
import { median } from './stats.js';

/** Processes per side; within one, ours and raw run interleaved (compiling a WebGPU session takes tens of seconds). */
const ROUNDS = Number(process.env.GPU_ROUNDS ?? 1);
const RUNS = Number(process.env.GPU_RUNS ?? 30);
const SIZE = process.env.GPU_SIZE ? Number(process.env.GPU_SIZE) : undefined;
/** Training regimes, `<size>x<batch>` each. */
const TRAIN = (process.env.GPU_TRAIN ?? '32x32,224x8').split(',').map((r) => r.split('x').map(Number));
const HERE = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

type Results = Record<string, Record<number, BatchResult[]>>;

/** bench/gpuSide.js's JSON line for `arg` (a side, or `probe`), from a fresh process. */
async function worker<T>(arg: string): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, [join(HERE, 'gpuSide.js'), arg], { maxBuffer: 1 << 26 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as T;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`bench/gpuSide.js ${arg} failed:\n${(stderr ?? String(error)).trim().split('\n').slice(-12).join('\n')}`);
  }
}

/** Every side's process once per round, the order reversed every other round. */
async function alternating(sides: readonly Side[], rounds = ROUNDS): Promise<Results> {
  const results: Results = {};
  for (let r = 0; r < rounds; r++) {
    for (const spec of r % 2 ? [...sides].reverse() : sides) {
      for (const [name, batches] of Object.entries(await worker<SideResults>(JSON.stringify(spec)))) {
        // A line per contender, so that a part cut short by its time limit still leaves figures.
        console.log(`  round ${r + 1} ${name}: ${Object.entries(batches).map(([b, x]) => `batch ${b} ${x.ms.toFixed(2)} ms (first ${x.firstMs.toFixed(0)})`).join(', ')}`);
        for (const [batch, result] of Object.entries(batches)) ((results[name] ??= {})[Number(batch)] ??= []).push(result);
      }
    }
  }
  return results;
}

const ms = (results: BatchResult[] | undefined, key: 'ms' | 'firstMs' = 'ms') => (results ? median(results.map((r) => r[key])) : NaN);
const fixed = (value: number, digits = 2) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

/** One row per batch: each side's median, then the ratios that matter. */
function table(title: string, results: Results, ratios: [string, string][]): void {
  const names = Object.keys(results);
  const rounds = results[names[0]][Number(Object.keys(results[names[0]])[0])].length;
  console.log(`${title}, ${rounds} round(s) of fresh processes (ms: median over rounds of each process's median after warm-up; first = compile + first run; in a pair raw's session is created first, and ours reuses what it compiled)`);
  console.log(['batch', ...names, ...ratios.map(([a, b]) => `${a}/${b}`), ...names.map((n) => `first ${n}`)].join('\t'));
  for (const batch of Object.keys(results[names[0]]).map(Number)) {
    const cell = (name: string) => ms(results[name][batch]);
    console.log([batch, ...names.map((n) => fixed(cell(n))), ...ratios.map(([a, b]) => fixed(cell(a) / cell(b), 3)), ...names.map((n) => fixed(ms(results[n][batch], 'firstMs'), 0))].join('\t'));
  }
}

/** The largest logit difference relative to the reference's largest logit, batch by batch (first round). */
function agreement(results: Results, pairs: [string, string][]): void {
  for (const [a, b] of pairs) {
    if (!results[a] || !results[b]) continue;
    const errors = Object.keys(results[a]).map((batch) => {
      const [x, y] = [results[a][Number(batch)][0].logits!, results[b][Number(batch)][0].logits!];
      return `batch ${batch} ${relativeError(x, y).toExponential(2)}`;
    });
    console.log(`logits ${a} against ${b}: max |difference| / max |logit| = ${errors.join(', ')}`);
  }
}

/** Ours and raw interleaved on WebGPU in fp32, then in fp16 (where the adapter has shader-f16), then wasm for scale. */
function inferenceSides(model: string, adapter: AdapterReport, wasm: boolean): Side[] {
  const base = { model, batches: [1, 8], runs: RUNS, ...(SIZE ? { size: SIZE } : {}) };
  const sides: Side[] = [{ ...base, who: 'pair', label: 'fp32', provider: 'webgpu', fp16: false }];
  if (adapter.features.includes('shader-f16')) sides.push({ ...base, who: 'pair', label: 'fp16', provider: 'webgpu', fp16: true });
  if (wasm) sides.push({ ...base, who: 'raw', label: 'wasm', provider: 'wasm', fp16: false });
  return sides;
}

const PARTS: Record<string, (adapter: AdapterReport) => Promise<void>> = {
  async probe(adapter) {
    console.log(`adapter: vendor '${adapter.vendor}', architecture '${adapter.architecture}', device '${adapter.device}', description '${adapter.description}'`);
    console.log(`features: ${adapter.features.join(', ')}`);
    console.log(`limits: ${Object.entries(adapter.limits).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (!adapter.features.includes('shader-f16')) console.log('no shader-f16: the fp16 sides are skipped');
  },
  async inference(adapter) {
    const results = await alternating(inferenceSides('efficientnet-b0', adapter, true));
    table(`b0 inference at ${SIZE ?? 224} px, ${RUNS} runs a process, on WebGPU (Dawn in Node) and wasm (raw-wasm: onnxruntime-web's Node build, a thread per core)`, results, [['ours-fp32', 'raw-fp32'], ['ours-fp16', 'raw-fp16'], ['ours-fp32', 'ours-fp16'], ['raw-wasm', 'ours-fp32']].filter(([a, b]) => results[a] && results[b]) as [string, string][]);
    agreement(results, [['ours-fp16', 'ours-fp32'], ['ours-fp16', 'raw-wasm'], ['ours-fp32', 'raw-wasm'], ['raw-fp32', 'ours-fp32']]);
  },
  async train() {
    for (const [size, batch] of TRAIN) {
      const base = { who: 'train', model: 'efficientnet-b0', fp16: false, size, batches: [batch], runs: Math.ceil(RUNS / 6) } as const;
      const results = await alternating([{ ...base, label: 'webgpu', provider: 'webgpu' }, { ...base, label: 'wasm', provider: 'wasm' }]);
      table(`b0 training step (full network, batch norm training, every gradient read back) at ${size} px batch ${batch}, ${base.runs} steps a process`, results, [['train-wasm', 'train-webgpu']]);
    }
  },
  async b3(adapter) {
    const results = await alternating(inferenceSides('efficientnet-b3', adapter, false));
    table(`b3 inference at ${SIZE ?? 300} px, ${RUNS} runs a process, on WebGPU`, results, [['ours-fp32', 'raw-fp32'], ['ours-fp32', 'ours-fp16']].filter(([a, b]) => results[a] && results[b]) as [string, string][]);
    agreement(results, [['ours-fp16', 'ours-fp32']]);
  },
};

/**
 * The named parts (all by default), after finding the adapter; "skipped: …" without one.
 *
 * @example
 * await benchGpu(['probe', 'inference']);
 */
export async function benchGpu(parts: readonly string[] = Object.keys(PARTS)): Promise<void> {
  const unknown = parts.filter((p) => !(p in PARTS));
  if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}`);
  // Dawn stays in the workers: loaded here, it would keep this process alive.
  const { adapter, missing } = await worker<{ adapter?: AdapterReport; missing?: string }>('probe');
  if (!adapter) {
    console.log(`skipped: ${missing}`);
    return;
  }
  for (const part of parts) await PARTS[part](adapter);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchGpu(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
}

/**
 * Checkpoint loading speed: a b7-sized state dict (lukemelas key names and shapes, seeded random
 * values, ~266 MB) read by our reader and by `torch.load` in the same run, on the same file.
 * torch (Debian's /usr/bin/python3) writes the file when it is there; otherwise our writer does
 * and only our time is reported.
 *
 *   npm run build && node dist/bench/load.js [efficientnet-b7]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from '../src/arch/config.js';
import { buildNetwork } from '../src/arch/network.js';
import { stateDictSpec } from '../src/arch/parameters.js';
import { readCheckpoint, writeCheckpoint } from '../src/weights/checkpoint.js';
import type { StateDict } from '../src/weights/tensor.js';

const PYTHON = '/usr/bin/python3';
const RUNS = 5;

export interface LoadBenchResult {
  readonly model: string;
  readonly bytes: number;
  readonly tensors: number;
  /** First load in the process (fresh memory, as a CLI run sees it), in milliseconds. */
  readonly oursFirstMs: number;
  /** Best of the runs (freed memory reused), in milliseconds. */
  readonly oursMs: number;
  readonly torchFirstMs?: number;
  readonly torchMs?: number;
}

// With a spec file: saves a seeded state dict in the spec's order. Without: times torch.load RUNS times.
const TORCH_SCRIPT = `
import collections, json, sys, time, torch
path, runs = sys.argv[2], int(sys.argv[3])
if sys.argv[1]:
    g = torch.Generator().manual_seed(0)
    sd = collections.OrderedDict()
    for key, shape, dtype in json.load(open(sys.argv[1])):
        sd[key] = torch.randint(0, 1000, shape, dtype=torch.int64, generator=g) if dtype == 'int64' else torch.randn(*shape, generator=g)
    torch.save(sd, path)
    sys.exit(0)
times = []
for _ in range(runs):
    start = time.perf_counter(); loaded = torch.load(path); times.append(time.perf_counter() - start); del loaded
print(json.dumps({'first': times[0] * 1000, 'best': min(times) * 1000}))
`;

function hasTorch(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A seeded state dict of the model's shapes, for when torch is not installed. */
function syntheticStateDict(spec: ReturnType<typeof stateDictSpec>): StateDict {
  let seed = 1;
  const next = () => ((seed = (seed * 48271) % 0x7fffffff) / 0x7fffffff) - 0.5;
  return new Map(spec.map((p) => [p.key, p.dtype === 'int64'
    ? { dtype: 'int64', shape: p.shape, data: new BigInt64Array(1) }
    : { dtype: 'float32', shape: p.shape, data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, next) }]));
}

/**
 * Times our reader against torch.load on one b7-sized checkpoint and prints both.
 *
 * @example
 * const { oursMs, torchMs } = await benchLoad('efficientnet-b7');
 */
export async function benchLoad(model = 'efficientnet-b7'): Promise<LoadBenchResult> {
  const spec = stateDictSpec(buildNetwork(resolveConfig(model)));
  const dir = await mkdtemp(join(tmpdir(), 'efficientnet-ts-bench-'));
  try {
    const path = join(dir, `${model}.pth`);
    let torch: { first: number; best: number } | undefined;
    if (hasTorch()) {
      const specPath = join(dir, 'spec.json');
      await writeFile(specPath, JSON.stringify(spec.map((p) => [p.key, p.shape, p.dtype])));
      // torch.save runs in one process, the timed loads in a fresh one (no memory left over to reuse).
      execFileSync(PYTHON, ['-c', TORCH_SCRIPT, specPath, path, '0'], { stdio: 'ignore' });
      const out = execFileSync(PYTHON, ['-c', TORCH_SCRIPT, '', path, String(RUNS)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      torch = JSON.parse(out.trim().split('\n').pop()!) as { first: number; best: number };
    } else {
      await writeCheckpoint(path, syntheticStateDict(spec), 'pth');
    }
    const times: number[] = [];
    let tensors = 0;
    let bytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const checkpoint = await readCheckpoint(path);
      times.push(performance.now() - start);
      tensors = checkpoint.tensors.size;
      bytes = [...checkpoint.tensors.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
    }
    const result: LoadBenchResult = {
      model, bytes, tensors, oursFirstMs: times[0], oursMs: Math.min(...times), torchFirstMs: torch?.first, torchMs: torch?.best,
    };
    const row = (name: string, first?: number, best?: number) => console.log(first === undefined || best === undefined
      ? `  ${name.padEnd(31)} (torch not installed)`
      : `  ${name.padEnd(31)} first ${first.toFixed(0).padStart(5)} ms   best ${best.toFixed(0).padStart(5)} ms  (${(bytes / 1e6 / (first / 1000)).toFixed(0)} MB/s first)`);
    console.log(`load ${model} (${tensors} tensors, ${(bytes / 1e6).toFixed(0)} MB), ${RUNS} runs each, page cache warm:`);
    row('efficientnet-ts readCheckpoint', result.oursFirstMs, result.oursMs);
    row('torch.load', result.torchFirstMs, result.torchMs);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchLoad(process.argv[2]);
}

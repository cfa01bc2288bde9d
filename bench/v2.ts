/**
 * EfficientNetV2-S beside PyTorch (torchvision 0.14, CPU) in the same run, each side in a fresh
 * process, sides alternating round by round:
 * - inference at 384 px, batch 1 and 8 (per-call median ms), with b0 at 224 px measured the same
 *   way for V1's margin over PyTorch (target: V2-S's margin at least b0's);
 * - a full training step at 128 px, batch 16 (forward, cross-entropy, backward, SGD with
 *   momentum; batch norm training; stochastic depth and dropout off on both sides). Target: 1.5×.
 *
 * The training case ends with onnxruntime's per-operator account of our step (first round).
 *
 *   npm run bench -- v2        (BENCH_ROUNDS=1 for a quicker, noisier run; BENCH_V2=training
 *                               for the cases whose label holds that word)
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EfficientNet } from '../src/index.js';
import { resolveConfig } from '../src/arch/config.js';
import { buildNetwork } from '../src/arch/network.js';
import type { OperatorAccount } from '../src/runtime/profile.js';
import { Trainer } from '../src/train/trainer.js';
import { initialWeights } from '../src/weights/init.js';
import { Random } from '../src/util/random.js';
import { median } from './stats.js';
import { printAccount, profileStep } from './stepProfile.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = join(HERE, '..', '..', 'bench', 'v2_torch.py');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const THREADS = 2;
const WARMUP = 2;
const ONLY = process.env.BENCH_V2 ?? '';

interface Case { readonly label: string; readonly ours: string[]; readonly torch: string[] }

// Our worker's arguments and PyTorch's, per measurement.
const CASES: readonly Case[] = [
  { label: 'V2-S inference 384 px batch 1', ours: ['infer', 'efficientnet-v2-s', '384', '1', '10'], torch: ['infer', 'efficientnet_v2_s', '384', '1', '10'] },
  { label: 'V2-S inference 384 px batch 8', ours: ['infer', 'efficientnet-v2-s', '384', '8', '4'], torch: ['infer', 'efficientnet_v2_s', '384', '8', '4'] },
  { label: 'b0 inference 224 px batch 1', ours: ['infer', 'efficientnet-b0', '224', '1', '15'], torch: ['infer', 'efficientnet_b0', '224', '1', '15'] },
  { label: 'b0 inference 224 px batch 8', ours: ['infer', 'efficientnet-b0', '224', '8', '6'], torch: ['infer', 'efficientnet_b0', '224', '8', '6'] },
  { label: 'V2-S training step 128 px batch 16', ours: ['train', '128', '16', '4'], torch: ['train', '128', '16', '4'] },
];

interface SideResult { readonly times: number[]; readonly peakMB: number; readonly account?: OperatorAccount }

const parse = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as SideResult;

export async function benchV2(): Promise<void> {
  console.log(`EfficientNetV2-S and b0 beside PyTorch ${THREADS} threads, fresh process per side, ${ROUNDS} alternating rounds (median ms)`);
  for (const c of CASES.filter((k) => k.label.includes(ONLY))) {
    const ours: number[] = [];
    let account: OperatorAccount | undefined;
    const torch: number[] = [];
    let peaks = [0, 0];
    for (let r = 0; r < ROUNDS; r++) {
      const sides = [
        async () => {
          const args = [fileURLToPath(import.meta.url), '--worker', ...c.ours, ...(r === 0 && c.ours[0] === 'train' ? ['profile'] : [])];
          const o = parse((await run(process.execPath, args, { maxBuffer: 1 << 22 })).stdout);
          ours.push(...o.times);
          account ??= o.account;
          peaks = [Math.max(peaks[0], o.peakMB), peaks[1]];
        },
        async () => { const t = parse((await run('/usr/bin/python3', [TORCH_SCRIPT, ...c.torch, String(THREADS)], { maxBuffer: 1 << 20 })).stdout); torch.push(...t.times); peaks = [peaks[0], Math.max(peaks[1], t.peakMB)]; },
      ];
      for (const side of r % 2 === 0 ? sides : sides.reverse()) await side();
    }
    const [o, t] = [median(ours), median(torch)];
    console.log(`${c.label.padEnd(36)} ours ${o.toFixed(1)} | pytorch ${t.toFixed(1)} | pytorch/ours ×${(t / o).toFixed(2)} | peak ${peaks[0].toFixed(0)} / ${peaks[1].toFixed(0)} MB`);
    if (account) printAccount(account, `V2-S training step at ${c.ours[1]} px, batch ${c.ours[2]}`);
  }
}

/** Worker: `infer MODEL SIZE BATCH RUNS` or `train SIZE BATCH RUNS`; prints {times, peakMB}. */
async function workerMain(args: string[]): Promise<void> {
  const random = new Random(1);
  const times: number[] = [];
  const time = async (step: () => Promise<unknown>, runs: number) => {
    for (let i = 0; i < WARMUP + runs; i++) {
      const t = performance.now();
      await step();
      if (i >= WARMUP) times.push(performance.now() - t);
    }
  };
  if (args[0] === 'infer') {
    const [, model, size, batch, runs] = args;
    const [s, b] = [Number(size), Number(batch)];
    // torchvision's padding, as the PyTorch side computes.
    const net = EfficientNet.fromName(model, { padding: 'symmetric', runtime: { intraOpThreads: THREADS } });
    const input = { data: Float32Array.from({ length: b * 3 * s * s }, () => random.normal()), dims: [b, 3, s, s] };
    await time(() => net.forward(input), Number(runs));
    await net.dispose();
  } else {
    const [, size, batch, runs] = args.map(Number);
    const profile = args[4] === 'profile';
    const net = buildNetwork(resolveConfig('efficientnet-v2-s', { imageSize: size, padding: 'symmetric', batchNormEpsilon: 1e-3, batchNormMomentum: 0.1 }));
    const weights = initialWeights(net, 0);
    const trainer = await Trainer.create(net, weights, {
      optimizer: { kind: 'sgd', momentum: 0.9 }, learningRate: 1e-3, freeze: 'none', labelSmoothing: 0.1, dropout: false, dropConnect: false, runtime: { intraOpThreads: THREADS },
    });
    const input = Float32Array.from({ length: batch * 3 * size * size }, () => random.normal());
    const labels = Array.from({ length: batch }, () => random.integer(1000));
    await time(() => trainer.step({ input, labels }), runs);
    await trainer.dispose();
    // Taken after the timed steps (and the peak memory) so that neither includes the profiling.
    const peakMB = process.resourceUsage().maxRSS / 1024;
    const account = profile ? await profileStep(net, weights, 'none', input, labels, { intraOpThreads: THREADS }) : undefined;
    console.log(JSON.stringify({ times, peakMB, account }));
    return;
  }
  console.log(JSON.stringify({ times, peakMB: process.resourceUsage().maxRSS / 1024 }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workerAt = process.argv.indexOf('--worker');
  if (workerAt >= 0) await workerMain(process.argv.slice(workerAt + 1));
  else await benchV2();
}

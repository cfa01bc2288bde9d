/**
 * Training-step benchmark: b0 at 224 px batch 8 and at 32 px batch 32, full fine-tuning, last
 * two stages and head only, ours (onnxruntime, 2 threads) beside PyTorch CPU doing the same step (forward,
 * cross-entropy, backward, SGD with momentum) in the same run, each after its warm-up, each
 * configuration in its own process so that peak memory is its own, the two sides alternating
 * round by round so that they share the machine's noise. Each regime ends with onnxruntime's
 * per-operator-type time account of our full fine-tuning step.
 *
 * Run: npm run bench -- train (or node dist/bench/train.js)
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import '../src/node/register.js'; // a worker process runs this file alone: Node is its platform
import { resolveConfig } from '../src/arch/config.js';
import { buildNetwork } from '../src/arch/network.js';
import type { OperatorAccount } from '../src/runtime/profile.js';
import { parseFreeze } from '../src/train/freeze.js';
import { Trainer } from '../src/train/trainer.js';
import { initialWeights } from '../src/weights/init.js';
import { Random } from '../src/util/random.js';
import { median } from './stats.js';
import { printAccount, profileStep } from './stepProfile.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = join(HERE, '..', '..', 'bench', 'train_torch.py');

/** An image size and the batch trained at it. */
export interface TrainRegime {
  readonly size: number;
  readonly batch: number;
}

/** Where PyTorch led before (small maps) and where ours did (224 px). */
const REGIMES: readonly TrainRegime[] = [{ size: 224, batch: 8 }, { size: 32, batch: 32 }];

export interface TrainBenchOptions {
  readonly regimes?: readonly TrainRegime[];
  /** Timed steps after the warm-up. */
  readonly steps?: number;
  readonly threads?: number;
  /** `none`, `stages:2`, `head`. */
  readonly configs?: readonly string[];
  /** Also time PyTorch (needs /usr/bin/python3 with torch). Default true. */
  readonly torch?: boolean;
  /** Alternating rounds (fresh processes) per side and configuration. Default 2. */
  readonly rounds?: number;
}

interface SideResult {
  readonly times: number[];
  readonly peakMB: number;
  readonly account?: OperatorAccount;
}

const WARMUP = 2;

/**
 * Runs the benchmark and prints per-step times, peak memory and the operator account.
 *
 * @example
 * await benchTraining({ steps: 5 });
 */
export async function benchTraining(options: TrainBenchOptions = {}): Promise<void> {
  for (const regime of options.regimes ?? REGIMES) await benchRegime(regime, options);
}

/** One image size and batch: every configuration, both sides, then our operator account. */
async function benchRegime({ size, batch }: TrainRegime, options: TrainBenchOptions): Promise<void> {
  const steps = options.steps ?? 5;
  const threads = options.threads ?? 2;
  const rounds = options.rounds ?? 2;
  const configs = options.configs ?? ['none', 'stages:2', 'head'];
  console.log(`\nb0 training step, batch ${batch}, ${size}×${size}, ${threads} threads, ${steps} timed steps after ${WARMUP} warm-up, ${rounds} alternating rounds`);
  let account: OperatorAccount | undefined;
  for (const config of configs) {
    const ours: SideResult[] = [];
    const torch: SideResult[] = [];
    let torchError: string | undefined;
    for (let round = 0; round < rounds; round++) {
      const profile = config === 'none' && round === 0 ? 'profile' : '';
      const result = await worker([config, batch, size, steps, threads, profile]);
      account ??= result.account;
      ours.push(result);
      if ((options.torch ?? true) && !torchError) {
        try {
          const { stdout } = await run('/usr/bin/python3', [TORCH_SCRIPT, config, String(batch), String(size), String(steps), String(threads)], { maxBuffer: 1 << 20 });
          torch.push(JSON.parse(stdout.trim().split('\n').pop()!) as SideResult);
        } catch (error) {
          torchError = (error as Error).message.split('\n')[0];
        }
      }
    }
    const line = [`${config.padEnd(9)} ours ${describe(ours)}`];
    if (torch.length > 0) line.push(`torch ${describe(torch)}`, `speed-up ×${(median(torch.flatMap((r) => r.times)) / median(ours.flatMap((r) => r.times))).toFixed(2)}`);
    if (torchError) line.push(`torch unavailable (${torchError})`);
    console.log(line.join(' | '));
  }
  if (account) printAccount(account, `full fine-tuning step at ${size} px, batch ${batch}`);
}

/** Median step over every round, the spread, and the largest peak memory of the rounds. */
function describe(results: readonly SideResult[]): string {
  const times = results.flatMap((r) => r.times);
  const peak = Math.max(...results.map((r) => r.peakMB));
  return `median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), peak ${peak.toFixed(0)} MB`;
}

/** Runs one configuration of ours in a fresh process (its own peak memory). */
async function worker(args: readonly (string | number)[]): Promise<SideResult> {
  const { stdout } = await run(process.execPath, [fileURLToPath(import.meta.url), '--worker', ...args.map(String)], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as SideResult;
}

/** Worker: times `steps` Trainer steps (SGD, momentum 0.9) after the warm-up; optionally profiles the graph. */
async function workerMain([config, batchText, sizeText, stepsText, threadsText, profile]: string[]): Promise<void> {
  const [batch, size, steps, threads] = [batchText, sizeText, stepsText, threadsText].map(Number);
  const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: size }));
  const weights = initialWeights(net, 0);
  const freeze = parseFreeze(config);
  const random = new Random(1);
  const input = Float32Array.from({ length: batch * 3 * size * size }, () => random.normal());
  const labels = Array.from({ length: batch }, () => random.integer(1000));
  const runtime = { intraOpThreads: threads };
  const trainer = await Trainer.create(net, weights, {
    optimizer: { kind: 'sgd', momentum: 0.9 }, learningRate: 1e-3, freeze, labelSmoothing: 0.1, dropout: true, dropConnect: false, runtime,
  });
  const times: number[] = [];
  for (let i = 0; i < WARMUP + steps; i++) {
    const t = performance.now();
    await trainer.step({ input, labels });
    if (i >= WARMUP) times.push(performance.now() - t);
  }
  await trainer.dispose();
  const peakMB = process.resourceUsage().maxRSS / 1024;
  const account = profile ? await profileStep(net, weights, freeze, input, labels, runtime) : undefined;
  console.log(JSON.stringify({ times, peakMB, account }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workerAt = process.argv.indexOf('--worker');
  if (workerAt >= 0) await workerMain(process.argv.slice(workerAt + 1));
  else await benchTraining();
}

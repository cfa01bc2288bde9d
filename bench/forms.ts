/**
 * Operator-forms benchmark: one b0 full fine-tuning step on onnxruntime-node's CPU with the
 * fused forms (training-mode BatchNormalization, LogSoftmax: what the CPU provider gets) beside
 * the portable forms (primitive operators: what WebGPU gets), both with this machine's NCHWc
 * depthwise kernel, each side in a fresh process, the sides alternating round by round.
 * It is the measurement behind TARGET_FORMS in src/train/emit/forms.ts.
 *
 * Run: npm run bench -- forms (or node dist/bench/forms.js)
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveConfig } from '../src/arch/config.js';
import { buildNetwork } from '../src/arch/network.js';
import { nchwcBlockSize } from '../src/runtime/session.js';
import type { TrainingTarget } from '../src/train/emit/forms.js';
import { TrainingStep } from '../src/train/step.js';
import { targetDistribution } from '../src/train/targets.js';
import { buildTrainingGraph } from '../src/train/trainingGraph.js';
import { Random } from '../src/util/random.js';
import { initialWeights } from '../src/weights/init.js';
import { median } from './stats.js';

const run = promisify(execFile);

/** An image size and the batch trained at it (bench/train.ts's two regimes). */
const REGIMES = [{ size: 224, batch: 8 }, { size: 32, batch: 32 }] as const;
/** 'cpu': fused forms; 'webgpu': portable forms (both run here on the CPU provider). */
const SIDES: readonly TrainingTarget[] = ['cpu', 'webgpu'];
const WARMUP = 2;

/** Per timed step: wall-clock ms and CPU ms of the process (all threads; steadier on a shared machine). */
interface WorkerResult {
  readonly times: number[];
  readonly cpu: number[];
}

/**
 * Prints the median step time (wall and CPU) of both forms per regime and their ratios.
 *
 * @example
 * await benchForms({ steps: 5, rounds: 2 });
 */
export async function benchForms({ steps = 5, rounds = 2, threads = 2 } = {}): Promise<void> {
  for (const { size, batch } of REGIMES) {
    const results = new Map<TrainingTarget, WorkerResult[]>(SIDES.map((s) => [s, []]));
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        const { stdout } = await run(process.execPath, [fileURLToPath(import.meta.url), '--worker', side, String(size), String(batch), String(steps), String(threads)]);
        results.get(side)!.push(JSON.parse(stdout.trim().split('\n').pop()!) as WorkerResult);
      }
    }
    const [fused, portable] = SIDES.map((s) => results.get(s)!).map((r) => ({ wall: median(r.flatMap((x) => x.times)), cpu: median(r.flatMap((x) => x.cpu)) }));
    console.log(`b0 full step, ${size} px, batch ${batch}, ${threads} threads (${rounds} rounds of ${steps} steps): median wall fused ${fused.wall.toFixed(0)} ms, portable ${portable.wall.toFixed(0)} ms (×${(portable.wall / fused.wall).toFixed(2)}); `
      + `CPU time fused ${fused.cpu.toFixed(0)} ms, portable ${portable.cpu.toFixed(0)} ms (×${(portable.cpu / fused.cpu).toFixed(2)})`);
  }
}

/** Worker: times `steps` runs of the step graph built for `target` after the warm-up. */
async function workerMain([target, sizeText, batchText, stepsText, threadsText]: string[]): Promise<void> {
  const [size, batch, steps, threads] = [sizeText, batchText, stepsText, threadsText].map(Number);
  const net = buildNetwork(resolveConfig('efficientnet-b0', { imageSize: size }));
  const weights = initialWeights(net, 0);
  const random = new Random(1);
  const input = Float32Array.from({ length: batch * 3 * size * size }, () => random.normal());
  const targets = targetDistribution(Array.from({ length: batch }, () => random.integer(1000)), 1000, 0.1);
  const graph = buildTrainingGraph(net, weights, { batchSize: batch, target: target as TrainingTarget, nchwcBlock: await nchwcBlockSize() });
  const step = await TrainingStep.create(graph, { intraOpThreads: threads });
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < WARMUP + steps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await step.run({ input, targets, weights });
    const used = process.cpuUsage(c);
    if (i >= WARMUP) {
      times.push(performance.now() - t);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  await step.release();
  console.log(JSON.stringify({ times, cpu }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workerAt = process.argv.indexOf('--worker');
  if (workerAt >= 0) {
    await import('../src/node/register.js');
    await workerMain(process.argv.slice(workerAt + 1));
  } else {
    await benchForms();
  }
}

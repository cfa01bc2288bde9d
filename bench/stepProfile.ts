/**
 * onnxruntime's per-operator account of a full fine-tuning step, for the training benchmarks
 * (bench/train.ts: b0; bench/v2.ts: V2-S): the step compiled with profiling on, one warm-up run
 * and three profiled ones, the trace read into per-type times and removed.
 */
import type { NetworkSpec } from '../src/arch/network.js';
import type { OperatorAccount } from '../src/runtime/profile.js';
import type { RuntimeOptions } from '../src/runtime/session.js';
import type { FreezeSpec } from '../src/train/freeze.js';
import { createTrainingStep } from '../src/train/step.js';
import { targetDistribution } from '../src/train/targets.js';
import type { StateDict } from '../src/weights/tensor.js';
import { profilePrefix, readProfile } from './profiled.js';

/**
 * Profiles `net`'s training step on `input` [N, 3, H, W] with `labels` (label smoothing 0.1);
 * the account lists the `topNodes` slowest nodes (BENCH_NODES, default none) with their shapes.
 *
 * @example
 * const account = await profileStep(net, weights, 'none', input, labels, { intraOpThreads: 2 });
 */
export async function profileStep(
  net: NetworkSpec, weights: StateDict, freeze: FreezeSpec, input: Float32Array, labels: readonly number[], runtime: RuntimeOptions,
  topNodes = Number(process.env.BENCH_NODES ?? 0),
): Promise<OperatorAccount | undefined> {
  const prefix = profilePrefix('train');
  const step = await createTrainingStep(net, weights, { expectedBatchSize: labels.length, freeze }, { ...runtime, profileFilePrefix: prefix }); // the Trainer's graph
  const targets = targetDistribution(labels, net.fc!.outFeatures, 0.1);
  for (let i = 0; i < 1 + 3; i++) await step.run({ input, targets, weights });
  step.endProfiling();
  await step.release();
  return readProfile(prefix, 1, topNodes);
}

/**
 * Prints an account: the total, every operator type over half a millisecond, then the slowest
 * nodes it holds.
 *
 * @example
 * printAccount(account, 'V2-S at 128 px, batch 16');
 */
export function printAccount(account: OperatorAccount, what: string): void {
  console.log(`onnxruntime kernel time per ${what}: ${account.kernelMs.toFixed(1)} ms over ${account.runs} profiled runs`);
  for (const { op, ms, nodes } of account.perType) if (ms >= 0.5) console.log(`  ${op.padEnd(20)} ${ms.toFixed(1).padStart(7)} ms  ${String(nodes).padStart(4)} nodes`);
  if (account.perNode.length > 0) console.log(`slowest ${account.perNode.length} nodes:`);
  for (const { name, op, ms, inputs } of account.perNode) console.log(`  ${ms.toFixed(2).padStart(7)} ms  ${op.padEnd(14)} ${name.padEnd(28)} ${inputs}`);
}

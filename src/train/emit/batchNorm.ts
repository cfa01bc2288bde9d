/**
 * The forward of batch norm in training mode: normalise by the batch's statistics, in the form
 * ctx.forms asks for (./forms.ts), and hand them to the step's running-statistics update
 * (./runningStatistics.ts). Both forms give the batch mean and the biased variance [C] that the
 * backward in ./convBn.ts uses.
 */
import type { BatchNormLayer } from '../../arch/network.js';
import type { BatchCount, EmitContext } from './context.js';
import { channelSum } from './reduce.js';

export interface BatchStatistics {
  /** The normalised map [N, C, H, W]. */
  readonly y: string;
  /** Batch mean [C]. */
  readonly mean: string;
  /** Biased batch variance [C]. */
  readonly variance: string;
  /** 1/√(variance + ε) [C], when the form computed it on the way. */
  readonly rstd?: string;
}

/**
 * Batch norm over z [N, C, H, W] with the batch's statistics, which it hands to the step's
 * running-statistics update (./runningStatistics.ts).
 *
 * @example
 * const { y, mean, variance } = trainingBatchNorm(ctx, z, bn, gamma, beta, ctx.count(h * w)); // M = N·H·W
 */
export function trainingBatchNorm(ctx: EmitContext, z: string, bn: BatchNormLayer, gamma: string, beta: string, count: BatchCount): BatchStatistics {
  const stats = ctx.forms.batchNorm === 'fused' ? fused(ctx, z, bn, gamma, beta) : portable(ctx, z, bn, gamma, beta, count);
  ctx.batchStatistics({ bn, mean: stats.mean, variance: stats.variance, perSample: count.perSample });
  return stats;
}

/** One BatchNormalization (training_mode=1, momentum 0 so that its "running" outputs are the batch's). */
function fused(ctx: EmitContext, z: string, bn: BatchNormLayer, gamma: string, beta: string): BatchStatistics {
  const g = ctx.ops.g;
  const zeros = g.floats(`${bn.name}.zeros`, [bn.channels], new Float32Array(bn.channels));
  const [y, mean, variance] = g.nodeMulti('BatchNormalization', [z, gamma, beta, zeros, zeros], 3, {
    epsilon: { float: bn.eps }, momentum: { float: 0 }, training_mode: { int: 1 },
  }, [bn.name, `${bn.name}.batch_mean`, `${bn.name}.batch_var`]);
  // onnxruntime 1.30 reuses the buffers of these two outputs for later values unless they
  // are graph outputs (measured: wrong γ gradients otherwise), so they are exported.
  g.output(mean);
  g.output(variance);
  return { y, mean, variance };
}

/**
 * Two passes, as PyTorch does: the mean, then the sum of squares of the centred map over the
 * M = N·H·W values (no E[z²] − E[z]² cancellation); the centred map then goes through the per-channel affine
 * (γ/σ)·(z − μ) + β, one inference-form BatchNormalization.
 */
function portable(ctx: EmitContext, z: string, bn: BatchNormLayer, gamma: string, beta: string, count: BatchCount): BatchStatistics {
  const { ops } = ctx;
  const g = ops.g;
  const C = bn.channels;
  const axes = { axes: { ints: [0, 2, 3] } };
  const mean4 = g.node('ReduceMean', [z], { ...axes, keepdims: { int: 1 } }); // [1, C, 1, 1]
  const centred = ops.sub(z, mean4); // [N, C, H, W]
  const variance = ops.mul(g.node('ReduceSumSquare', [centred], { ...axes, keepdims: { int: 0 } }), count.inverse); // [C]
  const rstd = inverseStd(ctx, variance, bn); // [C]
  const y = ops.channelAffine(centred, ops.mul(gamma, rstd), beta, C);
  return { y, mean: ops.reshape(mean4, [C]), variance, rstd };
}

/**
 * 1/√(variance + ε) [C] of a batch-norm layer's variance [C].
 *
 * @example
 * const rstd = inverseStd(ctx, variance, bn);
 */
export function inverseStd(ctx: EmitContext, variance: string, bn: BatchNormLayer): string {
  const { ops } = ctx;
  return ops.g.node('Reciprocal', [ops.g.node('Sqrt', [ops.add(variance, ops.scalar(bn.eps))])]);
}

/** What the backward of batch norm needs from its forward. */
export interface BatchNormSaved {
  /** The map before batch norm [N, C, H, W]. */
  readonly z: string;
  readonly mean: string;
  readonly variance: string;
  readonly rstd?: string;
}

/**
 * The backward of batch norm as per-channel terms [C], so that the caller touches the full map
 * once: the true gradient of z is k1·(dy + a·z + b) (`a` and `b` only in training mode, where
 * the batch statistics depend on z), k1 = γ/σ. Declares the gradients of γ and β.
 *
 * `dotZ` is Σ dy·z [C] when the caller has it without a pass over the map (an expanding 1×1
 * layer reads it off Σ dy·xᵀ, ./expansion.ts); otherwise it is a Mul and a ReduceSum here.
 *
 * @example
 * const { k1, a, b } = batchNormBackward(ctx, bn, { z, mean, variance }, { gamma, beta }, dy, conv.outputSize, count);
 */
export function batchNormBackward(
  ctx: EmitContext, bn: BatchNormLayer, saved: BatchNormSaved, { gamma, beta }: { readonly gamma: string; readonly beta: string },
  dy: string, mapSize: readonly [number, number], count: BatchCount, dotZ?: string,
): { k1: string; a?: string; b?: string } {
  const { ops, tape } = ctx;
  const { mean, variance } = saved;
  const rstd = saved.rstd ?? inverseStd(ctx, variance, bn); // [C]
  const s1 = channelSum(ctx, dy, mapSize); // Σ dy, [C]
  const s2 = dotZ ?? channelSum(ctx, ops.mul(dy, saved.z), mapSize); // Σ dy·z, [C]
  const sxh = ops.mul(rstd, ops.sub(s2, ops.mul(mean, s1))); // Σ dy·ẑ, [C]
  if (tape.needsGrad(gamma)) tape.paramGrad(`${bn.name}.weight`, sxh);
  if (tape.needsGrad(beta)) tape.paramGrad(`${bn.name}.bias`, s1);
  const k1 = ops.mul(gamma, rstd); // [C]
  if (ctx.batchNorm !== 'train') return { k1 };
  const a = ops.mul(ops.mul(rstd, sxh), count.negInverse); // [C]
  const b = ops.sub(ops.mul(s1, count.negInverse), ops.mul(mean, a)); // [C]
  return { k1, a, b };
}

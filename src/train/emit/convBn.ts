/**
 * Convolution followed by batch norm, forward and backward, in the forms measured fastest on
 * onnxruntime's CPU:
 * - forward batch norm in training mode is ./batchNorm.ts (one fused BatchNormalization, or
 *   primitive operators where the provider lacks that kernel);
 * - backward batch norm is the per-channel affine dz = k1·(dy + a·z + b) with k1 = γ/σ
 *   (./batchNorm.ts forms the [C] terms), and k1 is folded into the convolution's weights for
 *   the input gradient and applied to the small weight gradient afterwards: exact for every γ,
 *   including 0; stride-1 depthwise layers on large maps form dz in blocked layout in one Conv;
 * - 1×1 convolutions are ./pointwise.ts (GEMMs over the batch at small maps, per-sample
 *   products at large ones), the SE gate folded in;
 * - expanding 1×1 layers never form z or dz over their wide output: batch norm folds into the
 *   convolution with statistics off the input's Gram matrix, and Σ dy·z is read off Σ dy·xᵀ
 *   (./expansion.ts);
 * - depthwise convolutions are ./depthwise.ts, dense k×k ones (the stem, Fused-MBConv's
 *   expansion) ./dense.ts.
 */
import type { ConvBn } from '../../arch/network.js';
import { batchNormBackward, trainingBatchNorm } from './batchNorm.js';
import type { EmitContext } from './context.js';
import { denseBackward, denseForward } from './dense.js';
import { toBlocked } from './blocked.js';
import {
  type DepthwiseForward, blockedAffineSum, blockedChannelSum, depthwiseBackward, depthwiseForward, takesBlockedGradient,
} from './depthwise.js';
import { type ExpansionForward, expands, expansionBackward, expansionDot, expansionForward } from './expansion.js';
import { type PointwiseForward, pointwiseBackward, pointwiseForward } from './pointwise.js';

/**
 * conv → batch norm, returning the normalised map [N, C_out, H', W'] (activation is the caller's).
 * With `gate` ([N, C_in, 1, 1], a 1×1 layer only) the input is scaled per sample and channel by
 * the gate inside the convolution's weights, never materialised.
 *
 * @example
 * const y = convBn(ctx, x, block.expand); // [N, C·e, H, W]
 */
export function convBn(ctx: EmitContext, x: string, { conv, bn }: ConvBn, gate?: string): string {
  const { ops, tape } = ctx;
  const g = ops.g;
  const C = conv.outChannels;
  const [oh, ow] = conv.outputSize;
  const weightKey = `${conv.name}.weight`;
  const w = ctx.param(weightKey); // [C_out, C_in/groups, k, k]
  const pointwise = conv.kernel === 1 && conv.groups === 1 && conv.stride === 1;
  const depthwise = conv.groups === C && conv.groups === conv.inChannels;
  if (gate && !pointwise) throw new Error(`${conv.name}: a gate folds only into a 1×1 convolution`);

  const gamma = ctx.param(`${bn.name}.weight`);
  const beta = ctx.param(`${bn.name}.bias`);
  const count = ctx.count(oh * ow); // M = N·H'·W': values per channel
  // An expanding 1×1 layer in training mode folds batch norm into itself: z is never formed.
  const expansion: ExpansionForward | undefined = ctx.batchNorm === 'train' && !gate && expands(conv)
    ? expansionForward(ctx, conv, bn, x, w, { gamma, beta }, count)
    : undefined;

  let forward: DepthwiseForward | undefined;
  let pointwiseResult: PointwiseForward | undefined;
  let z = ''; // [N, C_out, H', W'] (never formed when folded)
  if (expansion) { /* the fold reads the statistics off x */ }
  else if (pointwise) z = (pointwiseResult = pointwiseForward(ctx, x, w, conv, gate)).z;
  else if (depthwise) z = (forward = depthwiseForward(ctx, x, w, conv)).y;
  else z = denseForward(ctx, x, w, conv);

  let y: string;
  let mean: string;
  let variance: string;
  let rstd: string | undefined; // 1/√(variance + ε) [C], formed once
  if (expansion) {
    ({ y, mean, variance, rstd } = expansion);
  } else if (ctx.batchNorm === 'train') {
    ({ y, mean, variance, rstd } = trainingBatchNorm(ctx, z, bn, gamma, beta, count));
  } else {
    mean = ctx.param(`${bn.name}.running_mean`);
    variance = ctx.param(`${bn.name}.running_var`);
    y = g.node('BatchNormalization', [z, gamma, beta, mean, variance], { epsilon: { float: bn.eps } }, bn.name);
  }

  tape.record([x, w, gamma, beta, ...(gate ? [gate] : [])], [y], () => {
    const dy = tape.grad(y);
    if (!dy) return;
    // An expanding layer forms Σ dy·xᵀ for its weight gradient and reads Σ dy·z off it.
    const product = expansion && expansionDot(ctx, conv, x, w, dy);
    // A stride-1 depthwise layer takes dz blocked: dy is reordered once and dz formed there.
    const blocked = forward && takesBlockedGradient(ctx, conv, forward) ? { dy: toBlocked(g, dy), z: forward.blockedOutput! } : undefined;
    const dotZ = product?.dotZ ?? (blocked && blockedChannelSum(ctx, ops.mul(blocked.dy, blocked.z), conv));
    const { k1, a, b } = batchNormBackward(ctx, bn, { z, mean, variance, rstd }, { gamma, beta }, dy, conv.outputSize, count, dotZ);
    let dz = dy; // dz/k1, [N, C, H', W']
    if (a && b) {
      if (expansion && product) {
        const { dw, dx } = expansionBackward(ctx, conv, x, w, dy, a, b, k1, { weight: tape.needsGrad(w), input: tape.needsGrad(x) }, product.dyx, expansion);
        if (dw) tape.paramGrad(weightKey, dw);
        if (dx) tape.accumulate(x, dx);
        return;
      }
      if (!blocked) dz = ops.add(dy, ops.channelAffine(z, a, b, C));
    }
    const want = { weight: tape.needsGrad(w), input: tape.needsGrad(x), gate: gate !== undefined && tape.needsGrad(gate) };
    const { dw, dx, dgate }: { dw?: string; dx?: string; dgate?: string } = pointwiseResult
      ? pointwiseBackward(ctx, conv, x, pointwiseResult, w, dz, k1, gate, want)
      : forward
        ? depthwiseBackward(ctx, conv, x, forward, w, blocked ? { blocked: a && b ? blockedAffineSum(ctx, blocked.z, a, b, blocked.dy, conv) : blocked.dy } : { plain: dz }, k1, want)
        : denseBackward(ctx, conv, x, w, dz, k1, want);
    if (dw) tape.paramGrad(weightKey, dw);
    if (dx) tape.accumulate(x, dx);
    if (gate && dgate) tape.accumulate(gate, dgate);
  });
  return y;
}


/**
 * Convolution followed by batch norm, forward and backward, in the forms measured fastest on
 * onnxruntime's CPU:
 * - forward batch norm is one BatchNormalization (training_mode=1, momentum 0 so that its
 *   "running" outputs are the batch mean and biased variance);
 * - backward batch norm is the per-channel affine dz = k1·(dy + a·z + b) with k1 = γ/σ, and
 *   k1 is folded into the convolution's weights for the input gradient and applied to the
 *   small weight gradient afterwards: exact for every γ, including 0;
 * - 1×1 convolutions go backward as batched MatMuls, the SE gate folded into per-sample weights;
 * - depthwise input gradients are a Conv with flipped weights (stride 1), filter gradients an
 *   im2col by a one-hot Conv followed by one batched MatMul.
 */
import type { ConvBn, ConvLayer } from '../../arch/network.js';
import { type Attribute, NCHWC_DOMAIN } from '../../runtime/onnx/graph.js';
import type { EmitContext } from './context.js';

/** Conv attributes of `layer` (ONNX pads [top, left, bottom, right]). */
export function convAttributes(layer: ConvLayer, pads: readonly number[] = layer.pads): Record<string, Attribute> {
  return {
    kernel_shape: { ints: [layer.kernel, layer.kernel] },
    strides: { ints: [layer.stride, layer.stride] },
    pads: { ints: pads },
    group: { int: layer.groups },
  };
}

/**
 * A convolution; depthwise ones (channels a multiple of the NCHWc block) go through
 * onnxruntime's blocked kernel: 2–10× faster than the generic grouped Conv, reorders of the
 * map included.
 */
function conv2d(ctx: EmitContext, x: string, w: string, layer: ConvLayer, attributes: Record<string, Attribute>): string {
  const depthwise = layer.groups === layer.outChannels && layer.groups === layer.inChannels;
  if (!depthwise) return ctx.ops.g.node('Conv', [x, w], attributes);
  return depthwiseConv(ctx, x, w, layer.outChannels, [layer.kernel, layer.kernel], attributes);
}

/**
 * Depthwise Conv of x [N, C, H, W] with w [C, 1, kh, kw], through the NCHWc kernel when the
 * block divides C. That kernel takes the filter as an input in OIHWBo order.
 */
function depthwiseConv(ctx: EmitContext, x: string, w: string, channels: number, [kh, kw]: readonly [number, number], attributes: Record<string, Attribute>): string {
  const { ops } = ctx;
  const block = ctx.nchwcBlock;
  if (block === 0 || channels % block !== 0) return ops.g.node('Conv', [x, w], attributes);
  // [C, 1, kh, kw] → [C/B, 1, kh·kw, B]: each block of B channels interleaved per tap.
  const blocked = ops.reshape(ops.transposeLast(ops.reshape(w, [channels / block, block, kh * kw])), [channels, 1, kh, kw]);
  const [xb] = ops.g.nodeMulti('ReorderInput', [x], 1, {}, undefined, NCHWC_DOMAIN);
  const [yb] = ops.g.nodeMulti('Conv', [xb, blocked], 1, attributes, undefined, NCHWC_DOMAIN);
  return ops.g.nodeMulti('ReorderOutput', [yb], 1, { channels: { int: channels } }, undefined, NCHWC_DOMAIN)[0];
}

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
  if (gate && !pointwise) throw new Error(`${conv.name}: a gate folds only into a 1×1 convolution`);

  // [N, C_out, H', W']
  const z = gate
    ? ops.reshape(ops.matmul(ops.mul(ops.reshape(w, [1, C, conv.inChannels]), ops.reshape(gate, [-1, 1, conv.inChannels])), ops.reshape(x, [0, conv.inChannels, -1])), [-1, C, oh, ow])
    : conv2d(ctx, x, w, conv, convAttributes(conv));

  const gamma = ctx.param(`${bn.name}.weight`);
  const beta = ctx.param(`${bn.name}.bias`);
  let y: string;
  let mean: string;
  let variance: string;
  const count = ctx.batch * oh * ow; // M: values per channel
  if (ctx.batchNorm === 'train') {
    const zeros = g.floats(`${bn.name}.zeros`, [C], new Float32Array(C));
    [y, mean, variance] = g.nodeMulti('BatchNormalization', [z, gamma, beta, zeros, zeros], 3, {
      epsilon: { float: bn.eps }, momentum: { float: 0 }, training_mode: { int: 1 },
    }, [bn.name, `${bn.name}.batch_mean`, `${bn.name}.batch_var`]);
    // onnxruntime 1.30 reuses the buffers of these two outputs for later values unless they
    // are graph outputs (measured: wrong γ gradients otherwise), so they are exported.
    g.output(mean);
    g.output(variance);
    // PyTorch's convention: new = (1 − m)·old + m·batch, with the unbiased variance.
    const m = bn.momentum;
    const update = (role: string, batchValue: string) => {
      const key = `${bn.name}.${role}`;
      ctx.runningStat(key, ops.add(ops.mul(ctx.param(key), ops.scalar(1 - m)), ops.mul(batchValue, ops.scalar(m))));
    };
    update('running_mean', mean);
    update('running_var', ops.mul(variance, ops.scalar(count / (count - 1))));
  } else {
    mean = ctx.param(`${bn.name}.running_mean`);
    variance = ctx.param(`${bn.name}.running_var`);
    y = g.node('BatchNormalization', [z, gamma, beta, mean, variance], { epsilon: { float: bn.eps } }, bn.name);
  }

  tape.record([x, w, gamma, beta, ...(gate ? [gate] : [])], [y], () => {
    const dy = tape.grad(y);
    if (!dy) return;
    const rstd = g.node('Reciprocal', [g.node('Sqrt', [ops.add(variance, ops.scalar(bn.eps))])]); // [C]
    const s1 = ops.sum(dy, [0, 2, 3]); // Σ dy, [C]
    const s2 = ops.sum(ops.mul(dy, z), [0, 2, 3]); // Σ dy·z, [C]
    const sxh = ops.mul(rstd, ops.sub(s2, ops.mul(mean, s1))); // Σ dy·ẑ, [C]
    if (tape.needsGrad(gamma)) tape.paramGrad(`${bn.name}.weight`, sxh);
    if (tape.needsGrad(beta)) tape.paramGrad(`${bn.name}.bias`, s1);
    const k1 = ops.mul(gamma, rstd); // [C]
    let dz = dy; // dz/k1, [N, C, H', W']
    if (ctx.batchNorm === 'train') {
      const a = ops.mul(ops.mul(rstd, sxh), ops.scalar(-1 / count)); // [C]
      const b = ops.sub(ops.mul(s1, ops.scalar(-1 / count)), ops.mul(mean, a)); // [C]
      dz = ops.add(dy, ops.channelAffine(z, a, b, C));
    }
    convBackward(ctx, conv, x, w, dz, k1, gate);
  });
  return y;
}

/**
 * Gradients of a convolution given dz/k1 ([N, C_out, H', W']) and the per-output-channel
 * scale k1 [C_out]: the weight gradient (scaled after the reduction, on the small tensor) and
 * the input gradient (k1 folded into the weights).
 */
function convBackward(ctx: EmitContext, conv: ConvLayer, x: string, w: string, dz: string, k1: string, gate?: string): void {
  const { ops, tape } = ctx;
  const g = ops.g;
  const C = conv.outChannels;
  const cin = conv.inChannels;
  const k = conv.kernel;
  const [h, wd] = conv.inputSize;
  const [oh, ow] = conv.outputSize;
  const L = oh * ow;
  const weightKey = `${conv.name}.weight`;
  const wantWeight = tape.needsGrad(w);
  const wantInput = tape.needsGrad(x);
  const wantGate = gate !== undefined && tape.needsGrad(gate);
  const pointwise = conv.kernel === 1 && conv.groups === 1 && conv.stride === 1;

  if (pointwise) {
    const wk = ops.mul(ops.reshape(w, [C, cin]), ops.reshape(k1, [C, 1])); // [C_out, C_in]
    const dz3 = ops.reshape(dz, [-1, C, L]); // [N, C_out, L]
    if (gate) {
      const gate3 = ops.reshape(gate, [-1, 1, cin]); // [N, 1, C_in]
      if (wantInput) {
        const wkn = ops.mul(ops.reshape(wk, [1, C, cin]), gate3); // [N, C_out, C_in]
        tape.accumulate(x, ops.reshape(ops.matmul(ops.transposeLast(wkn), dz3), [-1, cin, h, wd]));
      }
      if (wantWeight || wantGate) {
        const perSample = ops.matmul(dz3, ops.transposeLast(ops.reshape(x, [-1, cin, L]))); // [N, C_out, C_in]
        if (wantWeight) tape.paramGrad(weightKey, ops.reshape(ops.mul(ops.sum(ops.mul(perSample, gate3), [0]), ops.reshape(k1, [C, 1])), [C, cin, 1, 1]));
        if (wantGate) tape.accumulate(gate, ops.reshape(ops.sum(ops.mul(perSample, wk), [1]), [-1, cin, 1, 1]));
      }
      return;
    }
    if (wantInput) tape.accumulate(x, ops.reshape(ops.matmul(ops.transpose(wk, [1, 0]), dz3), [-1, cin, h, wd]));
    if (wantWeight) {
      const perSample = ops.matmul(dz3, ops.transposeLast(ops.reshape(x, [-1, cin, L]))); // [N, C_out, C_in]
      tape.paramGrad(weightKey, ops.reshape(ops.mul(ops.sum(perSample, [0]), ops.reshape(k1, [C, 1])), [C, cin, 1, 1]));
    }
    return;
  }

  const depthwise = conv.groups === C && conv.groups === cin;
  const kk = k * k;
  const [top, left, bottom, right] = conv.pads;
  // Padded rows and columns the forward never reads (fewer than the stride).
  const unreadRows = h + top + bottom - ((oh - 1) * conv.stride + k);
  const unreadCols = wd + left + right - ((ow - 1) * conv.stride + k);
  if (wantWeight) {
    let raw: string; // Σ over the batch, [C_out, C_in/groups · k·k]
    const maps = ctx.batch * C;
    const blocked = ctx.nchwcBlock > 0 && maps % ctx.nchwcBlock === 0;
    if (depthwise && (blocked || k > 3 || conv.stride > 1) && unreadRows <= bottom && unreadCols <= right) {
      // dW[c] = Σ_n x[n, c] ⋆ dz[n, c]: one depthwise Conv over the N·C maps with dz as the
      // (dilated) filter. Through the NCHWc kernel 2–12× faster than im2col; without it,
      // still 2× faster for 5×5 and strided filters.
      const perMap = depthwiseConv(ctx, ops.reshape(x, [1, maps, h, wd]), ops.reshape(dz, [maps, 1, oh, ow]), maps, [oh, ow], {
        kernel_shape: { ints: [oh, ow] },
        dilations: { ints: [conv.stride, conv.stride] },
        pads: { ints: [top, left, bottom - unreadRows, right - unreadCols] },
        group: { int: maps },
      }); // [1, N·C, k, k]
      raw = ops.sum(ops.reshape(perMap, [-1, C, kk]), [0]);
    } else {
      // im2col by a one-hot k×k Conv over single channels: [N·C_in, k·k, H', W'].
      const patches = g.node('Conv', [ops.reshape(x, [-1, 1, h, wd]), ctx.im2col(k)], { ...convAttributes(conv), group: { int: 1 } });
      if (depthwise) {
        const perMap = ops.matmul(ops.reshape(patches, [-1, kk, L]), ops.reshape(dz, [-1, L, 1])); // [N·C, k·k, 1]
        raw = ops.sum(ops.reshape(perMap, [-1, C, kk]), [0]);
      } else {
        const cols = ops.reshape(patches, [-1, (cin / conv.groups) * kk, L]); // [N, C_in·k·k, L]
        raw = ops.sum(ops.matmul(ops.reshape(dz, [-1, C, L]), ops.transposeLast(cols)), [0]);
      }
    }
    tape.paramGrad(weightKey, ops.reshape(ops.mul(raw, ops.reshape(k1, [C, 1])), [C, cin / conv.groups, k, k]));
  }
  if (wantInput) {
    const wk = ops.mul(w, ops.reshape(k1, [C, 1, 1, 1])); // [C_out, C_in/groups, k, k]
    if (depthwise && conv.stride === 1) {
      // Correlation with the spatially flipped filter: about 4× faster than ConvTranspose.
      const flipped = g.node('Slice', [wk, ops.ints([-1, -1]), ops.ints([-(2 ** 31), -(2 ** 31)]), ops.ints([2, 3]), ops.ints([-1, -1])]);
      tape.accumulate(x, conv2d(ctx, dz, flipped, conv, convAttributes(conv, [k - 1 - top, k - 1 - left, k - 1 - bottom, k - 1 - right])));
    } else {
      // Padded rows the forward never read come back as output_padding (zeros).
      tape.accumulate(x, g.node('ConvTranspose', [dz, wk], { ...convAttributes(conv), output_padding: { ints: [unreadRows, unreadCols] } }));
    }
  }
}

/**
 * Depthwise convolution, forward and backward, on onnxruntime's blocked (NCHWc) CPU kernel
 * when the block divides the channels: that kernel takes the filter as an input (in OIHWBo
 * order) and runs 2–10× faster than the generic grouped Conv. The blocked copies of the input
 * (forward) and of dz (backward) are shared: the blocked layout of [N, C, H, W] is exactly
 * that of [1, N·C, H, W] and of an OIHWBo filter [N·C, 1, H, W], so the filter gradient
 * dW[c] = Σ_n x[n, c] ⋆ dz[n, c] is one more blocked Conv with no further copy.
 */
import type { ConvLayer } from '../../arch/network.js';
import { type Attribute, NCHWC_DOMAIN } from '../../runtime/onnx/graph.js';
import type { EmitContext } from './context.js';

/** What the forward leaves for the backward. */
export interface DepthwiseForward {
  /** [N, C, H', W'] */
  readonly y: string;
  /** The input in blocked layout, when the blocked kernel ran. */
  readonly blockedInput?: string;
}

/** Conv attributes of `layer` (ONNX pads [top, left, bottom, right]). *
 * @example
 * g.node('Conv', [x, w], convAttributes(layer));
 */
export function convAttributes(layer: ConvLayer, pads: readonly number[] = layer.pads): Record<string, Attribute> {
  return {
    kernel_shape: { ints: [layer.kernel, layer.kernel] },
    strides: { ints: [layer.stride, layer.stride] },
    pads: { ints: pads },
    group: { int: layer.groups },
  };
}

/**
 * Padded rows and columns the forward never reads (fewer than the stride): where the input
 * gradient needs ConvTranspose's output_padding and the filter gradient trims its padding.
 *
 * @example
 * unreadPadding(layer) // [0, 0] for every stride-1 layer
 */
export function unreadPadding(layer: ConvLayer): [number, number] {
  const [h, w] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const [top, left, bottom, right] = layer.pads;
  return [h + top + bottom - ((oh - 1) * layer.stride + layer.kernel), w + left + right - ((ow - 1) * layer.stride + layer.kernel)];
}

/**
 * The input gradient of a strided convolution: ConvTranspose of dz [N, C_out, H', W'] with the
 * (k1-scaled) filter; the unread padded rows come back as output_padding (zeros).
 *
 * @example
 * const dx = transposedConv(ctx, layer, dz, wk); // [N, C_in, H, W]
 */
export function transposedConv(ctx: EmitContext, layer: ConvLayer, dz: string, w: string): string {
  return ctx.ops.g.node('ConvTranspose', [dz, w], { ...convAttributes(layer), output_padding: { ints: unreadPadding(layer) } });
}

/** Whether the blocked kernel takes `channels`. */
export function blocks(ctx: EmitContext, channels: number): boolean {
  return ctx.nchwcBlock > 0 && channels % ctx.nchwcBlock === 0;
}

export function toBlocked(ctx: EmitContext, x: string): string {
  return ctx.ops.g.nodeMulti('ReorderInput', [x], 1, {}, undefined, NCHWC_DOMAIN)[0];
}

export function fromBlocked(ctx: EmitContext, x: string, channels: number): string {
  return ctx.ops.g.nodeMulti('ReorderOutput', [x], 1, { channels: { int: channels } }, undefined, NCHWC_DOMAIN)[0];
}

export function blockedConv(ctx: EmitContext, xb: string, filter: string, attributes: Record<string, Attribute>): string {
  return ctx.ops.g.nodeMulti('Conv', [xb, filter], 1, attributes, undefined, NCHWC_DOMAIN)[0];
}

/** [C, 1, k, k] → OIHWBo [C/B, 1, k·k, B] (shape kept): each block of B channels interleaved per tap. */
function blockedFilter(ctx: EmitContext, w: string, channels: number, k: number): string {
  const { ops } = ctx;
  const b = ctx.nchwcBlock;
  return ops.reshape(ops.transposeLast(ops.reshape(w, [channels / b, b, k * k])), [channels, 1, k, k]);
}

/**
 * The forward depthwise convolution x [N, C, H, W] → [N, C, H', W'].
 *
 * @example
 * const { y, blockedInput } = depthwiseForward(ctx, x, w, block.depthwise.conv);
 */
export function depthwiseForward(ctx: EmitContext, x: string, w: string, layer: ConvLayer): DepthwiseForward {
  const C = layer.outChannels;
  if (!blocks(ctx, C)) return { y: ctx.ops.g.node('Conv', [x, w], convAttributes(layer), layer.name) };
  const blockedInput = toBlocked(ctx, x);
  return { y: fromBlocked(ctx, blockedConv(ctx, blockedInput, blockedFilter(ctx, w, C, layer.kernel), convAttributes(layer)), C), blockedInput };
}

/**
 * Gradients of a depthwise convolution given dz/k1 [N, C, H', W'] and the per-channel scale
 * k1 [C]: returns dW [C, 1, k, k] (scaled after the batch reduction) and dX (k1 folded into
 * the filter), each only when asked for.
 *
 * @example
 * const { dw, dx } = depthwiseBackward(ctx, layer, x, forward, w, dz, k1, { weight: true, input: true });
 */
export function depthwiseBackward(
  ctx: EmitContext, layer: ConvLayer, x: string, forward: DepthwiseForward, w: string, dz: string, k1: string,
  want: { readonly weight: boolean; readonly input: boolean },
): { dw?: string; dx?: string } {
  const { ops } = ctx;
  const g = ops.g;
  const C = layer.outChannels;
  const k = layer.kernel;
  const s = layer.stride;
  const [h, wd] = layer.inputSize;
  const [oh, ow] = layer.outputSize;
  const [top, left, bottom, right] = layer.pads;
  const [unreadRows, unreadCols] = unreadPadding(layer);
  const maps = ctx.batch * C;
  const dzBlocked = forward.blockedInput ? toBlocked(ctx, dz) : undefined;
  const out: { dw?: string; dx?: string } = {};

  if (want.weight) {
    let perMap: string; // Σ_hw x ⋆ dz per map, [N·C, k·k]
    const correlation: Record<string, Attribute> = {
      kernel_shape: { ints: [oh, ow] },
      dilations: { ints: [s, s] },
      pads: { ints: [top, left, bottom - unreadRows, right - unreadCols] },
      group: { int: maps },
    };
    const fits = unreadRows <= bottom && unreadCols <= right;
    if (fits && forward.blockedInput && dzBlocked) {
      // dz as the (dilated) filter over the N·C maps: 2–12× faster than im2col.
      const yb = blockedConv(ctx, ops.reshape(forward.blockedInput, [1, maps, h, wd]), ops.reshape(dzBlocked, [maps, 1, oh, ow]), correlation);
      perMap = ops.reshape(fromBlocked(ctx, yb, maps), [-1, k * k]);
    } else if (fits && (k > 3 || s > 1)) {
      // The same correlation as a grouped Conv: 2× faster than im2col for 5×5 and strided filters.
      perMap = ops.reshape(g.node('Conv', [ops.reshape(x, [1, maps, h, wd]), ops.reshape(dz, [maps, 1, oh, ow])], correlation), [-1, k * k]);
    } else {
      // im2col by a one-hot k×k Conv over single channels [N·C, k·k, H', W'], then one batched MatMul.
      const patches = g.node('Conv', [ops.reshape(x, [-1, 1, h, wd]), ctx.im2col(k)], { ...convAttributes(layer), group: { int: 1 } });
      perMap = ops.reshape(ops.matmul(ops.reshape(patches, [-1, k * k, oh * ow]), ops.reshape(dz, [-1, oh * ow, 1])), [-1, k * k]);
    }
    const raw = ops.sum(ops.reshape(perMap, [-1, C, k * k]), [0]); // [C, k·k]
    out.dw = ops.reshape(ops.mul(raw, ops.reshape(k1, [C, 1])), [C, 1, k, k]);
  }
  if (want.input) {
    const wk = ops.mul(w, ops.reshape(k1, [C, 1, 1, 1])); // [C, 1, k, k]
    if (s === 1) {
      // Correlation with the spatially flipped filter: about 4× faster than ConvTranspose.
      const flipped = g.node('Slice', [wk, ops.ints([-1, -1]), ops.ints([-(2 ** 31), -(2 ** 31)]), ops.ints([2, 3]), ops.ints([-1, -1])]);
      const attributes = convAttributes(layer, [k - 1 - top, k - 1 - left, k - 1 - bottom, k - 1 - right]);
      out.dx = dzBlocked
        ? fromBlocked(ctx, blockedConv(ctx, dzBlocked, blockedFilter(ctx, flipped, C, k), attributes), C)
        : g.node('Conv', [dz, flipped], attributes);
    } else {
      out.dx = transposedConv(ctx, layer, dz, wk);
    }
  }
  return out;
}

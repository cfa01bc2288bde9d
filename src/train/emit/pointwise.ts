/**
 * 1×1 convolutions (optionally with the SE gate folded in), forward and backward, in one of two
 * exact forms chosen by map size (`rowForm`):
 * - map form, for large maps: the activations stay [N, C, L] (L = H·W) and the batch is a
 *   GEMM batch; the gate scales per-sample weights [N, C_out, C_in], and the weight gradient
 *   is formed per sample [N, C_out, C_in] and then summed over N;
 * - row form, for small maps: the activations are turned into rows [N·L, C] (free when L = 1),
 *   so that every product is one GEMM whose K is N·L: the weight gradient reduces over the batch
 *   inside the matrix product and the gate scales the rows, never a weight-sized tensor.
 */
import type { ConvLayer } from '../../arch/network.js';
import type { EmitContext } from './context.js';
import { batchSum } from './reduce.js';

/**
 * Whether the row form is the cheaper one: the per-sample tensors of the map form hold
 * C_out·C_in values a sample, the row form transposes L·(C_in + C_out) a sample. Depends on the
 * layer only, never on N (bench/train.ts measures both regimes).
 *
 * @example
 * rowForm(net.head.conv) // true for b0's 320 → 1280 head at 1×1 (32 px) and at 7×7 (224 px)
 */
export function rowForm(conv: ConvLayer): boolean {
  const [h, w] = conv.inputSize;
  return h * w * (conv.inChannels + conv.outChannels) < conv.inChannels * conv.outChannels;
}

/** What the forward of a 1×1 layer leaves for its backward. */
export interface PointwiseForward {
  /** [N, C_out, H, W] */
  readonly z: string;
  /** Row form: the input as rows [N·L, C_in], and scaled by the gate when there is one. */
  readonly rows?: { readonly x: string; readonly gated: string };
}

/** [N, C, H, W] → [N·L, C]. */
function toRows(ctx: EmitContext, v: string, channels: number, pixels: number): string {
  const { ops } = ctx;
  if (pixels === 1) return ops.reshape(v, [-1, channels]);
  return ops.reshape(ops.transposeLast(ops.reshape(v, [-1, channels, pixels])), [-1, channels]);
}

/** [N·L, C] → [N, C, H, W]. */
function toMaps(ctx: EmitContext, v: string, channels: number, [h, w]: readonly [number, number]): string {
  const { ops } = ctx;
  if (h * w === 1) return ops.reshape(v, [-1, channels, 1, 1]);
  return ops.reshape(ops.transposeLast(ops.reshape(v, [-1, h * w, channels])), [-1, channels, h, w]);
}

/**
 * The forward 1×1 convolution x [N, C_in, H, W] → z [N, C_out, H, W], the gate [N, C_in, 1, 1]
 * (when given) scaling the input channels per sample.
 *
 * @example
 * const { z, rows } = pointwiseForward(ctx, x, w, block.project.conv, gate);
 */
export function pointwiseForward(ctx: EmitContext, x: string, w: string, conv: ConvLayer, gate?: string): PointwiseForward {
  const { ops } = ctx;
  const C = conv.outChannels;
  const cin = conv.inChannels;
  const [h, wd] = conv.inputSize;
  const L = h * wd;
  if (rowForm(conv)) {
    const rows = toRows(ctx, x, cin, L); // [N·L, C_in]
    const gated = gate ? ops.reshape(ops.mul(ops.reshape(rows, [-1, L, cin]), ops.reshape(gate, [-1, 1, cin])), [-1, cin]) : rows;
    const z = ops.g.node('Gemm', [gated, ops.reshape(w, [C, cin])], { transB: { int: 1 } }); // [N·L, C_out]
    return { z: toMaps(ctx, z, C, conv.outputSize), rows: { x: rows, gated } };
  }
  if (!gate) return { z: ops.g.node('Conv', [x, w], {}, conv.name) };
  const perSample = ops.mul(ops.reshape(w, [1, C, cin]), ops.reshape(gate, [-1, 1, cin])); // [N, C_out, C_in]
  return { z: ops.reshape(ops.matmul(perSample, ops.reshape(x, [0, cin, -1])), [-1, C, h, wd]) };
}

/**
 * Gradients of a 1×1 convolution given dz/k1 [N, C_out, H, W] and the per-output-channel scale
 * k1 [C_out]: dW (scaled after the reduction), dX (k1 folded into the weights) and the gate's
 * gradient, each only when asked for.
 *
 * @example
 * const { dw, dx, dgate } = pointwiseBackward(ctx, conv, x, forward, w, dz, k1, gate, { weight: true, input: true, gate: true });
 */
export function pointwiseBackward(
  ctx: EmitContext, conv: ConvLayer, x: string, forward: PointwiseForward, w: string, dz: string, k1: string, gate: string | undefined,
  want: { readonly weight: boolean; readonly input: boolean; readonly gate: boolean },
): { dw?: string; dx?: string; dgate?: string } {
  const { ops } = ctx;
  const C = conv.outChannels;
  const cin = conv.inChannels;
  const [h, wd] = conv.inputSize;
  const L = h * wd;
  const column = (v: string) => ops.reshape(v, [C, 1]);
  const wk = ops.mul(ops.reshape(w, [C, cin]), column(k1)); // [C_out, C_in]
  const weightGrad = (raw: string) => ops.reshape(ops.mul(raw, column(k1)), [C, cin, 1, 1]); // raw [C_out, C_in]
  const out: { dw?: string; dx?: string; dgate?: string } = {};

  if (forward.rows) {
    const d = toRows(ctx, dz, C, L); // [N·L, C_out]
    if (want.weight) out.dw = weightGrad(ops.g.node('Gemm', [d, forward.rows.gated], { transA: { int: 1 } })); // K = N·L
    if (want.input || want.gate) {
      const u = ops.matmul(d, wk); // gradient of the gated rows, [N·L, C_in]
      const u3 = ops.reshape(u, [-1, L, cin]);
      if (want.input) out.dx = toMaps(ctx, gate ? ops.reshape(ops.mul(u3, ops.reshape(gate, [-1, 1, cin])), [-1, cin]) : u, cin, [h, wd]);
      if (gate && want.gate) out.dgate = ops.reshape(ops.sum(ops.mul(u3, ops.reshape(forward.rows.x, [-1, L, cin])), [1]), [-1, cin, 1, 1]);
    }
    return out;
  }

  const dz3 = ops.reshape(dz, [-1, C, L]); // [N, C_out, L]
  const gate3 = gate ? ops.reshape(gate, [-1, 1, cin]) : undefined; // [N, 1, C_in]
  if (want.input) {
    const dx3 = gate3
      ? ops.matmul(ops.transposeLast(ops.mul(ops.reshape(wk, [1, C, cin]), gate3)), dz3) // per-sample weights [N, C_in, C_out]
      : ops.matmul(ops.transpose(wk, [1, 0]), dz3);
    out.dx = ops.reshape(dx3, [-1, cin, h, wd]);
  }
  if (want.weight || (gate && want.gate)) {
    const perSample = ops.matmul(dz3, ops.transposeLast(ops.reshape(x, [-1, cin, L]))); // [N, C_out, C_in]
    if (want.weight) out.dw = weightGrad(batchSum(ctx, gate3 ? ops.mul(perSample, gate3) : perSample, [C, cin]));
    if (gate && want.gate) out.dgate = ops.reshape(ops.sum(ops.mul(perSample, wk), [1]), [-1, cin, 1, 1]);
  }
  return out;
}

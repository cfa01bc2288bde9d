/**
 * The network's other training rules: swish, squeeze-and-excitation, residual with drop
 * connect, pooling, dropout, the classifier and softmax cross-entropy, each with its backward.
 */
import type { ConvLayer, LinearLayer, MBConvBlock } from '../../arch/network.js';
import type { EmitContext } from './context.js';

/**
 * x·σ(x). The derivative s + y·(1 − s) is formed in the forward pass (only when a gradient
 * will need it), so the backward is one Mul. y as com.microsoft QuickGelu(x) (one read of x
 * instead of x and s) measured slower: b0 224 px batch 8, 401–444 ms a step against 354–372
 * (alternating profiles); its exp costs what the Mul's second read saved.
 *
 * @example
 * const y = swish(ctx, convBn(ctx, x, block.expand));
 */
export function swish(ctx: EmitContext, x: string): string {
  const { ops, tape } = ctx;
  const s = ops.g.node('Sigmoid', [x]);
  const y = ops.mul(x, s);
  if (tape.needsGrad(x)) {
    const derivative = ops.add(s, ops.mul(y, ops.sub(ops.scalar(1), s)));
    tape.record([x], [y], () => {
      const dy = tape.grad(y);
      if (dy) tape.accumulate(x, ops.mul(dy, derivative));
    });
  }
  return y;
}

/**
 * A 1×1 convolution with bias on a pooled map [N, C_in, 1, 1] → [N, C_out, 1, 1], as a Gemm.
 */
function pooledConv(ctx: EmitContext, x: string, layer: ConvLayer): string {
  const { ops, tape } = ctx;
  const w = ctx.param(`${layer.name}.weight`); // [C_out, C_in, 1, 1]
  const b = ctx.param(`${layer.name}.bias`); // [C_out]
  const x2 = ops.reshape(x, [-1, layer.inChannels]);
  const w2 = ops.reshape(w, [layer.outChannels, layer.inChannels]);
  const y = ops.reshape(ops.g.node('Gemm', [x2, w2, b], { transB: { int: 1 } }), [-1, layer.outChannels, 1, 1]);
  tape.record([x, w, b], [y], () => {
    const dy = tape.grad(y);
    if (!dy) return;
    const dy2 = ops.reshape(dy, [-1, layer.outChannels]); // [N, C_out]
    if (tape.needsGrad(w)) tape.paramGrad(`${layer.name}.weight`, ops.reshape(ops.g.node('Gemm', [dy2, x2], { transA: { int: 1 } }), [layer.outChannels, layer.inChannels, 1, 1]));
    if (tape.needsGrad(b)) tape.paramGrad(`${layer.name}.bias`, ops.sum(dy2, [0]));
    if (tape.needsGrad(x)) tape.accumulate(x, ops.reshape(ops.matmul(dy2, w2), [-1, layer.inChannels, 1, 1]));
  });
  return y;
}

/**
 * Global average pool [N, C, H, W] → [N, C, 1, 1]; its gradient is a broadcast [N, C, 1, 1]
 * that the next consumer (a Mul or Add) expands for free.
 *
 * @example
 * const pooled = averagePool(ctx, features, net.head.conv.outputSize); // [N, C, 1, 1]
 */
export function averagePool(ctx: EmitContext, x: string, size: readonly [number, number]): string {
  const { ops, tape } = ctx;
  const y = ops.g.node('GlobalAveragePool', [x]);
  tape.record([x], [y], () => {
    const dy = tape.grad(y);
    if (dy) tape.accumulate(x, ops.mul(dy, ops.scalar(1 / (size[0] * size[1]))));
  });
  return y;
}

/**
 * The squeeze-and-excitation gate σ(W_e·swish(W_r·pool(x) + b_r) + b_e), [N, C, 1, 1]; the
 * caller folds it into the projection.
 *
 * @example
 * const gate = seGate(ctx, x, block); // [N, C, 1, 1]
 */
export function seGate(ctx: EmitContext, x: string, block: MBConvBlock): string {
  const { ops, tape } = ctx;
  const se = block.se!;
  const pooled = averagePool(ctx, x, block.outputSize); // [N, C, 1, 1]
  const excited = pooledConv(ctx, swish(ctx, pooledConv(ctx, pooled, se.reduce)), se.expand); // [N, C, 1, 1]
  const gate = ops.g.node('Sigmoid', [excited]);
  tape.record([excited], [gate], () => {
    const dg = tape.grad(gate);
    if (dg) tape.accumulate(excited, ops.mul(dg, ops.mul(gate, ops.sub(ops.scalar(1), gate))));
  });
  return gate;
}

/**
 * x·mask with a per-sample or per-element mask already scaled by 1/keep (drop connect [N, 1, 1, 1],
 * dropout [N, C]).
 *
 * @example
 * x = masked(ctx, x, dropConnectMask); // mask [N, 1, 1, 1]
 */
export function masked(ctx: EmitContext, x: string, mask: string): string {
  const { ops, tape } = ctx;
  const y = ops.mul(x, mask);
  tape.record([x], [y], () => {
    const dy = tape.grad(y);
    if (dy) tape.accumulate(x, ops.mul(dy, mask));
  });
  return y;
}

/** a + b. *
 * @example
 * x = add(ctx, x, blockInput);
 */
export function add(ctx: EmitContext, a: string, b: string, name?: string): string {
  const { ops, tape } = ctx;
  const y = ops.g.node('Add', [a, b], {}, name);
  tape.record([a, b], [y], () => {
    const dy = tape.grad(y);
    if (!dy) return;
    tape.accumulate(a, dy);
    tape.accumulate(b, dy);
  });
  return y;
}

/** Flatten [N, C, 1, 1] → [N, C]. *
 * @example
 * const pooled = flatten(ctx, averagePool(ctx, features, size), 1280); // [N, 1280]
 */
export function flatten(ctx: EmitContext, x: string, channels: number): string {
  const { ops, tape } = ctx;
  const y = ops.reshape(x, [-1, channels]);
  tape.record([x], [y], () => {
    const dy = tape.grad(y);
    if (dy) tape.accumulate(x, ops.reshape(dy, [-1, channels, 1, 1]));
  });
  return y;
}

/** The classifier: x [N, C] → logits [N, K] = x·Wᵀ + b. *
 * @example
 * const logits = linear(ctx, pooled, net.fc); // [N, K]
 */
export function linear(ctx: EmitContext, x: string, fc: LinearLayer): string {
  const { ops, tape } = ctx;
  const w = ctx.param(`${fc.name}.weight`); // [K, C]
  const b = ctx.param(`${fc.name}.bias`); // [K]
  const y = ops.g.node('Gemm', [x, w, b], { transB: { int: 1 } }, 'logits_');
  tape.record([x, w, b], [y], () => {
    const dy = tape.grad(y);
    if (!dy) return;
    if (tape.needsGrad(w)) tape.paramGrad(`${fc.name}.weight`, ops.g.node('Gemm', [dy, x], { transA: { int: 1 } }));
    if (tape.needsGrad(b)) tape.paramGrad(`${fc.name}.bias`, ops.sum(dy, [0]));
    if (tape.needsGrad(x)) tape.accumulate(x, ops.matmul(dy, w));
  });
  return y;
}

/**
 * Mean softmax cross-entropy against target distributions q [N, K] (one-hot, or smoothed:
 * (1 − ε)·onehot + ε/K): loss = −Σ q·log softmax(z) / N, and dL/dz = (softmax(z) − q) / N.
 * Returns the scalar loss and dL/dz.
 *
 * @example
 * const { loss, dlogits } = softmaxCrossEntropy(ctx, logits, targets);
 * tape.backward(logits, dlogits);
 */
export function softmaxCrossEntropy(ctx: EmitContext, logits: string, targets: string): { loss: string; dlogits: string } {
  const { ops } = ctx;
  const logProbs = ctx.forms.logSoftmax === 'fused' ? ops.g.node('LogSoftmax', [logits], { axis: { int: 1 } }) : logSoftmax(ctx, logits); // [N, K]
  const loss = ops.mul(ops.sum(ops.mul(targets, logProbs), [0, 1]), ctx.count(1).negInverse); // []
  const dlogits = ops.mul(ops.sub(ops.g.node('Exp', [logProbs]), targets), ctx.count(1).inverse); // [N, K]
  return { loss, dlogits };
}

/**
 * log softmax over the classes of [N, K] from primitive operators: s = z − max(z), then
 * s − log Σ exp(s) (the max keeps exp from overflowing; the largest term of the sum is 1).
 */
function logSoftmax(ctx: EmitContext, logits: string): string {
  const { ops } = ctx;
  const g = ops.g;
  const shifted = ops.sub(logits, g.node('ReduceMax', [logits], { axes: { ints: [1] }, keepdims: { int: 1 } })); // [N, K]
  return ops.sub(shifted, g.node('Log', [ops.sum(g.node('Exp', [shifted]), [1], true)])); // [N, K] − [N, 1]
}

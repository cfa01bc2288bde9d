/**
 * Thin helpers over GraphBuilder for the training emitter: named operator shorthands and a
 * cache of small constants (shapes, axes, scalars), so the rules read like the maths.
 */
import type { GraphBuilder } from '../../runtime/onnx/graph.js';

/**
 * Operator shorthands for one graph.
 *
 * @example
 * const ops = new Ops(g);
 * const y = ops.reshape(ops.sum(x, [0, 2, 3]), [1, -1, 1, 1]);
 */
export class Ops {
  private readonly cache = new Map<string, string>();

  constructor(readonly g: GraphBuilder) {}

  /** A cached int64 vector constant (shapes, axes). */
  ints(values: readonly number[]): string {
    const id = `i:${values.join(',')}`;
    let name = this.cache.get(id);
    if (!name) this.cache.set(id, (name = this.g.int64s('shape', values)));
    return name;
  }

  /** A cached float32 scalar. */
  scalar(value: number): string {
    const id = `f:${value}`;
    let name = this.cache.get(id);
    if (!name) this.cache.set(id, (name = this.g.floats('scalar', [], [value])));
    return name;
  }

  /** A cached float32 vector of `length` copies of `value`. */
  filled(value: number, length: number): string {
    const id = `v:${value}x${length}`;
    let name = this.cache.get(id);
    if (!name) this.cache.set(id, (name = this.g.floats('filled', [length], new Float32Array(length).fill(value))));
    return name;
  }

  /**
   * a·x + b per channel of [N, C, H, W] in one pass: BatchNormalization with mean 0, variance 1
   * and ε 0 (a Mul and an Add cost two passes over the map).
   */
  channelAffine(x: string, a: string, b: string, channels: number): string {
    return this.g.node('BatchNormalization', [x, a, b, this.filled(0, channels), this.filled(1, channels)], { epsilon: { float: 0 } });
  }

  reshape(x: string, shape: readonly number[]): string {
    return this.g.node('Reshape', [x, this.ints(shape)]);
  }

  /** ReduceSum over `axes` (opset 13+: axes are an input). */
  sum(x: string, axes: readonly number[], keepDims = false): string {
    return this.g.node('ReduceSum', [x, this.ints(axes)], { keepdims: { int: keepDims ? 1 : 0 } });
  }

  mul(a: string, b: string): string {
    return this.g.node('Mul', [a, b]);
  }

  add(a: string, b: string): string {
    return this.g.node('Add', [a, b]);
  }

  sub(a: string, b: string): string {
    return this.g.node('Sub', [a, b]);
  }

  matmul(a: string, b: string): string {
    return this.g.node('MatMul', [a, b]);
  }

  /** Swaps the last two axes of a rank-3 tensor. */
  transposeLast(x: string): string {
    return this.g.node('Transpose', [x], { perm: { ints: [0, 2, 1] } });
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.g.node('Transpose', [x], { perm: { ints: perm } });
  }
}

/**
 * Reverse-mode autodiff over ONNX values: every forward rule records a closure that emits its
 * backward nodes; `backward()` replays them in reverse, summing the gradients of values used
 * more than once. Values that no trainable parameter reaches carry no gradient and get no
 * backward work.
 */
import type { GraphBuilder } from '../runtime/onnx/graph.js';

/**
 * The tape of one training graph.
 *
 * @example
 * const tape = new Tape(g);
 * tape.markDifferentiable(weight);
 * // ... rules call tape.record(...) ...
 * tape.backward(logits, dlogits);
 */
export class Tape {
  private readonly closures: (() => void)[] = [];
  private readonly grads = new Map<string, string>();
  private readonly differentiable = new Set<string>();
  /** Parameter key → value holding its gradient, in the order the backward emits them. */
  readonly paramGrads = new Map<string, string>();

  constructor(readonly g: GraphBuilder) {}

  /** Marks `value` as depending on a trainable parameter. */
  markDifferentiable(value: string): string {
    this.differentiable.add(value);
    return value;
  }

  /** Whether a gradient flows into `value`. */
  needsGrad(value: string): boolean {
    return this.differentiable.has(value);
  }

  /** Records a backward closure for `outputs`, which need gradients when any of `inputs` does. */
  record(inputs: readonly string[], outputs: readonly string[], backward: () => void): boolean {
    if (!inputs.some((v) => this.differentiable.has(v))) return false;
    for (const o of outputs) this.differentiable.add(o);
    this.closures.push(backward);
    return true;
  }

  /** The gradient reaching `value` so far (undefined when nothing downstream used it). */
  grad(value: string): string | undefined {
    return this.grads.get(value);
  }

  /** Adds `grad` to the gradient of `value` (broadcasting, so a pooled gradient may join a map's). */
  accumulate(value: string, grad: string): void {
    if (!this.differentiable.has(value)) return;
    const existing = this.grads.get(value);
    this.grads.set(value, existing ? this.g.node('Add', [existing, grad]) : grad);
  }

  /** Registers the gradient of parameter `key`. */
  paramGrad(key: string, grad: string): void {
    if (this.paramGrads.has(key)) throw new Error(`gradient of '${key}' emitted twice`);
    this.paramGrads.set(key, grad);
  }

  /** Seeds the gradient of `value` and runs every recorded closure in reverse. */
  backward(value: string, seed: string): void {
    this.grads.set(value, seed);
    for (let i = this.closures.length - 1; i >= 0; i--) this.closures[i]();
  }
}

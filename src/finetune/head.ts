/**
 * Head-only training on pooled features: the classifier is one linear layer, so its forward,
 * softmax cross-entropy and gradients are a few loops here, with the same optimizers and
 * schedules as the Trainer. The frozen backbone runs once per image in the inference graph
 * (or never again, when its features are cached).
 */
import { InputShapeError } from '../errors.js';
import { createOptimizer, type Optimizer, type OptimizerOptions, type OptimizerState } from '../train/optimizers.js';
import { constantRate, type Schedule } from '../train/schedules.js';
import { targetDistribution } from '../train/targets.js';
import { logSumExp } from '../util/scores.js';

export interface HeadState {
  readonly step: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly optimizer: OptimizerState;
}

/**
 * A linear classifier [K, C] + [K] trained by softmax cross-entropy (optional label smoothing).
 *
 * @example
 * const head = new HeadTrainer(fcWeight, fcBias, { optimizer: { kind: 'adam' }, learningRate: 1e-3 });
 * const { loss, logits } = head.step(features, labels); // features [N, C], logits [N, K]
 */
export class HeadTrainer {
  readonly classes: number;
  readonly channels: number;
  private readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  private steps = 0;

  constructor(
    /** [K, C], updated in place. */
    readonly weight: Float32Array,
    /** [K], updated in place. */
    readonly bias: Float32Array,
    private readonly options: { optimizer: OptimizerOptions; learningRate: Schedule | number; labelSmoothing?: number },
  ) {
    this.classes = bias.length;
    this.channels = weight.length / bias.length;
    this.optimizer = createOptimizer(options.optimizer);
    this.schedule = typeof options.learningRate === 'number' ? constantRate(options.learningRate) : options.learningRate;
  }

  /** Logits [N, K] of features [N, C]. */
  logits(features: Float32Array): Float32Array {
    const { classes: k, channels: c } = this;
    const n = features.length / c;
    if (!Number.isInteger(n)) throw new InputShapeError(`features have ${features.length} values, not a whole number of rows of ${c}`);
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const row = features.subarray(i * c, (i + 1) * c);
      for (let j = 0; j < k; j++) {
        const w = this.weight.subarray(j * c, (j + 1) * c);
        let sum = this.bias[j];
        for (let x = 0; x < c; x++) sum += row[x] * w[x];
        out[i * k + j] = sum;
      }
    }
    return out;
  }

  /** One optimizer step on features [N, C] and class indices [N]. */
  step(features: Float32Array, labels: ArrayLike<number>): { loss: number; logits: Float32Array; learningRate: number } {
    const { classes: k, channels: c } = this;
    const logits = this.logits(features);
    const n = labels.length;
    const targets = targetDistribution(labels, k, this.options.labelSmoothing ?? 0); // [N, K]
    const dLogits = new Float32Array(n * k); // (softmax − target) / N
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * k, (i + 1) * k);
      const logSum = logSumExp(row);
      for (let j = 0; j < k; j++) {
        const t = targets[i * k + j];
        loss -= t * (row[j] - logSum);
        dLogits[i * k + j] = (Math.exp(row[j] - logSum) - t) / n;
      }
    }
    const dWeight = new Float32Array(k * c);
    const dBias = new Float32Array(k);
    for (let i = 0; i < n; i++) {
      const row = features.subarray(i * c, (i + 1) * c);
      for (let j = 0; j < k; j++) {
        const g = dLogits[i * k + j];
        dBias[j] += g;
        const dw = dWeight.subarray(j * c, (j + 1) * c);
        for (let x = 0; x < c; x++) dw[x] += g * row[x];
      }
    }
    const learningRate = this.schedule(this.steps);
    this.optimizer.step(new Map([['weight', this.weight], ['bias', this.bias]]), new Map([['weight', dWeight], ['bias', dBias]]), learningRate);
    this.steps++;
    return { loss: loss / n, logits, learningRate };
  }

  /** A deep copy of everything that changes. */
  state(): HeadState {
    return { step: this.steps, weight: this.weight.slice(), bias: this.bias.slice(), optimizer: this.optimizer.state() };
  }

  /** Restores a state from `state()`. */
  loadState(state: HeadState): void {
    this.weight.set(state.weight);
    this.bias.set(state.bias);
    this.optimizer.loadState(state.optimizer);
    this.steps = state.step;
  }
}

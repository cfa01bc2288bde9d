/**
 * The training loop's unit: one step is forward, loss, gradients (the ONNX training graph),
 * running-statistic updates, optional clipping, the optimizer, and the EMA. Everything that
 * changes lives in `state()`, so a run resumes bit for bit.
 */
import type { NetworkSpec } from '../arch/network.js';
import { stateDictSpec } from '../arch/parameters.js';
import { InputShapeError } from '../errors.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Random } from '../util/random.js';
import { type StateDict, floatTensor, int64Tensor } from '../weights/tensor.js';
import { clipGradNorm, updateEma } from './averaging.js';
import type { BatchNormMode } from './emit/context.js';
import { type FreezeSpec, trainablePart } from './freeze.js';
import { drawMask } from './masks.js';
import { type Optimizer, type OptimizerOptions, type OptimizerState, createOptimizer } from './optimizers.js';
import { type Schedule, constantRate } from './schedules.js';
import { type TrainingStep, createTrainingStep } from './step.js';
import { targetDistribution } from './targets.js';

export interface TrainerOptions {
  readonly optimizer: OptimizerOptions;
  /** Learning rate per step (0-based), or a constant. */
  readonly learningRate: Schedule | number;
  readonly freeze?: FreezeSpec;
  /** Default 'train'. */
  readonly batchNorm?: BatchNormMode;
  /** Default 0. */
  readonly labelSmoothing?: number;
  /** Dropout before the classifier at the config's rate. Default true. */
  readonly dropout?: boolean;
  /** Drop connect at the config's rates. Default true. */
  readonly dropConnect?: boolean;
  /** Keep an exponential moving average of the weights with this decay. */
  readonly emaDecay?: number;
  /** Clip gradients to this global L2 norm. */
  readonly clipGradNorm?: number;
  /** Seed of the mask generator. Default 0. */
  readonly seed?: number;
  /**
   * The batch size most steps run at, which the compiled step is tuned for; any other size
   * still runs through the same step. Default: the first batch's size.
   */
  readonly batchSize?: number;
  readonly runtime?: RuntimeOptions;
}

export interface TrainingBatch {
  /** [N, C, H, W] */
  readonly input: Float32Array;
  /** Class indices [N], or target distributions [N, K]. */
  readonly labels: ArrayLike<number | bigint> | Float32Array;
}

export interface StepOutcome {
  readonly loss: number;
  /** [N, K] */
  readonly logits: Float32Array;
  readonly learningRate: number;
  /** Global gradient norm before clipping (when clipping is on). */
  readonly gradNorm?: number;
}

/** Everything that changes during training, for exact resume. */
export interface TrainerState {
  readonly step: number;
  /** Every tensor the trainer updates (trainable weights, running statistics, batch counters). */
  readonly weights: ReadonlyMap<string, Float32Array | BigInt64Array>;
  readonly optimizer: OptimizerState;
  readonly ema?: ReadonlyMap<string, Float32Array>;
  /** The mask generator's state. */
  readonly random: readonly number[];
}

/**
 * Trains a network in place on batches.
 *
 * @example
 * const trainer = await Trainer.create(net, weights, { optimizer: { kind: 'sgd', momentum: 0.9 }, learningRate: 0.01, freeze: { stages: 2 } });
 * const { loss } = await trainer.step({ input, labels });
 */
export class Trainer {
  /** The one compiled step, built at the first batch's size and serving every size. */
  private compiled?: Promise<TrainingStep>;
  private tunedFor?: number;
  private readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  private random: Random;
  private stepCount = 0;
  private ema?: Map<string, Float32Array>;

  private constructor(
    readonly network: NetworkSpec,
    /** Current weights: the trainer's own copies of every tensor it changes. */
    private readonly current: StateDict,
    private readonly options: TrainerOptions,
    /** Keys the trainer updates, in state-dict order. */
    private readonly updated: readonly string[],
    private readonly trainable: readonly string[],
  ) {
    this.optimizer = createOptimizer(options.optimizer);
    this.schedule = typeof options.learningRate === 'number' ? constantRate(options.learningRate) : options.learningRate;
    this.random = new Random(options.seed ?? 0);
    if (options.emaDecay !== undefined) this.ema = new Map(this.updated.filter((k) => this.floats(k)).map((k) => [k, this.floats(k)!.slice()]));
  }

  /** Builds the trainer (its graph compiles at the first step); `weights` are copied where training changes them, never modified. */
  static async create(network: NetworkSpec, weights: StateDict, options: TrainerOptions): Promise<Trainer> {
    const trainable = new Set(trainablePart(network, options.freeze).keys);
    const specs = stateDictSpec(network);
    // Batch norms that train update their running statistics and batch counter.
    const bnModules = new Set((options.batchNorm ?? 'train') === 'train' ? specs.filter((p) => p.kind === 'bn' && trainable.has(p.key)).map((p) => p.module) : []);
    const updated = specs.filter((p) => trainable.has(p.key) || (p.role !== 'weight' && p.role !== 'bias' && bnModules.has(p.module))).map((p) => p.key);
    const current: StateDict = new Map(weights);
    for (const key of updated) {
      const t = weights.get(key);
      if (!t) throw new InputShapeError(`weights have no tensor '${key}'`);
      current.set(key, t.dtype === 'float32' ? floatTensor(t.shape, t.data.slice()) : int64Tensor(t.shape, t.data.slice()));
    }
    return new Trainer(network, current, options, updated, updated.filter((k) => trainable.has(k)));
  }

  /** The current weights (live: later steps change them). */
  get weights(): StateDict {
    return this.current;
  }

  /** The EMA weights as a full state dict (undefined without emaDecay). */
  emaWeights(): StateDict | undefined {
    if (!this.ema) return undefined;
    const out: StateDict = new Map(this.current);
    for (const [key, values] of this.ema) out.set(key, floatTensor(this.current.get(key)!.shape, values.slice()));
    return out;
  }

  /** Steps taken. */
  get stepsTaken(): number {
    return this.stepCount;
  }

  /** One training step on a batch. */
  async step(batch: TrainingBatch): Promise<StepOutcome> {
    const fc = this.network.fc!;
    const [channels, height, width] = [this.network.config.inChannels, ...this.network.config.imageSize];
    const n = batch.input.length / (channels * height * width);
    if (!Number.isInteger(n) || n < 1) throw new InputShapeError(`input has ${batch.input.length} values, not a whole number of [${channels}, ${height}, ${width}] images`);
    const targets = batch.labels instanceof Float32Array && batch.labels.length === n * fc.outFeatures
      ? batch.labels
      : targetDistribution(batch.labels, fc.outFeatures, this.options.labelSmoothing ?? 0);
    if (targets.length !== n * fc.outFeatures) throw new InputShapeError(`${batch.labels.length} labels for ${n} images`);
    const step = await this.session(n);
    const masks = Object.fromEntries(step.graph.masks.map((m) => [m.name, drawMask(this.random, m, n)]));
    const result = await step.run({ input: batch.input, targets, weights: this.current, masks });

    for (const [key, value] of result.runningStats) this.floats(key)!.set(value);
    for (const key of this.updated) {
      const t = this.current.get(key)!;
      if (t.dtype === 'int64') t.data[0] += 1n; // num_batches_tracked, as PyTorch counts
    }
    const gradNorm = this.options.clipGradNorm !== undefined ? clipGradNorm(result.gradients, this.options.clipGradNorm) : undefined;
    const learningRate = this.schedule(this.stepCount);
    const params = new Map(this.trainable.map((k) => [k, this.floats(k)!]));
    this.optimizer.step(params, result.gradients, learningRate);
    if (this.ema) updateEma(this.ema, new Map([...this.ema.keys()].map((k) => [k, this.floats(k)!])), this.options.emaDecay!);
    this.stepCount++;
    return { loss: result.loss, logits: result.logits, learningRate, gradNorm };
  }

  /** A deep copy of everything that changes. */
  state(): TrainerState {
    return {
      step: this.stepCount,
      weights: new Map(this.updated.map((k) => [k, this.current.get(k)!.data.slice()])),
      optimizer: this.optimizer.state(),
      ema: this.ema ? new Map([...this.ema].map(([k, v]) => [k, v.slice()])) : undefined,
      random: this.random.state(),
    };
  }

  /** Restores a state from `state()` of a trainer built with the same network and options. */
  loadState(state: TrainerState): void {
    const missing = this.updated.filter((k) => !state.weights.has(k));
    if (missing.length > 0) throw new InputShapeError(`trainer state lacks ${missing.join(', ')}`);
    for (const key of this.updated) {
      const t = this.current.get(key)!;
      const values = state.weights.get(key)!;
      if (values.length !== t.data.length) throw new InputShapeError(`trainer state '${key}' has ${values.length} values, expected ${t.data.length}`);
      (t.data as Float32Array | BigInt64Array).set(values as never);
    }
    this.optimizer.loadState(state.optimizer);
    if (this.ema && state.ema) this.ema = new Map([...state.ema].map(([k, v]) => [k, v.slice()]));
    this.random = new Random(state.random);
    this.stepCount = state.step;
  }

  /**
   * The batch size the compiled step runs fastest at (`options.batchSize`, or else the first
   * batch's size); undefined before the first step.
   *
   * @example
   * await trainer.step(batch); trainer.tunedBatchSize; // 32
   */
  get tunedBatchSize(): number | undefined {
    return this.tunedFor;
  }

  /** Frees the compiled step. */
  async dispose(): Promise<void> {
    const step = this.compiled;
    this.compiled = undefined;
    if (step) await (await step.catch(() => undefined))?.release();
  }

  private floats(key: string): Float32Array | undefined {
    const t = this.current.get(key);
    return t?.dtype === 'float32' ? t.data : undefined;
  }

  /**
   * The compiled step: its batch dimension is symbolic, and it runs fastest at
   * `options.batchSize`, or else at the first batch's size `n` (a fit's full batch; its last,
   * smaller batch runs through the same graph).
   */
  private session(n: number): Promise<TrainingStep> {
    if (!this.compiled) {
      this.tunedFor = this.options.batchSize ?? n;
      this.compiled = createTrainingStep(this.network, this.current, {
        expectedBatchSize: this.tunedFor,
        freeze: this.options.freeze,
        batchNorm: this.options.batchNorm,
        dropout: this.options.dropout ?? true,
        dropConnect: this.options.dropConnect ?? true,
      }, this.options.runtime);
      this.compiled.catch(() => { this.compiled = undefined; }); // a failed build is retried at the next step
    }
    return this.compiled;
  }
}

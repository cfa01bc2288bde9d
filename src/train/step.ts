/**
 * Runs a training graph: feeds the weights by checkpoint key, the batch, the targets, the
 * im2col kernels and the masks, and returns loss, logits, gradients and new running statistics.
 */
import { InputShapeError } from '../errors.js';
import type { NetworkSpec } from '../arch/network.js';
import { Session, nchwcBlockSize, type RuntimeOptions, type TensorValue } from '../runtime/session.js';
import type { StateDict, Tensor } from '../weights/tensor.js';
import { trainingTarget } from './emit/forms.js';
import { GRADIENT_PREFIX, RUNNING_STAT_PREFIX, batchDims, buildTrainingGraph, im2colKernel, type TrainingGraph, type TrainingGraphOptions } from './trainingGraph.js';

export interface StepFeeds {
  /** [N, C, H, W] */
  readonly input: Float32Array;
  /** Target distributions [N, K]. */
  readonly targets: Float32Array;
  /** Current values of every key in `graph.weightInputs`. */
  readonly weights: ReadonlyMap<string, Tensor | Float32Array>;
  /** Mask name → values (0 or 1/keep), for every mask of the graph. */
  readonly masks?: Readonly<Record<string, Float32Array>>;
}

export interface StepResult {
  readonly loss: number;
  /** [N, K] */
  readonly logits: Float32Array;
  /** Trainable key → gradient (same layout as the weight). */
  readonly gradients: Map<string, Float32Array>;
  /** Running-statistic key → its new value. */
  readonly runningStats: Map<string, Float32Array>;
}

/**
 * A compiled training step.
 *
 * @example
 * const step = await TrainingStep.create(buildTrainingGraph(net, weights, { batchSize: 8 }), { intraOpThreads: 2 });
 * const { loss, gradients } = await step.run({ input, targets, weights });
 */
export class TrainingStep {
  private readonly kernels: Record<string, TensorValue>;

  private constructor(
    readonly graph: TrainingGraph,
    private readonly session: Session,
  ) {
    this.kernels = Object.fromEntries(graph.im2colKernels.map((k) => [`im2col.k${k}`, { type: 'float32', dims: [k * k, 1, k, k], data: im2colKernel(k) } as TensorValue]));
  }

  /** Compiles the graph; onnxruntime's up-front memory plan is off unless asked for (it costs 0.8 GB for b0 at batch 8). */
  static async create(graph: TrainingGraph, runtime: RuntimeOptions = {}): Promise<TrainingStep> {
    return new TrainingStep(graph, await Session.create(graph.model, { memoryPattern: false, ...runtime }));
  }

  /** The execution provider that runs the step (the first of the runtime's that was available). */
  get provider(): string {
    return this.session.provider;
  }

  /** Runs the step on a batch of any size N (or the graph's fixed one). */
  async run(feeds: StepFeeds): Promise<StepResult> {
    const { graph } = this;
    const declared = graph.inputShapes.get('input')!; // [N, C, H, W]
    const n = feeds.input.length / size(declared.slice(1) as number[]);
    if (!Number.isInteger(n) || n < 1 || (graph.batchSize !== undefined && n !== graph.batchSize)) {
      throw new InputShapeError(`input has ${feeds.input.length} values; the step was built for [${declared.join(', ')}]`);
    }
    const inputDims = batchDims(declared, n);
    const targetDims = batchDims(graph.inputShapes.get('targets')!, n);
    if (feeds.targets.length !== size(targetDims)) throw new InputShapeError(`targets have ${feeds.targets.length} values; the step was built for [${targetDims.join(', ')}]`);
    const values: Record<string, TensorValue> = {
      ...this.kernels,
      input: { type: 'float32', dims: inputDims, data: feeds.input },
      targets: { type: 'float32', dims: targetDims, data: feeds.targets },
    };
    for (const key of graph.weightInputs) {
      const w = feeds.weights.get(key);
      const data = w instanceof Float32Array ? w : w?.dtype === 'float32' ? w.data : undefined;
      if (!data) throw new InputShapeError(`weights have no float tensor '${key}'`);
      values[key] = { type: 'float32', dims: graph.inputShapes.get(key) as number[], data };
    }
    for (const mask of graph.masks) {
      const data = feeds.masks?.[mask.name];
      const dims = batchDims(mask.shape, n);
      if (!data || data.length !== size(dims)) throw new InputShapeError(`the step needs mask '${mask.name}' [${dims.join(', ')}]${data ? `, not ${data.length} values` : ''}`);
      values[mask.name] = { type: 'float32', dims, data };
    }
    const out = await this.session.run(values);
    const floats = (name: string) => out[name].data as Float32Array;
    return {
      loss: floats('loss')[0],
      logits: floats('logits'),
      gradients: new Map(graph.trainable.map((k) => [k, floats(`${GRADIENT_PREFIX}${k}`)])),
      runningStats: new Map(graph.runningStats.map((k) => [k, floats(`${RUNNING_STAT_PREFIX}${k}`)])),
    };
  }

  /** Ends profiling (when the runtime options asked for it) and returns the profile's path. */
  endProfiling(): string | undefined {
    return this.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Builds the training graph for the execution provider that runs it and compiles it: the
 * first of `runtime.executionProviders` (default ['cpu']) gets the forms it has kernels for
 * (./emit/forms.ts; on the CPU provider also its NCHWc depthwise kernel). When that provider is
 * unavailable here and the session falls back to a later one, the graph is rebuilt for the
 * provider actually used.
 *
 * @example
 * const step = await createTrainingStep(net, weights, { batchSize: 8 }, { intraOpThreads: 2 });
 * step.graph.target // 'cpu'
 */
export async function createTrainingStep(net: NetworkSpec, weights: StateDict, options: Omit<TrainingGraphOptions, 'nchwcBlock' | 'target'>, runtime: RuntimeOptions = {}): Promise<TrainingStep> {
  const providers = runtime.executionProviders ?? ['cpu'];
  const build = async (provider: string) => {
    const target = trainingTarget(provider);
    return buildTrainingGraph(net, weights, { ...options, target, nchwcBlock: target === 'cpu' ? await nchwcBlockSize() : 0 });
  };
  const step = await TrainingStep.create(await build(providers[0] ?? 'cpu'), runtime);
  if (trainingTarget(step.provider) === step.graph.target) return step;
  await step.release();
  return TrainingStep.create(await build(step.provider), { ...runtime, executionProviders: providers.slice(providers.indexOf(step.provider)) });
}

function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

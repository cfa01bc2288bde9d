/**
 * One forward and backward pass of a loaded model on a batch: the loss and every trainable
 * parameter's gradient, under the checkpoint's own key names. What `efficientnet gradients`
 * runs, and how anyone checks our gradients against PyTorch.
 */
import { InputShapeError } from '../errors.js';
import type { NetworkSpec } from '../arch/network.js';
import type { RuntimeOptions } from '../runtime/session.js';
import type { KeyFamily } from '../weights/keymaps.js';
import type { StateDict } from '../weights/tensor.js';
import { checkImageBatch } from '../runtime/inputs.js';
import { Random } from '../util/random.js';
import { keyRenamer } from '../weights/keymaps.js';
import type { BatchNormMode } from './emit/context.js';
import type { FreezeSpec } from './freeze.js';
import { drawMask } from './masks.js';
import { createTrainingStep } from './step.js';
import { targetDistribution } from './targets.js';

export interface GradientOptions {
  readonly freeze?: FreezeSpec;
  /** Default 'train'. */
  readonly batchNorm?: BatchNormMode;
  readonly labelSmoothing?: number;
  /** Dropout and drop connect are off unless asked for; masks come from `seed`. */
  readonly dropout?: boolean;
  readonly dropConnect?: boolean;
  readonly seed?: number;
}

export interface GradientResult {
  readonly loss: number;
  /** [N, K] */
  readonly logits: Float32Array;
  /** Checkpoint key (the model's own key family) → gradient, in state-dict order. */
  readonly gradients: Map<string, { shape: readonly number[]; data: Float32Array }>;
  /** Checkpoint key → new running statistic (batch norm training). */
  readonly runningStats: Map<string, Float32Array>;
}

/** What gradients need of a model (an `EfficientNet` is one): its network, weights and runtime. */
export interface GradientModel {
  readonly network: NetworkSpec;
  /** Reference (lukemelas) key names. */
  readonly weights: StateDict;
  readonly runtimeOptions: RuntimeOptions;
  /** The key family gradients are named in: the one the weights were loaded from. */
  readonly loadReport?: { readonly family: KeyFamily };
}

/**
 * Gradients of the mean cross-entropy for a batch. `labels` are class indices [N] (int64 or
 * float) or target distributions [N, K]. The model must be built for the batch's image size.
 *
 * @example
 * const { loss, gradients } = await computeGradients(net, { data, dims: [2, 3, 224, 224] }, [3, 7]);
 */
export async function computeGradients(
  model: GradientModel,
  input: { readonly data: Float32Array; readonly dims: readonly number[] },
  labels: ArrayLike<number | bigint> | { readonly data: Float32Array; readonly dims: readonly number[] },
  options: GradientOptions = {},
): Promise<GradientResult> {
  const net = model.network;
  checkImageBatch(input, net.config, { exactSize: true }); // the step graph is built for the configured size
  const n = input.dims[0];
  const classes = net.fc?.outFeatures ?? 0;
  let targets: Float32Array;
  if ('dims' in labels && labels.dims.length === 2) {
    if (labels.dims[0] !== n || labels.dims[1] !== classes) throw new InputShapeError(`target distributions are [${labels.dims.join(', ')}]; expected [${n}, ${classes}]`);
    targets = labels.data;
  } else {
    const indices = 'dims' in labels ? labels.data : labels;
    if (indices.length !== n) throw new InputShapeError(`${indices.length} labels for ${n} images`);
    targets = targetDistribution(indices, classes, options.labelSmoothing ?? 0);
  }
  const step = await createTrainingStep(net, model.weights, {
    batchSize: n,
    freeze: options.freeze,
    batchNorm: options.batchNorm,
    dropout: options.dropout,
    dropConnect: options.dropConnect,
  }, model.runtimeOptions);
  const { graph } = step;
  const random = new Random(options.seed ?? 0);
  const masks = Object.fromEntries(graph.masks.map((m) => [m.name, drawMask(random, m, n)]));
  try {
    const result = await step.run({ input: input.data, targets, weights: model.weights, masks });
    const theirs = keyRenamer(net, 'lukemelas', model.loadReport?.family ?? 'lukemelas');
    const gradients = new Map(graph.trainable.map((k) => [theirs(k), { shape: model.weights.get(k)!.shape, data: result.gradients.get(k)! }]));
    const runningStats = new Map([...result.runningStats].map(([k, v]) => [theirs(k), v]));
    return { loss: result.loss, logits: result.logits, gradients, runningStats };
  } finally {
    await step.release();
  }
}

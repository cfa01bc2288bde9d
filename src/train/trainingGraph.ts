/**
 * The training graph: forward, softmax cross-entropy, and the gradient of every trainable
 * parameter, emitted as standard ONNX operators by the rules in ./emit. Trainable weights,
 * running statistics, targets and random masks are inputs; loss, logits, gradients and the new
 * running statistics are outputs. Frozen parts are emitted as inference (batch norm folded).
 */
import type { NetworkSpec } from '../arch/network.js';
import { ConfigError, InputShapeError, WeightLoadError, oneOf } from '../errors.js';
import { type Dim, GraphBuilder, type ModelOptions } from '../runtime/onnx/graph.js';
import { Emitter } from '../runtime/inference.js';
import type { StateDict } from '../weights/tensor.js';
import type { BatchCount, BatchNormMode, EmitContext, ExpectedBatch, LayerStatistics } from './emit/context.js';
import { convBn } from './emit/convBn.js';
import { fusedBlock } from './emit/fused.js';
import { TARGET_FORMS, type OperatorForms, type TrainingTarget } from './emit/forms.js';
import { add, averagePool, flatten, linear, masked, seGate, softmaxCrossEntropy, swish } from './emit/layers.js';
import { Ops } from './emit/ops.js';
import { updateRunningStatistics } from './emit/runningStatistics.js';
import { type FreezeSpec, trainablePart } from './freeze.js';
import { Tape } from './tape.js';

export interface TrainingGraphOptions extends ModelOptions {
  /**
   * Fixes the batch dimension N of the inputs. Absent: N is symbolic ('N') and one compiled
   * graph serves every batch size; nothing inside the graph depends on N either way.
   */
  readonly batchSize?: number;
  /**
   * Without `batchSize`: the batch size most steps will run at, where the graph takes the same
   * kernels as one built for that size (./emit/depthwise.ts); other sizes run exact but slower forms.
   */
  readonly expectedBatchSize?: number;
  readonly freeze?: FreezeSpec;
  /** 'train': batch statistics and running-stat updates; 'frozen': running statistics. Default 'train'. */
  readonly batchNorm?: BatchNormMode;
  /** Emit the dropout mask input before the classifier. Default false. */
  readonly dropout?: boolean;
  /** Emit per-sample drop-connect mask inputs for the residual blocks. Default false. */
  readonly dropConnect?: boolean;
  /** onnxruntime's NCHWc channel block for depthwise layers (`nchwcBlockSize()`); 0 or absent: plain Conv. */
  readonly nchwcBlock?: number;
  /**
   * The execution provider the graph will run on: picks fused kernels or their primitive forms
   * by what that provider has (./emit/forms.ts). Default 'cpu'.
   */
  readonly target?: TrainingTarget;
}

/** A mask the caller draws each step: 0 or 1/keep, shape [N, 1, 1, 1] or [N, C]. */
export interface MaskInput {
  readonly name: string;
  /** Its first dimension is the batch: a number when the graph fixes it, else 'N'. */
  readonly shape: readonly Dim[];
  /** Drop probability. */
  readonly rate: number;
}

export interface TrainingGraph {
  readonly model: Uint8Array;
  /** The fixed batch size, or undefined when the graph takes any. */
  readonly batchSize?: number;
  /** The batch size a graph that takes any runs fastest at (`options.expectedBatchSize`). */
  readonly expectedBatchSize?: number;
  /** Trainable parameter keys (state-dict order); each has the gradient output `grad:<key>`. */
  readonly trainable: readonly string[];
  /** Running statistics updated by the step; each has the output `new:<key>`. */
  readonly runningStats: readonly string[];
  /** Every checkpoint key fed as an input each step (trainable weights and updated statistics). */
  readonly weightInputs: readonly string[];
  readonly masks: readonly MaskInput[];
  /** Kernel sizes k of the one-hot im2col inputs `im2col.k<k>` [k·k, 1, k, k]. */
  readonly im2colKernels: readonly number[];
  /** Shape of every float input: `input`, `targets`, the weights, the masks ('N': the batch, when not fixed). */
  readonly inputShapes: ReadonlyMap<string, readonly Dim[]>;
  /** The provider the graph was built for, and the operator forms that chose. */
  readonly target: TrainingTarget;
  readonly forms: OperatorForms;
}

export const GRADIENT_PREFIX = 'grad:';
export const RUNNING_STAT_PREFIX = 'new:';

/**
 * Builds the training graph. Inputs: `input` [N, C, H, W], `targets` [N, K], the weights
 * under their checkpoint keys, `im2col.k<k>`, and the masks. Outputs: `loss`, `logits`,
 * `grad:<key>`, `new:<key>`.
 *
 * @example
 * const graph = buildTrainingGraph(net, weights, { batchSize: 8, freeze: { stages: 2 } });
 */
export function buildTrainingGraph(net: NetworkSpec, weights: StateDict, options: TrainingGraphOptions): TrainingGraph {
  const fc = net.fc;
  if (!fc) throw new ConfigError(`${net.config.name} was built with includeTop: false; training needs the classifier`);
  const { batchSize } = options;
  const expectedSize = batchSize ?? options.expectedBatchSize;
  const batchNorm = options.batchNorm ?? 'train';
  const target = options.target ?? 'cpu';
  const forms = Object.hasOwn(TARGET_FORMS, target) ? TARGET_FORMS[target] : undefined;
  const problems: string[] = [];
  for (const [name, size] of [['batchSize', batchSize], ['expectedBatchSize', options.expectedBatchSize]] as const) {
    if (size !== undefined && (!Number.isInteger(size) || size < 1)) problems.push(`${name} ${size} should be a positive integer`);
  }
  if (batchNorm !== 'train' && batchNorm !== 'frozen') problems.push(`Invalid batchNorm '${batchNorm}'. Should be one of: ${oneOf(['train', 'frozen'])}`);
  if (!forms) problems.push(`Invalid target '${target}'. Should be one of: ${oneOf(Object.keys(TARGET_FORMS))}`);
  if (problems.length > 0 || !forms) throw new ConfigError(problems.join('; '));
  const part = trainablePart(net, options.freeze);
  const trainable = new Set(part.keys);

  const g = new GraphBuilder(`${net.config.name}-training`);
  const ops = new Ops(g);
  const tape = new Tape(g);
  const weightInputs: string[] = [];
  const values = new Map<string, string>();
  const layerStatistics: LayerStatistics[] = [];
  const masks: MaskInput[] = [];
  const im2colKernels: number[] = [];
  const inputShapes = new Map<string, readonly Dim[]>();
  const N: Dim = batchSize ?? 'N';
  const counts = new Map<number, BatchCount>();
  let batchShape: string | undefined; // N as int64 [1], read from the input when the step runs
  const batchOfInput = () => (batchShape ??= g.node('Shape', [input], { start: { int: 0 }, end: { int: 1 } }));
  let matches: string | undefined;
  const expectedBatch: ExpectedBatch | undefined = expectedSize === undefined ? undefined : {
    size: expectedSize,
    fixed: batchSize !== undefined,
    matches: () => (matches ??= ops.reshape(g.node('Equal', [batchOfInput(), ops.ints([expectedSize])]), [])), // bool []
  };
  const tensor = (key: string) => {
    const t = weights.get(key);
    if (!t || t.dtype !== 'float32') throw new WeightLoadError(`Weights have no float tensor '${key}'`);
    return t;
  };
  const updated = (key: string) => trainable.has(key) || (batchNorm === 'train' && /\.running_(mean|var)$/.test(key));

  const ctx: EmitContext = {
    ops, tape, batchNorm, expectedBatch, nchwcBlock: options.nchwcBlock ?? 0, forms,
    param(key) {
      let value = values.get(key);
      if (value) return value;
      const t = tensor(key);
      if (updated(key)) {
        value = g.input(key, 'float32', t.shape);
        inputShapes.set(key, t.shape);
        weightInputs.push(key);
        if (trainable.has(key)) tape.markDifferentiable(value);
      } else {
        value = g.floats(key, t.shape, t.data);
      }
      values.set(key, value);
      return value;
    },
    im2col(k) {
      const name = `im2col.k${k}`;
      if (!im2colKernels.includes(k)) {
        im2colKernels.push(k);
        g.input(name, 'float32', [k * k, 1, k, k]);
      }
      return name;
    },
    count(perSample) {
      let count = counts.get(perSample);
      if (!count) counts.set(perSample, (count = batchCount(ops, batchOfInput(), perSample)));
      return count;
    },
    batchStatistics(stats) {
      layerStatistics.push(stats);
    },
  };
  const mask = (name: string, shape: readonly Dim[], rate: number) => {
    masks.push({ name, shape, rate });
    inputShapes.set(name, shape);
    return g.input(name, 'float32', shape);
  };

  const [height, width] = net.config.imageSize;
  inputShapes.set('input', [N, net.config.inChannels, height, width]);
  inputShapes.set('targets', [N, fc.outFeatures]);
  const input = g.input('input', 'float32', inputShapes.get('input')!); // [N, C, H, W]
  const targets = g.input('targets', 'float32', inputShapes.get('targets')!); // [N, K]

  // Frozen prefix: inference with batch norm folded, no gradients.
  const frozen = new Emitter(g, weights);
  let x = part.stem ? swish(ctx, convBn(ctx, input, net.stem)) : frozen.swish(frozen.convBn(input, net.stem));
  for (const block of net.blocks) {
    if (block.index < part.firstBlock) {
      x = frozen.block(x, block);
      continue;
    }
    const blockInput = x;
    if (block.kind === 'fused') {
      x = fusedBlock(ctx, x, block); // [N, C_out, H/s, W/s]
    } else {
      if (block.expand) x = swish(ctx, convBn(ctx, x, block.expand)); // [N, C·e, H, W]
      x = swish(ctx, convBn(ctx, x, block.depthwise!)); // [N, C·e, H/s, W/s]
      const gate = block.se ? seGate(ctx, x, block) : undefined; // [N, C·e, 1, 1]
      x = convBn(ctx, x, block.project!, gate); // [N, C_out, H/s, W/s]
    }
    if (block.residual) {
      if (options.dropConnect && block.dropConnectRate > 0) x = masked(ctx, x, mask(`drop_connect.${block.index}`, [N, 1, 1, 1], block.dropConnectRate));
      x = add(ctx, x, blockInput, `${block.name}.out`);
    }
  }
  const features = part.head ? swish(ctx, convBn(ctx, x, net.head)) : frozen.swish(frozen.convBn(x, net.head)); // [N, C_head, h, w]
  let pooled = flatten(ctx, averagePool(ctx, features, net.head.conv.outputSize), net.featureChannels); // [N, C_head]
  if (options.dropout && net.config.dropoutRate > 0) pooled = masked(ctx, pooled, mask('dropout', [N, net.featureChannels], net.config.dropoutRate));
  const logits = linear(ctx, pooled, fc); // [N, K]
  const { loss, dlogits } = softmaxCrossEntropy(ctx, logits, targets);
  g.output(loss, 'loss');
  g.output(logits, 'logits');
  const runningStats = updateRunningStatistics(ops, layerStatistics, {
    param: (key) => ctx.param(key), outputName: (key) => `${RUNNING_STAT_PREFIX}${key}`, batchSize: ctx.count(1).total,
  });
  tape.backward(logits, dlogits);

  const order = part.keys.filter((k) => tape.paramGrads.has(k));
  const missing = part.keys.filter((k) => !tape.paramGrads.has(k));
  if (missing.length > 0) throw new Error(`training graph: no gradient emitted for ${missing.join(', ')}`);
  for (const key of order) g.output(tape.paramGrads.get(key)!, `${GRADIENT_PREFIX}${key}`);
  // No output Identity: onnxruntime would copy each gradient it renames (a kernel each on WebGPU).
  const model = g.toModel({ ...options, renameOutputs: true, docString: options.docString ?? `${net.config.name} training step (batch ${N})` });
  return { model, batchSize, expectedBatchSize: expectedSize, trainable: order, runningStats, weightInputs, masks, im2colKernels, inputShapes, target, forms };
}

/**
 * `dims` with the symbolic batch dimension replaced by `batch`.
 *
 * @example
 * batchDims(['N', 1280], 8) // [8, 1280]
 */
export function batchDims(dims: readonly Dim[], batch?: number): number[] {
  return dims.map((d) => {
    if (typeof d === 'number') return d;
    if (batch === undefined) throw new InputShapeError(`the graph's batch dimension '${d}' needs a batch size`);
    return batch;
  });
}

/**
 * The scalars of M = N·perSample from N (int64 [1], the input's shape when the step runs;
 * onnxruntime folds them to constants when the graph fixes N).
 */
function batchCount(ops: Ops, batch: string, perSample: number): BatchCount {
  const g = ops.g;
  const n = ops.reshape(g.node('Cast', [batch], { to: { int: 1 } }), []); // N as a float []
  const m = perSample === 1 ? n : ops.mul(n, ops.scalar(perSample));
  const inverse = g.node('Reciprocal', [m]);
  return { perSample, total: m, inverse, negInverse: g.node('Neg', [inverse]) };
}

/**
 * The one-hot im2col kernel [k·k, 1, k, k]: output channel i picks offset (i / k, i mod k).
 *
 * @example
 * im2colKernel(3).length // 81
 */
export function im2colKernel(k: number): Float32Array {
  const data = new Float32Array(k * k * k * k);
  for (let i = 0; i < k * k; i++) data[i * k * k + i] = 1;
  return data;
}

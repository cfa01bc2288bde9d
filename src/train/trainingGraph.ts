/**
 * The training graph: forward, softmax cross-entropy, and the gradient of every trainable
 * parameter, emitted as standard ONNX operators by the rules in ./emit. Trainable weights,
 * running statistics, targets and random masks are inputs; loss, logits, gradients and the new
 * running statistics are outputs. Frozen parts are emitted as inference (batch norm folded).
 */
import type { NetworkSpec } from '../arch/network.js';
import { ConfigError, WeightLoadError } from '../errors.js';
import { GraphBuilder, type ModelOptions } from '../runtime/onnx/graph.js';
import { Emitter } from '../runtime/inference.js';
import type { StateDict } from '../weights/tensor.js';
import type { BatchNormMode, EmitContext } from './emit/context.js';
import { convBn } from './emit/convBn.js';
import { fusedBlock } from './emit/fused.js';
import { add, averagePool, flatten, linear, masked, seGate, softmaxCrossEntropy, swish } from './emit/layers.js';
import { Ops } from './emit/ops.js';
import { type FreezeSpec, trainablePart } from './freeze.js';
import { Tape } from './tape.js';

export interface TrainingGraphOptions extends ModelOptions {
  readonly batchSize: number;
  readonly freeze?: FreezeSpec;
  /** 'train': batch statistics and running-stat updates; 'frozen': running statistics. Default 'train'. */
  readonly batchNorm?: BatchNormMode;
  /** Emit the dropout mask input before the classifier. Default false. */
  readonly dropout?: boolean;
  /** Emit per-sample drop-connect mask inputs for the residual blocks. Default false. */
  readonly dropConnect?: boolean;
  /** onnxruntime's NCHWc channel block for depthwise layers (`nchwcBlockSize()`); 0 or absent: plain Conv. */
  readonly nchwcBlock?: number;
}

/** A mask the caller draws each step: 0 or 1/keep, shape [N, 1, 1, 1] or [N, C]. */
export interface MaskInput {
  readonly name: string;
  readonly shape: readonly number[];
  /** Drop probability. */
  readonly rate: number;
}

export interface TrainingGraph {
  readonly model: Uint8Array;
  readonly batchSize: number;
  /** Trainable parameter keys (state-dict order); each has the gradient output `grad:<key>`. */
  readonly trainable: readonly string[];
  /** Running statistics updated by the step; each has the output `new:<key>`. */
  readonly runningStats: readonly string[];
  /** Every checkpoint key fed as an input each step (trainable weights and updated statistics). */
  readonly weightInputs: readonly string[];
  readonly masks: readonly MaskInput[];
  /** Kernel sizes k of the one-hot im2col inputs `im2col.k<k>` [k·k, 1, k, k]. */
  readonly im2colKernels: readonly number[];
  /** Shape of every float input: `input`, `targets`, the weights, the masks. */
  readonly inputShapes: ReadonlyMap<string, readonly number[]>;
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
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize ${batchSize} should be a positive integer`);
  const batchNorm = options.batchNorm ?? 'train';
  if (batchNorm !== 'train' && batchNorm !== 'frozen') throw new ConfigError(`Invalid batchNorm '${batchNorm}'. Should be one of: 'train' or 'frozen'`);
  const part = trainablePart(net, options.freeze);
  const trainable = new Set(part.keys);

  const g = new GraphBuilder(`${net.config.name}-training`);
  const ops = new Ops(g);
  const tape = new Tape(g);
  const weightInputs: string[] = [];
  const values = new Map<string, string>();
  const runningStats: string[] = [];
  const masks: MaskInput[] = [];
  const im2colKernels: number[] = [];
  const inputShapes = new Map<string, readonly number[]>();
  const tensor = (key: string) => {
    const t = weights.get(key);
    if (!t || t.dtype !== 'float32') throw new WeightLoadError(`Weights have no float tensor '${key}'`);
    return t;
  };
  const updated = (key: string) => trainable.has(key) || (batchNorm === 'train' && /\.running_(mean|var)$/.test(key));

  const ctx: EmitContext = {
    ops, tape, batch: batchSize, batchNorm, nchwcBlock: options.nchwcBlock ?? 0,
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
    runningStat(key, value) {
      runningStats.push(key);
      g.output(value, `${RUNNING_STAT_PREFIX}${key}`);
    },
  };
  const mask = (name: string, shape: readonly number[], rate: number) => {
    masks.push({ name, shape, rate });
    inputShapes.set(name, shape);
    return g.input(name, 'float32', shape);
  };

  const [height, width] = net.config.imageSize;
  inputShapes.set('input', [batchSize, net.config.inChannels, height, width]);
  inputShapes.set('targets', [batchSize, fc.outFeatures]);
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
      if (options.dropConnect && block.dropConnectRate > 0) x = masked(ctx, x, mask(`drop_connect.${block.index}`, [batchSize, 1, 1, 1], block.dropConnectRate));
      x = add(ctx, x, blockInput, `${block.name}.out`);
    }
  }
  const features = part.head ? swish(ctx, convBn(ctx, x, net.head)) : frozen.swish(frozen.convBn(x, net.head)); // [N, C_head, h, w]
  let pooled = flatten(ctx, averagePool(ctx, features, net.head.conv.outputSize), net.featureChannels); // [N, C_head]
  if (options.dropout && net.config.dropoutRate > 0) pooled = masked(ctx, pooled, mask('dropout', [batchSize, net.featureChannels], net.config.dropoutRate));
  const logits = linear(ctx, pooled, fc); // [N, K]
  const { loss, dlogits } = softmaxCrossEntropy(ctx, logits, targets);
  g.output(loss, 'loss');
  g.output(logits, 'logits');
  tape.backward(logits, dlogits);

  const order = part.keys.filter((k) => tape.paramGrads.has(k));
  const missing = part.keys.filter((k) => !tape.paramGrads.has(k));
  if (missing.length > 0) throw new Error(`training graph: no gradient emitted for ${missing.join(', ')}`);
  for (const key of order) g.output(tape.paramGrads.get(key)!, `${GRADIENT_PREFIX}${key}`);
  const model = g.toModel({ ...options, docString: options.docString ?? `${net.config.name} training step (batch ${batchSize})` });
  return { model, batchSize, trainable: order, runningStats, weightInputs, masks, im2colKernels, inputShapes };
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

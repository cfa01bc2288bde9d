/**
 * The public model: a network specification, its weights (reference key names) and lazily
 * compiled onnxruntime sessions, one per kind of output.
 */
import { type EfficientNetConfig, type EfficientNetOptions, resolveConfig } from './arch/config.js';
import { type NetworkSpec, buildNetwork } from './arch/network.js';
import { countParameters, shapeSize } from './arch/parameters.js';
import { formatModuleTree } from './arch/moduleTree.js';
import { type ModelSummary, summarize } from './arch/summary.js';
import { type VariantSpec, VARIANTS, canonicalVariantName } from './arch/variants.js';
import { InputShapeError, WeightLoadError, ConfigError } from './errors.js';
import { type InferenceOutput, buildInferenceGraph } from './runtime/inference.js';
import { type RuntimeOptions, Session } from './runtime/session.js';
import { readSafetensors } from './weights/formats/safetensors.js';
import { initialWeights } from './weights/init.js';
import { type KeyFamily, detectKeyFamily } from './weights/keymaps.js';
import { type LoadOptions, type LoadReport, checkpointShapes, loadStateDict } from './weights/load.js';
import { type StateDict, type Tensor, floatTensor } from './weights/tensor.js';

/** A float32 batch: data with its dimensions, e.g. NCHW `[N, C, H, W]`. */
export interface FloatBatch {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ModelOptions extends EfficientNetOptions {
  /** onnxruntime settings (threads, execution providers). */
  runtime?: RuntimeOptions;
  /** Seed for freshly initialised weights. */
  seed?: number;
}

export interface FromWeightsOptions extends ModelOptions, LoadOptions {
  /** Variant name; recognised from the checkpoint's shapes when omitted. */
  model?: string;
}

/**
 * An EfficientNet with weights, runnable on onnxruntime.
 *
 * @example
 * const net = await EfficientNet.fromWeights('efficientnet-b0.safetensors');
 * const logits = await net.forward({ data, dims: [1, 3, 224, 224] }); // [1, 1000]
 */
export class EfficientNet {
  private readonly sessions = new Map<InferenceOutput, Promise<Session>>();

  private constructor(
    readonly network: NetworkSpec,
    readonly weights: StateDict,
    readonly runtimeOptions: RuntimeOptions = {},
    /** What loading reported (absent for fresh weights). */
    readonly loadReport?: LoadReport,
  ) {}

  /** The resolved configuration. */
  get config(): EfficientNetConfig {
    return this.network.config;
  }

  /**
   * A network with freshly initialised weights.
   *
   * @example
   * const net = EfficientNet.fromName('efficientnet-b3', { numClasses: 10 });
   */
  static fromName(name: string | VariantSpec, options: ModelOptions = {}): EfficientNet {
    const network = buildNetwork(resolveConfig(name, options));
    return new EfficientNet(network, initialWeights(network, options.seed ?? 0), options.runtime);
  }

  /**
   * A network from a state dict (any key family); options not given are read from it.
   *
   * @example
   * const net = EfficientNet.fromStateDict(tensors, { model: 'efficientnet-b0', padding: 'symmetric' });
   */
  static fromStateDict(tensors: StateDict, options: FromWeightsOptions = {}): EfficientNet {
    const family = options.family ?? detectKeyFamily(tensors.keys());
    const shapes = checkpointShapes(tensors, family);
    const base: EfficientNetOptions = {
      ...definedOnly(options),
      padding: options.padding ?? (family === 'lukemelas' ? 'same' : 'symmetric'),
      numClasses: options.numClasses ?? shapes.numClasses,
      inChannels: options.inChannels ?? shapes.inChannels,
      includeTop: options.includeTop ?? shapes.includeTop,
    };
    const name = options.model ?? inferVariant(tensors, family, base);
    const variantOptions = { ...torchvisionBatchNorm(family, name), ...definedOnly(base) };
    const network = buildNetwork(resolveConfig(name, variantOptions));
    // Without a classifier in the network, a checkpoint's classifier is simply not used.
    const usable = network.fc ? tensors : withoutClassifier(tensors, family);
    const { weights, report } = loadStateDict(network, usable, { ...options, family });
    return new EfficientNet(network, weights, options.runtime, report);
  }

  /**
   * Loads a safetensors checkpoint (reference or torchvision key names).
   *
   * @example
   * const net = await EfficientNet.fromWeights('b0.safetensors', { numClasses: 10 });
   */
  static async fromWeights(path: string, options: FromWeightsOptions = {}): Promise<EfficientNet> {
    const { tensors } = await readSafetensors(path);
    return EfficientNet.fromStateDict(tensors, options);
  }

  /** Learnable parameters (PyTorch's count). */
  parameterCount(): number {
    return countParameters(this.network);
  }

  /**
   * Logits [N, classes] for an NCHW batch, or pooled features [N, C] when built with `includeTop: false`.
   *
   * @example
   * const { data, dims } = await net.forward({ data: pixels, dims: [1, 3, 224, 224] });
   */
  async forward(x: FloatBatch): Promise<FloatBatch> {
    const output = await this.run(this.network.fc ? 'logits' : 'pooled', x);
    return output[this.network.fc ? 'logits' : 'pooled'];
  }

  /** Pooled features [N, C] (the classifier's input), whatever `includeTop` says. */
  async embed(x: FloatBatch): Promise<FloatBatch> {
    return (await this.run('pooled', x)).pooled;
  }

  /**
   * The final feature map before pooling, [N, C, h, w] (1280×7×7 for b0 at 224).
   *
   * @example
   * const { dims } = await net.extractFeatures(batch); // [1, 1280, 7, 7]
   */
  async extractFeatures(x: FloatBatch): Promise<FloatBatch> {
    return (await this.run('features', x)).features;
  }

  /**
   * The last map at each resolution and the head output: `reduction_1` … `reduction_6`.
   *
   * @example
   * const endpoints = await net.extractEndpoints(batch); // endpoints.reduction_1.dims: [1, 16, 112, 112]
   */
  async extractEndpoints(x: FloatBatch): Promise<Record<string, FloatBatch>> {
    return this.run('endpoints', x);
  }

  /**
   * The standalone ONNX inference graph (batch norm folded).
   *
   * @example
   * await writeFile('b0.onnx', net.toOnnx());
   */
  toOnnx(output: InferenceOutput = this.network.fc ? 'logits' : 'pooled', options: { opset?: number; batchSize?: number } = {}): Uint8Array {
    return buildInferenceGraph(this.network, this.weights, output, options).model;
  }

  /** Per-layer table and totals at the configured image size. */
  summary(): ModelSummary {
    return summarize(this.network);
  }

  /** The module tree with the reference's names, printed the way PyTorch prints a module. */
  toString(): string {
    return formatModuleTree(this.network);
  }

  /** Frees the onnxruntime sessions. */
  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).release()));
  }

  private session(output: InferenceOutput): Promise<Session> {
    let session = this.sessions.get(output);
    if (!session) {
      const { model } = buildInferenceGraph(this.network, this.weights, output);
      session = Session.create(model, this.runtimeOptions);
      session.catch(() => this.sessions.delete(output));
      this.sessions.set(output, session);
    }
    return session;
  }

  private async run(output: InferenceOutput, x: FloatBatch): Promise<Record<string, FloatBatch>> {
    this.checkInput(x);
    const session = await this.session(output);
    const results = await session.run({ input: { type: 'float32', dims: x.dims, data: x.data } });
    const out: Record<string, FloatBatch> = {};
    for (const [name, value] of Object.entries(results)) out[name] = { data: value.data as Float32Array, dims: value.dims };
    return out;
  }

  private checkInput(x: FloatBatch): void {
    const { inChannels } = this.network.config;
    const problems: string[] = [];
    if (!(x.data instanceof Float32Array)) problems.push('data should be a Float32Array');
    if (x.dims.length !== 4) problems.push(`rank ${x.dims.length} should be 4 (NCHW)`);
    else {
      const [n, c, h, w] = x.dims;
      if (!(n >= 1)) problems.push(`batch ${n} should be at least 1`);
      if (c !== inChannels) problems.push(`channels ${c} should be ${inChannels}`);
      if (!(h >= 32 && w >= 32)) problems.push(`size ${h}×${w} should be at least 32×32`);
      if (x.data instanceof Float32Array && x.data.length !== shapeSize(x.dims)) problems.push(`data has ${x.data.length} values but [${x.dims.join(', ')}] needs ${shapeSize(x.dims)}`);
    }
    if (problems.length > 0) throw new InputShapeError(`Invalid input [${x.dims.join(', ')}] for ${this.network.config.name}: ${problems.join('; ')}`);
  }
}

/** torchvision's b0–b4 use PyTorch's default batch norm (ε 1e-5, momentum 0.1); b5–b7 TF's. */
function torchvisionBatchNorm(family: KeyFamily, name: string): EfficientNetOptions {
  if (family !== 'torchvision') return {};
  const big = ['efficientnet-b5', 'efficientnet-b6', 'efficientnet-b7'].includes(canonicalVariantName(name));
  return big ? { batchNormEpsilon: 1e-3, batchNormMomentum: 0.01 } : { batchNormEpsilon: 1e-5, batchNormMomentum: 0.1 };
}

/** Finds the published variant whose every tensor shape matches the checkpoint. */
function inferVariant(tensors: StateDict, family: KeyFamily, options: EfficientNetOptions): string {
  for (const variant of VARIANTS) {
    const network = buildNetwork(resolveConfig(variant, { ...options, imageSize: variant.resolution }));
    const trial = network.fc ? tensors : withoutClassifier(tensors, family);
    try {
      loadStateDict(network, trial, { family, strict: true });
      return variant.name;
    } catch (error) {
      if (!(error instanceof WeightLoadError)) throw error;
    }
  }
  throw new ConfigError(`The ${family} checkpoint matches none of the published variants (${tensors.size} tensors); pass the model name explicitly`);
}

/** Drops keys whose value is undefined, so that spreading options never erases a default. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function withoutClassifier(tensors: StateDict, family: KeyFamily): StateDict {
  const prefix = { lukemelas: '_fc.', torchvision: 'classifier.', timm: 'classifier.' }[family];
  return new Map([...tensors].filter(([key]) => !key.startsWith(prefix)));
}

export { floatTensor };
export type { Tensor };

/**
 * The model: a network specification, its weights (reference key names) and one inference engine
 * (src/runtime/engine.ts) that compiles on first use. Loading and saving delegate to their own
 * modules; the model never touches pixels, and knows no task (classify, fit: src/api adds them).
 */
import { type EfficientNetConfig, type EfficientNetOptions, resolveConfig } from '../arch/config.js';
import { type NetworkSpec, buildNetwork } from '../arch/network.js';
import { countParameters } from '../arch/parameters.js';
import { formatModuleTree } from '../arch/moduleTree.js';
import { type ModelSummary, summarize } from '../arch/summary.js';
import type { VariantSpec } from '../arch/variants.js';
import { type CheckpointNetworkOptions, networkForCheckpoint, withoutClassifier } from './checkpointConfig.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import { checkFamilyFits } from './familyMismatch.js';
import { type ModelMetadata, decodeModelMetadata, encodeModelMetadata } from './modelFile.js';
import { InferenceEngine } from '../runtime/engine.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { openCheckpoint, serializeCheckpoint, writeCheckpoint } from '../weights/checkpoint.js';
import { concatBytes } from '../util/bytes.js';
import { initialWeights } from '../weights/init.js';
import { type KeyFamily, renameStateDict } from '../weights/keymaps.js';
import { type LoadOptions, type LoadReport, loadStateDict } from '../weights/load.js';
import { type FetchPretrainedOptions, platform } from '../platform/index.js';
import { type PretrainedEntry, WEIGHT_SOURCES, getPretrained, resolvePretrained } from '../weights/pretrained/registry.js';
import type { StateDict } from '../weights/tensor.js';
import { type OnnxExportOptions, onnxBytes, writeOnnx } from '../runtime/export.js';
import type { FloatBatch } from '../runtime/inputs.js';
import { type Int8Calibration, type QuantizeOptions, calibrateInt8, int8Build } from '../runtime/quantize/int8.js';
import { buildFp16Graph } from '../runtime/quantize/fp16.js';
import { ConfigError } from '../errors.js';
import { defaultPreprocess } from '../data/defaults.js';
import { defaultLabels } from '../data/labels.js';

export type { FloatBatch } from '../runtime/inputs.js';
export type { OnnxExportOptions } from '../runtime/export.js';

export interface ModelOptions extends EfficientNetOptions {
  /** onnxruntime settings (threads, execution providers). */
  runtime?: RuntimeOptions;
  /** Seed for freshly initialised weights. */
  seed?: number;
  /** Class names (index → name); default: ImageNet's for 1000 classes, `class_i` otherwise. */
  labels?: readonly string[];
  /** Evaluation transform for images; default: the one the weights were trained with. */
  preprocess?: PreprocessConfig;
}

export interface FromWeightsOptions extends ModelOptions, LoadOptions, CheckpointNetworkOptions {
  /** Use the EMA weights of a training checkpoint that has both. */
  ema?: boolean;
}

export interface FromPretrainedOptions extends FromWeightsOptions, FetchPretrainedOptions {
  /** Weight source: 'lukemelas' (default), 'advprop', 'torchvision' or 'timm'. */
  source?: string;
}

export interface SaveOptions {
  /** Key names to write. Default: the reference's (`lukemelas`). */
  family?: KeyFamily;
  /** Default: from the file extension (`.pth`, `.pt`, `.bin` → pth; otherwise safetensors). */
  format?: 'pth' | 'safetensors';
  /**
   * Write torchvision key names even for weights torchvision would run differently ("same"
   * padding, another batch-norm epsilon): without it, `save` refuses and says what changes.
   */
  force?: boolean;
}

/** Where a model came from and how it should see images. */
export interface ModelInfo {
  readonly family: KeyFamily;
  readonly preprocess: PreprocessConfig;
  readonly labels?: readonly string[];
  readonly loadReport?: LoadReport;
  readonly pretrained?: PretrainedEntry;
  /** Set on an int8 model: what calibration measured (the engine runs the int8 graph). */
  readonly quantization?: Int8Calibration;
}

/**
 * The constructor of `EfficientNetModel` or of a subclass: the factories build an instance of
 * the class they are called on (`EfficientNet.fromName` gives an `EfficientNet`).
 */
export type ModelClass<M> = new (network: NetworkSpec, weights: StateDict, runtimeOptions: RuntimeOptions, info: ModelInfo) => M;

/**
 * An EfficientNet with weights, runnable on onnxruntime: tensors in, tensors out. The package's
 * `EfficientNet` extends it with the image tasks (classify, embed, fit).
 *
 * @example
 * const net = await EfficientNetModel.fromWeights('efficientnet-b0.safetensors');
 * const logits = await net.forward({ data, dims: [1, 3, 224, 224] }); // [1, 1000]
 */
export class EfficientNetModel {
  private readonly engine: InferenceEngine;

  /** Use the factories (`fromName`, `fromWeights`, `fromPretrained`, `fromStateDict`). */
  constructor(
    readonly network: NetworkSpec,
    readonly weights: StateDict,
    readonly runtimeOptions: RuntimeOptions,
    private readonly info: ModelInfo,
  ) {
    this.engine = new InferenceEngine(network, weights, runtimeOptions, info.quantization && int8Build(info.quantization));
  }

  /** The int8 calibration of a quantized model (`quantizeBatches`); undefined for a float model. */
  get quantization(): Int8Calibration | undefined {
    return this.info.quantization;
  }

  /** The resolved configuration. */
  get config(): EfficientNetConfig {
    return this.network.config;
  }

  /** The key family the weights were loaded from (`lukemelas` for fresh weights). */
  get family(): KeyFamily {
    return this.info.family;
  }

  /** What loading reported: re-initialised classifier, adapted stem, missing keys when not strict. */
  get loadReport(): LoadReport | undefined {
    return this.info.loadReport;
  }

  /** The evaluation transform images go through before `forward`. */
  get preprocess(): PreprocessConfig {
    return this.info.preprocess;
  }

  /** Class names given or stored with the model (undefined: ImageNet's for 1000 classes, else `class_i`). */
  get labels(): readonly string[] | undefined {
    return this.info.labels;
  }

  /** The registry entry of pretrained weights, when loaded by tag. */
  get pretrained(): PretrainedEntry | undefined {
    return this.info.pretrained;
  }

  /**
   * A network with freshly initialised weights.
   *
   * @example
   * const net = EfficientNet.fromName('efficientnet-b3', { numClasses: 10 });
   */
  static fromName<M>(this: ModelClass<M>, name: string | VariantSpec, options: ModelOptions = {}): M {
    const network = buildNetwork(resolveConfig(name, options));
    return new this(network, initialWeights(network, options.seed ?? 0), options.runtime ?? {}, {
      family: 'lukemelas',
      preprocess: options.preprocess ?? defaultPreprocess(network, 'lukemelas'),
      labels: options.labels,
    });
  }

  /**
   * A network from a state dict (any key family); options not given are read from it.
   *
   * @example
   * const net = EfficientNet.fromStateDict(tensors, { model: 'efficientnet-b0', numClasses: 10 });
   */
  static fromStateDict<M>(this: ModelClass<M>, tensors: StateDict, options: FromWeightsOptions = {}, metadata?: ModelMetadata, pretrained?: PretrainedEntry): M {
    const { network, family } = networkForCheckpoint(tensors, options, metadata);
    const usable = network.fc ? tensors : withoutClassifier(tensors, family);
    const { weights, report } = loadStateDict(network, usable, { ...options, family });
    const sameClasses = network.fc?.outFeatures === metadata?.options.numClasses;
    return new this(network, weights, options.runtime ?? {}, {
      family,
      preprocess: options.preprocess ?? metadata?.preprocess ?? pretrained?.preprocess ?? defaultPreprocess(network, family, options.model),
      labels: options.labels ?? (sameClasses ? metadata?.labels : undefined),
      loadReport: report,
      pretrained,
      quantization: metadata?.quantization,
    });
  }

  /**
   * Loads a checkpoint: a path to a `.pth`/`.pt`/`.bin` (zip or legacy) or `.safetensors` file,
   * its bytes, or a registry tag such as `lukemelas:efficientnet-b0` (downloaded once, then cached).
   *
   * @example
   * const net = await EfficientNet.fromWeights('efficientnet-b0-355c32eb.pth', { numClasses: 10 });
   */
  static async fromWeights<M>(this: ModelClass<M>, source: string | Uint8Array, options: FromWeightsOptions & FetchPretrainedOptions = {}): Promise<M> {
    if (typeof source === 'string' && isRegistryTag(source)) return fromPretrainedEntry(this, getPretrained(source), options);
    const checkpoint = await openCheckpoint(source, { ema: options.ema });
    const name = typeof source === 'string' ? source : 'checkpoint';
    return EfficientNetModel.fromStateDict.call(this, checkpoint.tensors, options, decodeModelMetadata(checkpoint.metadata, name)) as M;
  }

  /**
   * Published pretrained weights by variant and source, downloaded once into the cache
   * (`$EFFICIENTNET_TS_CACHE` or `$XDG_CACHE_HOME/efficientnet-ts`) and verified.
   *
   * @example
   * const net = await EfficientNet.fromPretrained('efficientnet-b0', { source: 'torchvision', numClasses: 5 });
   */
  static async fromPretrained<M>(this: ModelClass<M>, model: string, options: FromPretrainedOptions = {}): Promise<M> {
    return fromPretrainedEntry(this, resolvePretrained(model, options.source ?? 'lukemelas'), options);
  }

  /**
   * A model of the same class around other weights (reference key names, e.g. a Trainer's),
   * keeping this one's runtime, labels and preprocessing unless `options` says otherwise.
   *
   * @example
   * const trained = net.withWeights(trainer.weights);
   */
  withWeights(weights: StateDict, options: FromWeightsOptions = {}, metadata: ModelMetadata = this.metadata()): this {
    const modelClass = this.constructor as ModelClass<this> & typeof EfficientNetModel;
    // Ranges measured on other weights say nothing about these: the new model is float.
    return modelClass.fromStateDict.call(modelClass, weights, {
      family: 'lukemelas', labels: this.labels, preprocess: this.preprocess, runtime: this.runtimeOptions, ...options,
    }, { ...metadata, quantization: undefined }) as this;
  }

  /**
   * The int8 model: activation ranges measured on calibration batches (preprocessed NCHW, as
   * `forward` takes them), weights int8 per output channel; same API, runs the int8 graph.
   * `EfficientNet.quantize` takes images instead.
   *
   * @example
   * const int8 = await net.quantizeBatches([{ data, dims: [8, 3, 224, 224] }], { method: 'percentile' });
   */
  async quantizeBatches(batches: AsyncIterable<FloatBatch> | Iterable<FloatBatch>, options: QuantizeOptions = {}): Promise<this> {
    const quantization = await calibrateInt8(this.network, this.weights, batches, { ...options, runtime: { ...this.runtimeOptions, ...options.runtime } });
    return this.withQuantization(quantization);
  }

  /**
   * This model with another calibration (undefined: the float model), sharing the weights.
   *
   * @example
   * const fp32 = int8.withQuantization(undefined);
   */
  withQuantization(quantization: Int8Calibration | undefined): this {
    const modelClass = this.constructor as ModelClass<this>;
    return new modelClass(this.network, this.weights, this.runtimeOptions, { ...this.info, quantization });
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
    const output = this.network.fc ? 'logits' : 'pooled';
    return (await this.engine.run(x, [output]))[output];
  }

  /** Pooled features [N, C] (the classifier's input) of an NCHW batch, whatever `includeTop` says. */
  async pooledFeatures(x: FloatBatch): Promise<FloatBatch> {
    return (await this.engine.run(x, ['pooled'])).pooled;
  }

  /**
   * The final feature map before pooling, [N, C, h, w] (1280×7×7 for b0 at 224).
   *
   * @example
   * const { dims } = await net.extractFeatures(batch); // [1, 1280, 7, 7]
   */
  async extractFeatures(x: FloatBatch): Promise<FloatBatch> {
    return (await this.engine.run(x, ['features'])).features;
  }

  /**
   * The last map at each resolution and the head output: `reduction_1` … `reduction_6`.
   *
   * @example
   * const endpoints = await net.extractEndpoints(batch); // endpoints.reduction_1.dims: [1, 16, 112, 112]
   */
  async extractEndpoints(x: FloatBatch): Promise<Record<string, FloatBatch>> {
    return this.engine.endpoints(x);
  }

  /**
   * The standalone ONNX inference graph (batch norm folded). By default the batch is dynamic
   * and the spatial size fixed at the configured image size. Its metadata carries the model,
   * padding, preprocessing and the class names the model was given (`exportOnnx` also writes
   * the default ones: ImageNet's, or `class_i`).
   *
   * @example
   * await writeFile('b0.onnx', net.toOnnx({ batchSize: 1 }));
   */
  toOnnx(options: OnnxExportOptions = {}): Uint8Array {
    return onnxBytes(this.network, this.weights, options, { labels: this.info.labels, preprocess: this.info.preprocess }, this.graphBuild(options));
  }

  /**
   * Writes the ONNX inference graph to `path`, atomically, with the class names and
   * preprocessing in its metadata (see `toOnnx`); weights past protobuf's 2 GB limit
   * (L2), or all of them with `externalData: true`, go to `<path>.data` beside it.
   *
   * @example
   * await net.exportOnnx('b0.onnx', { opset: 17 });
   */
  async exportOnnx(path: string, options: OnnxExportOptions & { externalData?: boolean } = {}): Promise<{ bytes: number; dataFile?: string }> {
    return writeOnnx(path, this.network, this.weights, options, { labels: this.info.labels ?? (this.network.fc ? await defaultLabels(this.network.fc.outFeatures) : undefined), preprocess: this.info.preprocess }, this.graphBuild(options));
  }

  /** The graph an export writes: int8 for a quantized model, fp16 on request, else the float graph (undefined). */
  private graphBuild(options: OnnxExportOptions) {
    if (options.fp16 && this.info.quantization) throw new ConfigError('fp16 export is for float models: this model is int8 (export it without fp16, or export the float model)');
    if (options.fp16) return buildFp16Graph;
    return this.info.quantization && int8Build(this.info.quantization);
  }

  /**
   * Saves the weights (and, in safetensors, the architecture, class names and preprocessing).
   * Torchvision key names for "same"-padding (or other-epsilon) weights need `force: true`.
   *
   * @example
   * await net.save('b0.pth', { family: 'torchvision' });
   */
  async save(path: string, options: SaveOptions = {}): Promise<void> {
    await writeCheckpoint(path, ...this.checkpointContents(path, options));
  }

  /**
   * The bytes `save(fileName, options)` would write, for a download or an upload: the format
   * (and a `.pth`'s archive name) follows `fileName` as in `save`.
   *
   * @example
   * const bytes = net.saveBytes('b0.safetensors'); // new Blob([bytes]) in a browser
   */
  saveBytes(fileName: string, options: SaveOptions = {}): Uint8Array {
    return concatBytes(serializeCheckpoint(fileName, ...this.checkpointContents(fileName, options)));
  }

  /** The tensors under the requested key names, the format and the metadata of a saved file. */
  private checkpointContents(path: string, options: SaveOptions): [StateDict, 'pth' | 'safetensors', Record<string, string>] {
    const family = options.family ?? 'lukemelas';
    checkFamilyFits(this.network.config, family, { force: options.force, flag: 'force: true (--force on the command line)' });
    const format = options.format ?? (/\.(pth|pt|bin)$/i.test(path) ? 'pth' : 'safetensors');
    return [renameStateDict(this.weights, this.network, 'lukemelas', family), format, encodeModelMetadata(this.metadata())];
  }

  /** The architecture, options, labels and preprocessing that a saved file carries. */
  metadata(): ModelMetadata {
    const c = this.network.config;
    return {
      model: c.name,
      options: {
        numClasses: c.numClasses, inChannels: c.inChannels, imageSize: [...c.imageSize], padding: c.padding,
        batchNormEpsilon: c.batchNormEpsilon, batchNormMomentum: c.batchNormMomentum, dropoutRate: c.dropoutRate, dropConnectRate: c.dropConnectRate,
      },
      labels: this.info.labels,
      preprocess: this.info.preprocess,
      ...(this.info.quantization ? { quantization: this.info.quantization } : {}),
    };
  }

  /** Per-layer table and totals at the configured image size. */
  summary(): ModelSummary {
    return summarize(this.network);
  }

  /**
   * The module tree exactly as PyTorch prints the model: torchvision's `efficientnet_bX()` for
   * weights with torchvision key names, else the reference's (lukemelas) `EfficientNet`.
   */
  toString(): string {
    return formatModuleTree(this.network, this.info.family === 'torchvision' ? 'torchvision' : 'lukemelas');
  }

  /**
   * Tells the engine that images decode beside its runs (the image tasks call it): idle engine
   * threads then sleep instead of spinning, leaving the cores to the decoder.
   *
   * @example
   * net.expectImageDecoding(); // before a loop that decodes the next batch while this one runs
   */
  expectImageDecoding(): void {
    this.engine.decodesImagesBeside();
  }

  /**
   * The execution provider that runs this model: the first of `runtime.executionProviders`
   * available on this machine (compiles the engine if it has not run yet).
   *
   * @example
   * const net = EfficientNet.fromName('efficientnet-b0', { runtime: { executionProviders: ['webgpu', 'cpu'] } });
   * await net.executionProvider(); // 'cpu' on a machine without a GPU adapter
   */
  executionProvider(): Promise<string> {
    return this.engine.provider();
  }

  /** Frees the onnxruntime sessions; a later call compiles again. */
  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}

async function fromPretrainedEntry<M>(modelClass: ModelClass<M>, entry: PretrainedEntry, options: FromWeightsOptions & FetchPretrainedOptions): Promise<M> {
  const file = await platform().weights.fetch(entry, options);
  const { tensors } = await openCheckpoint(file, { ema: options.ema, source: entry.fileName });
  return EfficientNetModel.fromStateDict.call(modelClass, tensors, {
    model: entry.arch,
    family: entry.keyFamily,
    padding: entry.padding,
    batchNormEpsilon: entry.batchNormEpsilon,
    batchNormMomentum: entry.batchNormMomentum,
    ...options,
  }, undefined, entry) as M;
}

/** `source:name` names a registry entry; a path with a colon would also need a slash after it. */
const REGISTRY_TAG = new RegExp(`^(${WEIGHT_SOURCES.join('|')}):[^/\\\\]+$`);

function isRegistryTag(value: string): boolean {
  return REGISTRY_TAG.test(value);
}

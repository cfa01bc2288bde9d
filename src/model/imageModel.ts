/**
 * What the tasks (classify, evaluate, fit) need of a model. Typed against this, a task never
 * imports the class it serves: `EfficientNetModel` implements it, and `EfficientNet` adds the
 * tasks on top.
 */
import type { EfficientNetConfig } from '../arch/config.js';
import type { NetworkSpec } from '../arch/network.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import type { FloatBatch } from '../runtime/inputs.js';
import type { RuntimeOptions } from '../runtime/session.js';
import type { LoadReport } from '../weights/load.js';
import type { StateDict } from '../weights/tensor.js';
import type { KeyFamily } from '../weights/keymaps.js';
import type { FromWeightsOptions, SaveOptions } from './efficientNetModel.js';
import type { ModelMetadata } from './modelFile.js';

export interface ImageModel {
  readonly network: NetworkSpec;
  /** Reference (lukemelas) key names. */
  readonly weights: StateDict;
  readonly runtimeOptions: RuntimeOptions;
  readonly config: EfficientNetConfig;
  /** The evaluation transform images go through before `forward`. */
  readonly preprocess: PreprocessConfig;
  /** Class names given or stored with the model; undefined: the defaults (see `defaultLabels`). */
  readonly labels: readonly string[] | undefined;
  readonly loadReport: LoadReport | undefined;
  /** The key family the weights were loaded from. */
  readonly family: KeyFamily;
  /** Logits [N, K] (pooled features [N, C] without a classifier) of an NCHW batch. */
  forward(x: FloatBatch): Promise<FloatBatch>;
  /** Pooled features [N, C] of an NCHW batch. */
  pooledFeatures(x: FloatBatch): Promise<FloatBatch>;
  /** What a saved file carries: architecture, options, labels, preprocessing. */
  metadata(): ModelMetadata;
  /** Writes the weights (and in safetensors the architecture, labels and preprocessing). */
  save(path: string, options?: SaveOptions): Promise<void>;
  /** A model of the same class around other weights (a new head, a trainer's weights). */
  withWeights(weights: StateDict, options?: FromWeightsOptions, metadata?: ModelMetadata): this;
  /** Frees the engine; a later call compiles again. */
  dispose(): Promise<void>;
  /** Images decode beside this model's runs: its engine's idle threads should sleep, not spin. */
  expectImageDecoding(): void;
}

/**
 * The public API that every platform shares: the package root (src/index.ts, Node) and the
 * browser entry (src/browser/index.ts) re-export it beside their own platform's pieces.
 */
export { EfficientNet } from './efficientNet.js';
export { EfficientNetModel, type ModelClass, type ModelInfo } from '../model/efficientNetModel.js';
export type { ImageModel } from '../model/imageModel.js';
export type { FloatBatch, ModelOptions, FromWeightsOptions, FromPretrainedOptions, SaveOptions } from '../model/efficientNetModel.js';

// Architecture (pure)
export { B0_STAGES, V2_S, V2_M, V2_L, V2_XL, V2_BASE, type StageSpec, type BlockKind, type BaseNetwork } from '../arch/stages.js';
export { VARIANTS, VARIANT_NAMES, V2_VARIANTS, V2_VARIANT_NAMES, PUBLISHED_VARIANTS, getVariant, type VariantSpec } from '../arch/variants.js';
export { roundFilters, roundRepeats, compoundScale, PAPER_COEFFICIENTS, type CompoundCoefficients } from '../arch/scaling.js';
export { parseBlockString, formatBlockString } from '../arch/blockString.js';
export { samePadding, axisPadding, PADDING_STYLES, type PaddingStyle } from '../arch/padding.js';
export { resolveConfig, scaledVariant, type EfficientNetOptions, type EfficientNetConfig } from '../arch/config.js';
export { buildNetwork, type NetworkSpec, type MBConvBlock, type ConvLayer } from '../arch/network.js';
export { stateDictSpec, countParameters, type ParameterSpec } from '../arch/parameters.js';
export { summarize, formatSummary, type ModelSummary } from '../arch/summary.js';
export { formatModuleTree } from '../arch/moduleTree.js';
export { formatScalingReport, compareWithPureScaling } from '../arch/scalingReport.js';

// Weights
export type { Tensor, StateDict } from '../weights/tensor.js';
export { readCheckpoint, writeCheckpoint, type Checkpoint } from '../weights/checkpoint.js';
export { readSafetensors, writeSafetensors } from '../weights/formats/safetensors.js';
export { KEY_FAMILIES, renameStateDict, detectKeyFamily, type KeyFamily } from '../weights/keymaps.js';
export { loadStateDict, type LoadReport } from '../weights/load.js';
export { PRETRAINED, getPretrained, type PretrainedEntry } from '../weights/pretrained/registry.js';
export type { DownloadProgress, DownloadRetry, FetchPretrainedOptions } from '../platform/index.js';

// Images
export { decodeImage, type ImageInput } from '../data/decode.js';
export type { RawImage } from '../data/image.js';
export { preprocessImage } from '../data/preprocess.js';
export { preset, PRESET_NAMES } from '../data/presets.js';
export { INTERPOLATIONS, type PreprocessConfig, type Interpolation } from '../weights/preprocessConfig.js';
export { decodeChannels, defaultPreprocess } from '../data/defaults.js';
export type { AugmentOptions } from '../data/transforms/train.js';
export { imagenetClasses, loadLabels } from '../data/labels.js';
export { imageFolder } from '../data/imageFolder.js';
export { loadBatches } from '../data/loader.js';
export { classifyImages, embedImages, modelLabels, requireClassifier, softmaxRows, topK, type ImageRunOptions, type Prediction } from '../pipeline/classify.js';

// Evaluation and pictures
export * from '../eval/index.js';
export * from '../report/index.js';

// Fine-tuning
export { fit, type FitResult } from '../finetune/fit.js';
export { FROM_SCRATCH_MOMENTUM, SCHEDULES, defaultAugment, describeDefaults, type ScheduleName, type FitOptions, type StepInfo, type EpochInfo } from '../finetune/options.js';
export { checkpointPaths, type CheckpointPaths } from '../finetune/models.js';
export { describeStages, progressiveStages, type ProgressiveOptions, type ProgressiveStage } from '../finetune/progressive.js';
export { splitDataset, type LabelledDataset } from '../finetune/dataset.js';
export { CheckpointWriteError, type EpochRecord } from '../finetune/runState.js';

// Training (the engine under fit: autodiff graphs, optimizers, schedules, the Trainer)
export * from '../train/index.js';

// Arrays and runtime
export { readNpy, writeNpy, serializeNpy } from '../io/npy.js';
export { floatTensor } from '../weights/tensor.js';
export { checkNchwFile } from '../runtime/inputs.js';
export { CALIBRATION_METHODS, type CalibrationMethod, type ActivationRange } from '../runtime/quantize/observer.js';
export { ROLES, type Role } from '../runtime/quantize/roles.js';
export { DEFAULT_KEEP_FLOAT, DEFAULT_METHOD, type Int8Calibration, type QuantizeOptions } from '../runtime/quantize/int8.js';
export type { ImageQuantizeOptions } from './efficientNet.js';
export { ComparisonTally, compareModels, formatComparison, type ModelComparison } from '../eval/compare.js';
export type { RuntimeOptions } from '../runtime/session.js';
export * from '../errors.js';

/**
 * A fully resolved network configuration: a variant (published or compound-scaled) plus the
 * user's options, validated once, with every problem listed.
 */
import { ConfigError, oneOf } from '../errors.js';
import { type PaddingStyle, PADDING_STYLES } from './padding.js';
import { type CompoundCoefficients, compoundScale, PAPER_COEFFICIENTS } from './scaling.js';
import { B0_BASE, type StageSpec } from './stages.js';
import { getVariant, type VariantSpec } from './variants.js';

/** [height, width] in pixels. */
export type ImageSize = readonly [number, number];

export interface EfficientNetOptions {
  /** Classifier outputs. Default 1000 (ImageNet). */
  numClasses?: number;
  /** Image channels. Default 3 (RGB). */
  inChannels?: number;
  /** False drops the classifier: the network returns pooled features [N, C]. Default true. */
  includeTop?: boolean;
  /** Input size that `same` padding is computed for, and that summaries report. Default: the variant's resolution. */
  imageSize?: number | ImageSize;
  /** Dropout before the classifier (training only). Default: the variant's. */
  dropoutRate?: number;
  /** Stochastic-depth rate of the last block; block i uses rate·i/blocks (training only). Default 0.2. */
  dropConnectRate?: number;
  /** Batch-norm momentum in PyTorch's convention (weight of the new batch statistic). Default 0.01 (TF's 0.99). */
  batchNormMomentum?: number;
  /** Batch-norm epsilon. Default 1e-3 (TF); torchvision b0–b4 use 1e-5. */
  batchNormEpsilon?: number;
  /** `same` (reference, TF weights) or `symmetric` (torchvision, timm). Default `same`. */
  padding?: PaddingStyle;
}

export interface EfficientNetConfig {
  readonly name: string;
  readonly width: number;
  readonly depth: number;
  /** The variant's native resolution. */
  readonly resolution: number;
  readonly imageSize: ImageSize;
  readonly numClasses: number;
  readonly inChannels: number;
  readonly includeTop: boolean;
  readonly dropoutRate: number;
  readonly dropConnectRate: number;
  readonly batchNormMomentum: number;
  readonly batchNormEpsilon: number;
  readonly padding: PaddingStyle;
  /** The base network's rows, stem and head widths and rounding rule (see BaseNetwork), before scaling. */
  readonly stages: readonly StageSpec[];
  readonly stemChannels: number;
  readonly headChannels: number;
  readonly roundLimit: number;
}

/**
 * Resolves a published variant (by name) or a custom one (a {@link VariantSpec}) with options.
 *
 * @example
 * resolveConfig('efficientnet-b0', { numClasses: 10 }).imageSize // [224, 224]
 */
export function resolveConfig(variant: string | VariantSpec, options: EfficientNetOptions = {}): EfficientNetConfig {
  const spec = typeof variant === 'string' ? getVariant(variant) : variant;
  const base = spec.base ?? B0_BASE;
  const problems: string[] = [];
  const positiveInt = (name: string, value: number) => {
    if (!(Number.isInteger(value) && value > 0)) problems.push(`${name} ${value} should be a positive integer`);
  };
  const rate = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value >= 0 && value < 1)) problems.push(`${name} ${value} should be in [0, 1)`);
  };
  const numClasses = options.numClasses ?? 1000;
  const inChannels = options.inChannels ?? 3;
  positiveInt('numClasses', numClasses);
  positiveInt('inChannels', inChannels);
  const size = options.imageSize ?? spec.resolution;
  const imageSize: ImageSize = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!Array.isArray(size) && typeof size !== 'number') problems.push(`imageSize ${String(size)} should be a number or [height, width]`);
  imageSize.forEach((s, i) => positiveInt(`imageSize[${i}]`, s));
  const dropoutRate = options.dropoutRate ?? spec.dropout;
  const dropConnectRate = options.dropConnectRate ?? 0.2;
  rate('dropoutRate', dropoutRate);
  rate('dropConnectRate', dropConnectRate);
  const batchNormMomentum = options.batchNormMomentum ?? 0.01;
  const batchNormEpsilon = options.batchNormEpsilon ?? 1e-3;
  if (!(batchNormMomentum >= 0 && batchNormMomentum <= 1)) problems.push(`batchNormMomentum ${batchNormMomentum} should be in [0, 1]`);
  if (!(batchNormEpsilon > 0 && Number.isFinite(batchNormEpsilon))) problems.push(`batchNormEpsilon ${batchNormEpsilon} should be a positive number`);
  const padding = options.padding ?? 'same';
  if (!PADDING_STYLES.includes(padding)) problems.push(`padding '${padding}' should be ${oneOf(PADDING_STYLES)}`);
  if (problems.length > 0) throw new ConfigError(`Invalid options for ${spec.name}: ${problems.join('; ')}`);
  return {
    name: spec.name,
    width: spec.width,
    depth: spec.depth,
    resolution: spec.resolution,
    imageSize,
    numClasses,
    inChannels,
    includeTop: options.includeTop ?? true,
    dropoutRate,
    dropConnectRate,
    batchNormMomentum,
    batchNormEpsilon,
    padding,
    stages: base.stages,
    stemChannels: base.stemChannels,
    headChannels: base.headChannels,
    roundLimit: base.roundLimit,
  };
}

/**
 * A custom variant from the compound-scaling rule (published ones deviate slightly from it).
 *
 * @example
 * scaledVariant(2).width // 1.21
 */
export function scaledVariant(phi: number, coefficients: CompoundCoefficients = PAPER_COEFFICIENTS): VariantSpec {
  const scale = compoundScale(phi, coefficients);
  return {
    name: `efficientnet-phi${phi}`,
    width: scale.width,
    depth: scale.depth,
    resolution: scale.resolution,
    dropout: 0.2,
  };
}

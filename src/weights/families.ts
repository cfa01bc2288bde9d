/**
 * Weight families, one row each: the padding and batch-norm settings a family's networks were
 * built with, and the evaluation transform its weights expect. Registry entries, checkpoint
 * loading, the preprocessing presets and the default preprocessing all read these rows; nothing
 * else states a family's padding, epsilon, momentum or transform.
 *
 * Sources:
 * - lukemelas/EfficientNet-PyTorch: TF "same" padding, TF batch norm (ε 1e-3, decay 0.99 =
 *   PyTorch momentum 0.01); its examples/imagenet evaluates with `Resize(res, BICUBIC)` +
 *   `CenterCrop(res)`. AdvProp weights map pixels to [−1, 1] (mean = std = 0.5).
 * - torchvision 0.14 efficientnet.py: symmetric padding, PyTorch batch norm, except b5–b7, built
 *   with `BatchNorm2d(eps=0.001, momentum=0.01)`, and V2 S/M/L with `BatchNorm2d(eps=1e-03)`;
 *   transforms from the `EfficientNet_B*_Weights` and `EfficientNet_V2_*_Weights` enums.
 * - timm `tf_efficientnet_*`, `tf_efficientnetv2_*`: TF ports ("same", ε 1e-3); eval
 *   `Resize(floor(res / crop_pct))`, bicubic, with `crop_pct` and the test input size as its
 *   pretrained configs list them; the `.ap` weights and V2 S/M/L/XL use mean = std = 0.5 (timm
 *   squashes M/L/XL to the square instead of cropping; the same for square images).
 * - timm `efficientnet_*` (PyTorch-trained): symmetric padding, PyTorch batch norm.
 */
import { ConfigError, oneOf } from '../errors.js';
import type { PaddingStyle } from '../arch/padding.js';
import { canonicalVariantName, getVariant } from '../arch/variants.js';
import { IMAGENET_MEAN, IMAGENET_STD, type Interpolation, type PreprocessConfig, type ResizeMode } from './preprocessConfig.js';
import type { KeyFamily } from './keymaps.js';

export const WEIGHT_FAMILIES = ['lukemelas', 'advprop', 'torchvision', 'timm-tf', 'timm'] as const;
export type WeightFamilyName = (typeof WEIGHT_FAMILIES)[number];

export interface BatchNormSettings {
  readonly epsilon: number;
  /** PyTorch's convention: the weight of the new batch in the running statistics. */
  readonly momentum: number;
}

/** How an evaluation transform sizes a variant whose native resolution is `res`. */
export type Sizing =
  /** `Resize(res)` + `CenterCrop(res)`. */
  | { readonly rule: 'native' }
  /** `Resize(floor(res / cropPct[variant]))` + `CenterCrop(res)`. */
  | { readonly rule: 'cropPct'; readonly cropPct: Readonly<Record<string, number>> }
  /** `Resize(resize)` + `CenterCrop(crop)` as listed per variant; variants not listed have no such weights. */
  | { readonly rule: 'table'; readonly sizes: Readonly<Record<string, readonly [resize: number, crop: number]>> };

export interface EvalTransform {
  readonly sizing: Sizing;
  /** timm's `crop_mode='squash'` where its config says so; otherwise the shorter side is resized. */
  readonly resizeMode?: ResizeMode;
  readonly interpolation: Interpolation;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface WeightFamily {
  readonly name: WeightFamilyName;
  readonly keyFamily: KeyFamily;
  readonly padding: PaddingStyle;
  readonly batchNorm: BatchNormSettings;
  /** Variants built with other batch-norm settings than the family's. */
  readonly batchNormFor: Readonly<Record<string, BatchNormSettings>>;
  /** The transform of the family's main weights (`default`) and of other releases by name. */
  readonly transforms: { readonly default: EvalTransform } & Readonly<Record<string, EvalTransform>>;
  /** Variants whose main weights were evaluated with another transform than `default`. */
  readonly transformFor: Readonly<Record<string, EvalTransform>>;
}

const TF_BN: BatchNormSettings = { epsilon: 1e-3, momentum: 0.01 };
const TORCH_BN: BatchNormSettings = { epsilon: 1e-5, momentum: 0.1 };
const INCEPTION_MEAN = [0.5, 0.5, 0.5] as const;
const INCEPTION_STD = [0.5, 0.5, 0.5] as const;

const transform = (sizing: Sizing, interpolation: Interpolation, mean: readonly number[] = IMAGENET_MEAN, std: readonly number[] = IMAGENET_STD): EvalTransform => ({ sizing, interpolation, mean, std });
const NATIVE: Sizing = { rule: 'native' };

// torchvision 0.14, IMAGENET1K_V1 (resize_size, crop_size), all bicubic; IMAGENET1K_V2 exists for b1 only.
const TORCHVISION_V1: Sizing = { rule: 'table', sizes: {
  'efficientnet-b0': [256, 224], 'efficientnet-b1': [256, 240], 'efficientnet-b2': [288, 288], 'efficientnet-b3': [320, 300],
  'efficientnet-b4': [384, 380], 'efficientnet-b5': [456, 456], 'efficientnet-b6': [528, 528], 'efficientnet-b7': [600, 600],
} };
const TORCHVISION_V2: Sizing = { rule: 'table', sizes: { 'efficientnet-b1': [255, 240] } };
const TORCHVISION_V2_BN: BatchNormSettings = { epsilon: 1e-3, momentum: 0.1 };
const TORCHVISION_BN_FOR = {
  'efficientnet-b5': TF_BN, 'efficientnet-b6': TF_BN, 'efficientnet-b7': TF_BN,
  'efficientnet-v2-s': TORCHVISION_V2_BN, 'efficientnet-v2-m': TORCHVISION_V2_BN, 'efficientnet-v2-l': TORCHVISION_V2_BN,
};
// EfficientNet_V2_{S,M,L}_Weights.IMAGENET1K_V1: resize = crop, bilinear for S and M, bicubic and mean = std = 0.5 for L.
const TORCHVISION_V2_WEIGHTS = {
  'efficientnet-v2-s': { sizing: { rule: 'table', sizes: { 'efficientnet-v2-s': [384, 384] } }, interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD },
  'efficientnet-v2-m': { sizing: { rule: 'table', sizes: { 'efficientnet-v2-m': [480, 480] } }, interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD },
  'efficientnet-v2-l': { sizing: { rule: 'table', sizes: { 'efficientnet-v2-l': [480, 480] } }, interpolation: 'bicubic', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} as const satisfies Record<string, EvalTransform>;

// timm's crop_pct per tf_efficientnet resolution: res / (res + 32) rounded to three places, so
// floor(res / crop_pct) is 331 for b3 and 833 for l2, not 332 and 832.
const TIMM_TF: Sizing = { rule: 'cropPct', cropPct: {
  'efficientnet-b0': 0.875, 'efficientnet-b1': 0.882, 'efficientnet-b2': 0.890, 'efficientnet-b3': 0.904,
  'efficientnet-b4': 0.922, 'efficientnet-b5': 0.934, 'efficientnet-b6': 0.942, 'efficientnet-b7': 0.949,
  'efficientnet-b8': 0.954, 'efficientnet-l2': 0.96,
  'efficientnet-v2-b0': 0.875, 'efficientnet-v2-b1': 0.882, 'efficientnet-v2-b2': 0.890, 'efficientnet-v2-b3': 0.904,
} };
// tf_efficientnetv2_{s,m,l,xl}: crop_pct 1.0 at the test size, mean = std = 0.5 (in1k and in21k_ft_in1k alike).
const TIMM_TF_V2_FULL: EvalTransform = {
  sizing: { rule: 'cropPct', cropPct: { 'efficientnet-v2-s': 1, 'efficientnet-v2-m': 1, 'efficientnet-v2-l': 1, 'efficientnet-v2-xl': 1 } },
  interpolation: 'bicubic', mean: INCEPTION_MEAN, std: INCEPTION_STD,
};
// M, L and XL also squash the whole image to the test size (`crop_mode='squash'`); S keeps the aspect ratio.
const TIMM_TF_V2_SQUASH: EvalTransform = { ...TIMM_TF_V2_FULL, resizeMode: 'squash' };
const TIMM_TF_V2 = { 'efficientnet-v2-s': TIMM_TF_V2_FULL, 'efficientnet-v2-m': TIMM_TF_V2_SQUASH, 'efficientnet-v2-l': TIMM_TF_V2_SQUASH, 'efficientnet-v2-xl': TIMM_TF_V2_SQUASH };

const row = (name: WeightFamilyName, keyFamily: KeyFamily, padding: PaddingStyle, batchNorm: BatchNormSettings, transforms: WeightFamily['transforms'], batchNormFor = {}, transformFor = {}): WeightFamily => ({
  name, keyFamily, padding, batchNorm, batchNormFor, transforms, transformFor,
});

//                                    key family     padding     batch norm  transforms
const ROWS: Readonly<Record<WeightFamilyName, WeightFamily>> = {
  lukemelas: row('lukemelas', 'lukemelas', 'same', TF_BN, { default: transform(NATIVE, 'bicubic') }),
  advprop: row('advprop', 'lukemelas', 'same', TF_BN, { default: transform(NATIVE, 'bicubic', INCEPTION_MEAN, INCEPTION_STD) }),
  torchvision: row('torchvision', 'torchvision', 'symmetric', TORCH_BN, { default: transform(TORCHVISION_V1, 'bicubic'), v2: transform(TORCHVISION_V2, 'bilinear') }, TORCHVISION_BN_FOR, TORCHVISION_V2_WEIGHTS),
  // Momentum 0.01 as this code has always built tf_ ports; timm itself leaves PyTorch's 0.1.
  'timm-tf': row('timm-tf', 'timm', 'same', TF_BN, { default: transform(TIMM_TF, 'bicubic'), ap: transform(TIMM_TF, 'bicubic', INCEPTION_MEAN, INCEPTION_STD) }, {}, TIMM_TF_V2),
  // No timm-trained weights are in the registry; their transform is the native-resolution one.
  timm: row('timm', 'timm', 'symmetric', TORCH_BN, { default: transform(NATIVE, 'bicubic') }),
};

/**
 * A family's row.
 *
 * @example
 * weightFamily('torchvision').padding // 'symmetric'
 */
export function weightFamily(name: WeightFamilyName): WeightFamily {
  const found = ROWS[name];
  if (!found) throw new ConfigError(`Unknown weight family '${String(name)}'. Should be one of: ${oneOf(WEIGHT_FAMILIES)}`);
  return found;
}

/** timm's `tf_efficientnet_*` names: weights ported from TensorFlow (same padding, TF batch norm). */
export function isTensorFlowPort(modelName: string | undefined): boolean {
  return modelName?.trim().toLowerCase().startsWith('tf_') ?? false;
}

/**
 * The family of a checkpoint from its key names and model name: timm's `tf_` names are TF
 * ports. AdvProp files carry lukemelas keys and cannot be told apart; they read as lukemelas.
 *
 * @example
 * familyOf('timm', 'tf_efficientnet_b3') // 'timm-tf'
 */
export function familyOf(keyFamily: KeyFamily, modelName: string | undefined): WeightFamilyName {
  if (keyFamily === 'timm') return isTensorFlowPort(modelName) ? 'timm-tf' : 'timm';
  return keyFamily;
}

/**
 * Padding and batch norm of a family's network for a variant (any spelling; the family's
 * settings when the variant is unknown or not given).
 *
 * @example
 * familyNetworkSettings('torchvision', 'efficientnet_b6') // { padding: 'symmetric', batchNormEpsilon: 1e-3, batchNormMomentum: 0.01 }
 */
export function familyNetworkSettings(name: WeightFamilyName, variant: string | undefined): { padding: PaddingStyle; batchNormEpsilon: number; batchNormMomentum: number } {
  const family = weightFamily(name);
  const bn = (variant !== undefined ? family.batchNormFor[canonicalVariantName(variant)] : undefined) ?? family.batchNorm;
  return { padding: family.padding, batchNormEpsilon: bn.epsilon, batchNormMomentum: bn.momentum };
}

/** The preset name of a family's release: the family, or `family-release` (`torchvision-v2`). */
export function releaseLabel(name: WeightFamilyName, release: string): string {
  return release === 'default' ? name : `${name}-${release}`;
}

/**
 * Whether a family's release has a transform for a variant (`table` sizings list only some).
 *
 * @example
 * hasFamilyTransform('torchvision', 'efficientnet-b8') // false
 */
export function hasFamilyTransform(name: WeightFamilyName, variant: string, release = 'default'): boolean {
  const model = canonicalVariantName(variant);
  const sizing = releaseTransform(weightFamily(name), model, release)?.sizing;
  return sizing !== undefined && (sizing.rule === 'native' || (sizing.rule === 'table' ? model in sizing.sizes : model in sizing.cropPct));
}

/**
 * The evaluation transform of a family's release for a variant (any spelling).
 *
 * @example
 * familyTransform('torchvision', 'b0') // { resize: 256, crop: [224, 224], interpolation: 'bicubic', mean: IMAGENET_MEAN, std: IMAGENET_STD }
 */
export function familyTransform(name: WeightFamilyName, variant: string, release = 'default'): PreprocessConfig {
  const family = weightFamily(name);
  const model = canonicalVariantName(variant);
  const spec = releaseTransform(family, model, release);
  if (!spec) throw new ConfigError(`Weight family '${name}' has no release '${release}'. Should be one of: ${oneOf(Object.keys(family.transforms))}`);
  const resolution = getVariant(model).resolution;
  const { sizing, interpolation, mean, std } = spec;
  const mode = spec.resizeMode ? { resizeMode: spec.resizeMode } : {};
  if (sizing.rule === 'native') return { resize: resolution, crop: [resolution, resolution], ...mode, interpolation, mean, std };
  if (sizing.rule === 'cropPct') return { ...timmConfig(resolution, sizing.cropPct[model], mean, std), ...mode, interpolation };
  const size = sizing.sizes[model];
  if (!size) throw new ConfigError(`No ${releaseLabel(name, release)} weights for '${variant}'. Should be one of: ${oneOf(Object.keys(sizing.sizes))}`);
  return { resize: size[0], crop: [size[1], size[1]], ...mode, interpolation, mean, std };
}

/** A release's transform for a variant: the variant's own for the main weights where it has one. */
function releaseTransform(family: WeightFamily, model: string, release: string): EvalTransform | undefined {
  return (release === 'default' ? family.transformFor[model] : undefined) ?? family.transforms[release];
}

/**
 * timm's centre-crop evaluation for an input of `resolution` and a crop fraction:
 * `Resize(floor(resolution / cropPct))`, `CenterCrop(resolution)`, bicubic.
 *
 * @example
 * timmConfig(475, 0.936, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).resize // 507 (tf_efficientnet_l2.ns_jft_in1k_475)
 */
export function timmConfig(resolution: number, cropPct: number, mean: readonly number[], std: readonly number[]): PreprocessConfig {
  return { resize: Math.floor(resolution / cropPct), crop: [resolution, resolution], interpolation: 'bicubic', mean, std };
}

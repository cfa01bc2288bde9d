/**
 * Each weight set's evaluation transform, as published by its source:
 * - lukemelas: examples/imagenet/main.py, `Resize(image_size, BICUBIC)` + `CenterCrop(image_size)`
 *   with the variant's native resolution, ImageNet mean/std; AdvProp weights map pixels to [−1, 1].
 * - torchvision 0.14: `EfficientNet_B*_Weights.*.transforms` (torchvision/models/efficientnet.py).
 * - timm `tf_efficientnet_*`: `crop_pct` from its pretrained configs, `Resize(floor(res / crop_pct))`,
 *   bicubic; the `.ap` (AdvProp) tags use Inception mean/std (0.5).
 */
import { ConfigError, oneOf } from '../errors.js';
import { canonicalVariantName, getVariant } from '../arch/variants.js';
import { IMAGENET_MEAN, IMAGENET_STD, type Interpolation, type PreprocessConfig } from './preprocessConfig.js';

export const PRESET_NAMES = ['lukemelas', 'advprop', 'torchvision', 'torchvision-v2', 'timm-tf', 'timm-tf-ap'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const INCEPTION_MEAN = [0.5, 0.5, 0.5] as const;
const INCEPTION_STD = [0.5, 0.5, 0.5] as const;

type Row = readonly [resize: number, crop: number, interpolation: Interpolation];

// torchvision 0.14 efficientnet.py, IMAGENET1K_V1: resize_size, crop_size, interpolation.
const TORCHVISION_V1: Record<string, Row> = {
  'efficientnet-b0': [256, 224, 'bicubic'],
  'efficientnet-b1': [256, 240, 'bicubic'],
  'efficientnet-b2': [288, 288, 'bicubic'],
  'efficientnet-b3': [320, 300, 'bicubic'],
  'efficientnet-b4': [384, 380, 'bicubic'],
  'efficientnet-b5': [456, 456, 'bicubic'],
  'efficientnet-b6': [528, 528, 'bicubic'],
  'efficientnet-b7': [600, 600, 'bicubic'],
};
// IMAGENET1K_V2 exists for B1 only (the DEFAULT there).
const TORCHVISION_V2: Record<string, Row> = { 'efficientnet-b1': [255, 240, 'bilinear'] };

// timm's crop_pct per tf_efficientnet resolution. These are res / (res + 32) rounded to three
// places, so floor(res / crop_pct) is 331 for B3 and 833 for L2, not 332 and 832.
const TIMM_CROP_PCT: Record<string, number> = {
  'efficientnet-b0': 0.875, 'efficientnet-b1': 0.882, 'efficientnet-b2': 0.890, 'efficientnet-b3': 0.904,
  'efficientnet-b4': 0.922, 'efficientnet-b5': 0.934, 'efficientnet-b6': 0.942, 'efficientnet-b7': 0.949,
  'efficientnet-b8': 0.954, 'efficientnet-l2': 0.96,
};

/**
 * The preprocessing of a weight set: `preset` names its source, `variant` the model
 * (`efficientnet-b0`, `b0`, `tf_efficientnet_b0` …); `overrides` replace any field.
 *
 * @example
 * preset('torchvision', 'b0') // { resize: 256, crop: [224, 224], interpolation: 'bicubic', mean: IMAGENET_MEAN, std: IMAGENET_STD }
 */
export function preset(name: PresetName, variant: string, overrides: Partial<PreprocessConfig> = {}): PreprocessConfig {
  const model = canonicalVariantName(variant);
  const resolution = getVariant(model).resolution;
  let config: PreprocessConfig;
  switch (name) {
    case 'lukemelas':
    case 'advprop': {
      const [mean, std] = name === 'advprop' ? [INCEPTION_MEAN, INCEPTION_STD] : [IMAGENET_MEAN, IMAGENET_STD];
      config = { resize: resolution, crop: [resolution, resolution], interpolation: 'bicubic', mean, std };
      break;
    }
    case 'torchvision':
    case 'torchvision-v2': {
      const table = name === 'torchvision' ? TORCHVISION_V1 : TORCHVISION_V2;
      const row = table[model];
      if (!row) throw new ConfigError(`No ${name} weights for '${variant}'. Should be one of: ${oneOf(Object.keys(table))}`);
      config = { resize: row[0], crop: [row[1], row[1]], interpolation: row[2], mean: IMAGENET_MEAN, std: IMAGENET_STD };
      break;
    }
    case 'timm-tf':
    case 'timm-tf-ap': {
      const [mean, std] = name === 'timm-tf-ap' ? [INCEPTION_MEAN, INCEPTION_STD] : [IMAGENET_MEAN, IMAGENET_STD];
      config = timmConfig(resolution, TIMM_CROP_PCT[model], mean, std);
      break;
    }
    default:
      throw new ConfigError(`Unknown preprocessing preset '${String(name)}'. Should be one of: ${oneOf(PRESET_NAMES)}`);
  }
  return { ...config, ...overrides };
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

/**
 * Preprocessing presets: each names one weight family's evaluation transform (its release, where
 * a family published several), as the families table (src/weights/families.ts) states it.
 */
import { ConfigError, oneOf } from '../errors.js';
import { familyTransform, type WeightFamilyName } from '../weights/families.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';

export { timmConfig } from '../weights/families.js';

//                         preset            family        release
const PRESETS = {
  lukemelas: ['lukemelas', 'default'],
  advprop: ['advprop', 'default'],
  torchvision: ['torchvision', 'default'],
  'torchvision-v2': ['torchvision', 'v2'],
  'timm-tf': ['timm-tf', 'default'],
  'timm-tf-ap': ['timm-tf', 'ap'],
} as const satisfies Record<string, readonly [WeightFamilyName, string]>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as readonly PresetName[];

/**
 * The preprocessing of a weight set: `preset` names its source, `variant` the model
 * (`efficientnet-b0`, `b0`, `tf_efficientnet_b0` …); `overrides` replace any field.
 *
 * @example
 * preset('torchvision', 'b0') // { resize: 256, crop: [224, 224], interpolation: 'bicubic', mean: IMAGENET_MEAN, std: IMAGENET_STD }
 */
export function preset(name: PresetName, variant: string, overrides: Partial<PreprocessConfig> = {}): PreprocessConfig {
  const found = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!found) throw new ConfigError(`Unknown preprocessing preset '${String(name)}'. Should be one of: ${oneOf(PRESET_NAMES)}`);
  return { ...familyTransform(found[0], variant, found[1]), ...overrides };
}

/** The evaluation transform a network sees by default, from the weight family it was trained with. */
import type { NetworkSpec } from '../arch/network.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import type { KeyFamily } from '../weights/keymaps.js';
import type { EfficientNetConfig } from '../arch/config.js';
import { familyOf, familyTransform, hasFamilyTransform } from '../weights/families.js';
import { isPublishedVariant } from '../arch/variants.js';

/**
 * Channels to decode images to for a network: grey for one input channel, RGB otherwise.
 *
 * @example
 * decodeChannels(net.config) // 3
 */
export function decodeChannels(config: EfficientNetConfig): 1 | 3 {
  return config.inChannels === 1 ? 1 : 3;
}

/**
 * The evaluation transform of the checkpoint's family (src/weights/families.ts) at the
 * configured image size; a family without one for the variant (torchvision has b0–b7 only)
 * falls back to the reference's.
 *
 * @example
 * defaultPreprocess(buildNetwork(resolveConfig('efficientnet-b0')), 'lukemelas').crop // [224, 224]
 */
export function defaultPreprocess(net: NetworkSpec, family: KeyFamily, modelName?: string): PreprocessConfig {
  const { name, imageSize, resolution, inChannels } = net.config;
  const weights = familyOf(family, modelName);
  // A compound-scaled variant (`scaledVariant(2.5)`) has no published transform: the
  // reference's rule (resize and crop at the resolution, bicubic) at its own resolution.
  const base = !isPublishedVariant(name)
    ? { ...familyTransform('lukemelas', 'efficientnet-b0'), resize: resolution, crop: [resolution, resolution] as const }
    : familyTransform(hasFamilyTransform(weights, name) ? weights : 'lukemelas', name);
  const custom = imageSize[0] !== resolution || imageSize[1] !== resolution;
  // A custom image size keeps the family's resize/crop ratio.
  const resized = custom
    ? { ...base, crop: [imageSize[0], imageSize[1]] as const, resize: Math.round((base.resize * Math.min(...imageSize)) / base.crop[0]) }
    : base;
  if (inChannels === 3) return resized;
  const mean = Array.from({ length: inChannels }, (_, i) => base.mean[i % 3]);
  const std = Array.from({ length: inChannels }, (_, i) => base.std[i % 3]);
  return inChannels === 1 ? { ...resized, mean: [average(base.mean)], std: [average(base.std)] } : { ...resized, mean, std };
}

function average(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The published variants: width and depth multipliers, native resolution and dropout, exactly
 * as `efficientnet_params` of the reference implementation lists them; then EfficientNetV2, whose
 * rows name their own base network (torchvision 0.14 `efficientnet_v2_*`, timm `tf_efficientnetv2_*`).
 */
import { ConfigError, oneOf } from '../errors.js';
import { type BaseNetwork, V2_BASE, V2_L, V2_M, V2_S, V2_XL } from './stages.js';

export interface VariantSpec {
  readonly name: string;
  /** Channel multiplier (β^φ in the paper). */
  readonly width: number;
  /** Layer multiplier (α^φ). */
  readonly depth: number;
  /** Native input resolution (square). */
  readonly resolution: number;
  /** Dropout before the classifier. */
  readonly dropout: number;
  /** The stage table, stem and head the multipliers scale. Default: B0's. */
  readonly base?: BaseNetwork;
}

const variant = (name: string, width: number, depth: number, resolution: number, dropout: number, base?: BaseNetwork): VariantSpec => ({
  name, width, depth, resolution, dropout, ...(base ? { base } : {}),
});

//                                       width depth  res  dropout   params (1000 classes)
export const VARIANTS: readonly VariantSpec[] = [
  variant('efficientnet-b0', 1.0, 1.0, 224, 0.2), //   5,288,548
  variant('efficientnet-b1', 1.0, 1.1, 240, 0.2), //   7,794,184
  variant('efficientnet-b2', 1.1, 1.2, 260, 0.3), //   9,109,994
  variant('efficientnet-b3', 1.2, 1.4, 300, 0.3), //  12,233,232
  variant('efficientnet-b4', 1.4, 1.8, 380, 0.4), //  19,341,616
  variant('efficientnet-b5', 1.6, 2.2, 456, 0.4), //  30,389,784
  variant('efficientnet-b6', 1.8, 2.6, 528, 0.5), //  43,040,704
  variant('efficientnet-b7', 2.0, 3.1, 600, 0.5), //  66,347,960
  variant('efficientnet-b8', 2.2, 3.6, 672, 0.5), //  87,413,142
  variant('efficientnet-l2', 4.3, 5.3, 800, 0.5), // 480,309,308
];

/** The compound-scaled family's names (b0–b8, l2). */
export const VARIANT_NAMES: readonly string[] = VARIANTS.map((v) => v.name);

// Resolution: the evaluation size of the published weights (torchvision's crop for S/M/L, timm's
// test size for B0–B3 and XL). Dropout: torchvision's for S/M/L, Keras's for the others.
//                                           width depth  res  dropout  base     params (1000 classes)
export const V2_VARIANTS: readonly VariantSpec[] = [
  variant('efficientnet-v2-b0', 1.0, 1.0, 224, 0.2, V2_BASE), //   7,139,704
  variant('efficientnet-v2-b1', 1.0, 1.1, 240, 0.2, V2_BASE), //   8,141,052
  variant('efficientnet-v2-b2', 1.1, 1.2, 260, 0.3, V2_BASE), //  10,096,086
  variant('efficientnet-v2-b3', 1.2, 1.4, 300, 0.3, V2_BASE), //  14,358,406
  variant('efficientnet-v2-s', 1.0, 1.0, 384, 0.2, V2_S), //      21,458,488
  variant('efficientnet-v2-m', 1.0, 1.0, 480, 0.3, V2_M), //      54,139,356
  variant('efficientnet-v2-l', 1.0, 1.0, 480, 0.4, V2_L), //     118,515,272
  variant('efficientnet-v2-xl', 1.0, 1.0, 512, 0.4, V2_XL), //   208,119,808
];

export const V2_VARIANT_NAMES: readonly string[] = V2_VARIANTS.map((v) => v.name);

/** Every published variant, V1 then V2. */
export const PUBLISHED_VARIANTS: readonly VariantSpec[] = [...VARIANTS, ...V2_VARIANTS];

/**
 * Looks a variant up by name. Accepts the reference spelling (`efficientnet-b0`), torchvision's
 * and timm's (`efficientnet_b0`, `tf_efficientnet_b0`, `efficientnet_v2_s`, `tf_efficientnetv2_s`)
 * and the bare tag (`b0`, `v2-s`).
 *
 * @example
 * getVariant('efficientnet-b3').resolution // 300
 * getVariant('efficientnet_v2_s').resolution // 384
 */
export function getVariant(name: string): VariantSpec {
  const canonical = canonicalVariantName(name);
  const found = PUBLISHED_VARIANTS.find((v) => v.name === canonical);
  if (!found) throw new ConfigError(`Unknown model '${name}'. Should be one of: ${oneOf(PUBLISHED_VARIANTS.map((v) => v.name))}`);
  return found;
}

/** Whether a (canonical) name is a published variant rather than a compound-scaled custom one. */
export function isPublishedVariant(name: string): boolean {
  return PUBLISHED_VARIANTS.some((v) => v.name === name);
}

/**
 * Normalises `tf_efficientnet_b0`, `efficientnet_b0` or `b0` to `efficientnet-b0`, and
 * `tf_efficientnetv2_s`, `efficientnet_v2_s` or `v2-s` to `efficientnet-v2-s` (unknown names pass through).
 *
 * @example
 * canonicalVariantName('tf_efficientnetv2_b3') // 'efficientnet-v2-b3'
 */
export function canonicalVariantName(name: string): string {
  const tag = name.trim().toLowerCase().replace(/^tf_/, '').replace(/^efficientnet[-_]?/, '');
  if (/^(b\d|l2)$/.test(tag)) return `efficientnet-${tag}`;
  const v2 = /^v2[-_]?(b[0-3]|s|m|l|xl)$/.exec(tag);
  return v2 ? `efficientnet-v2-${v2[1]}` : name;
}

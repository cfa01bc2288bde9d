/**
 * The published variants: width and depth multipliers, native resolution and dropout, exactly
 * as `efficientnet_params` of the reference implementation lists them.
 */
import { ConfigError, oneOf } from '../errors.js';

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
}

const variant = (name: string, width: number, depth: number, resolution: number, dropout: number): VariantSpec => ({
  name, width, depth, resolution, dropout,
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

export const VARIANT_NAMES: readonly string[] = VARIANTS.map((v) => v.name);

/**
 * Looks a variant up by name. Accepts the reference spelling (`efficientnet-b0`), torchvision's
 * and timm's (`efficientnet_b0`, `tf_efficientnet_b0`) and the bare tag (`b0`).
 *
 * @example
 * getVariant('efficientnet-b3').resolution // 300
 */
export function getVariant(name: string): VariantSpec {
  const canonical = canonicalVariantName(name);
  const found = VARIANTS.find((v) => v.name === canonical);
  if (!found) throw new ConfigError(`Unknown model '${name}'. Should be one of: ${oneOf(VARIANT_NAMES)}`);
  return found;
}

/** Normalises `tf_efficientnet_b0`, `efficientnet_b0` or `b0` to `efficientnet-b0` (unknown names pass through). */
export function canonicalVariantName(name: string): string {
  const tag = name.trim().toLowerCase().replace(/^tf_/, '').replace(/^efficientnet[-_]/, '');
  return /^(b\d|l2)$/.test(tag) ? `efficientnet-${tag}` : name;
}

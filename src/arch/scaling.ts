/**
 * Compound scaling: the two rounding rules of the reference implementation and the paper's
 * d = α^φ, w = β^φ, r = γ^φ rule for any φ.
 */
import { ConfigError } from '../errors.js';

/**
 * Scales a channel count by `width` and rounds it to a multiple of `divisor`, never going
 * below `roundLimit` of the scaled value (the reference's `round_filters`, torchvision's
 * `_make_divisible`; timm's V2 B0–B3 pass roundLimit 0).
 *
 * @example
 * roundFilters(32, 1.1) // 32 (35.2 rounds down to 32, which is ≥ 0.9 × 35.2)
 * roundFilters(16, 1.2, 8, 8, 0) // 16 (19.2 rounds down; 0.9 would make it 24)
 */
export function roundFilters(filters: number, width: number, divisor = 8, minDepth = divisor, roundLimit = 0.9): number {
  if (width === 1) return filters;
  const scaled = filters * width;
  let rounded = Math.max(minDepth, Math.floor((scaled + divisor / 2) / divisor) * divisor);
  if (rounded < roundLimit * scaled) rounded += divisor; // never lose more than (1 − roundLimit) of the channels
  return rounded;
}

/**
 * Scales a stage's block count by `depth`, rounding up (the reference's `round_repeats`).
 *
 * @example
 * roundRepeats(3, 1.4) // 5
 */
export function roundRepeats(repeats: number, depth: number): number {
  if (depth === 1) return repeats;
  return Math.ceil(depth * repeats);
}

/** The paper's grid-searched constants for B0 (α·β²·γ² ≈ 2). */
export const PAPER_COEFFICIENTS = { alpha: 1.2, beta: 1.1, gamma: 1.15 } as const;

export interface CompoundCoefficients {
  /** Depth base α. */
  readonly alpha: number;
  /** Width base β. */
  readonly beta: number;
  /** Resolution base γ. */
  readonly gamma: number;
}

export interface CompoundScale {
  readonly phi: number;
  /** Depth multiplier α^φ. */
  readonly depth: number;
  /** Width multiplier β^φ. */
  readonly width: number;
  /** Resolution multiplier γ^φ. */
  readonly resolutionMultiplier: number;
  /** 224·γ^φ rounded to the nearest integer. */
  readonly resolution: number;
  /** FLOPs grow by about (α·β²·γ²)^φ. */
  readonly flopsMultiplier: number;
}

/**
 * The pure compound-scaling rule for any φ (the published B1–B7 deviate from it slightly).
 *
 * @example
 * compoundScale(1).width // 1.1
 */
export function compoundScale(phi: number, coefficients: CompoundCoefficients = PAPER_COEFFICIENTS, baseResolution = 224): CompoundScale {
  const { alpha, beta, gamma } = coefficients;
  const problems: string[] = [];
  if (!Number.isFinite(phi)) problems.push(`phi ${phi} is not a finite number`);
  for (const [name, value] of Object.entries({ alpha, beta, gamma })) {
    if (!(Number.isFinite(value) && value > 0)) problems.push(`${name} ${value} should be a positive number`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid compound scaling: ${problems.join('; ')}`);
  const resolutionMultiplier = gamma ** phi;
  return {
    phi,
    depth: alpha ** phi,
    width: beta ** phi,
    resolutionMultiplier,
    resolution: Math.round(baseResolution * resolutionMultiplier),
    flopsMultiplier: (alpha * beta * beta * gamma * gamma) ** phi,
  };
}

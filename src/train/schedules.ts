/**
 * Learning-rate schedules as pure functions of the step (0-based): constant, cosine, the
 * paper's staircase exponential decay, and linear warm-up in front of any of them.
 */
import { ConfigError } from '../errors.js';

export type Schedule = (step: number) => number;

/**
 * A constant rate.
 *
 * @example
 * constantRate(0.1)(1000) // 0.1
 */
export function constantRate(base: number): Schedule {
  return () => base;
}

/**
 * Cosine decay from `base` to `min` over `totalSteps` (torch's CosineAnnealingLR, closed form).
 *
 * @example
 * cosineDecay(0.1, 100)(50) // 0.05
 */
export function cosineDecay(base: number, totalSteps: number, min = 0): Schedule {
  if (!(totalSteps > 0)) throw new ConfigError(`cosine totalSteps ${totalSteps} should be positive`);
  return (step) => min + ((base - min) * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps))) / 2;
}

/**
 * The EfficientNet paper's decay: ×`rate` every `epochs` epochs (0.97 every 2.4), staircase
 * as TF's exponential_decay(staircase=True).
 *
 * @example
 * exponentialDecay(0.256, { stepsPerEpoch: 100 })(240) // 0.256 · 0.97
 */
export function exponentialDecay(base: number, options: { stepsPerEpoch: number; epochs?: number; rate?: number; staircase?: boolean }): Schedule {
  const decaySteps = (options.epochs ?? 2.4) * options.stepsPerEpoch;
  if (!(decaySteps > 0)) throw new ConfigError(`exponential decay needs positive stepsPerEpoch, got ${options.stepsPerEpoch}`);
  const rate = options.rate ?? 0.97;
  const staircase = options.staircase ?? true;
  return (step) => base * rate ** (staircase ? Math.floor(step / decaySteps) : step / decaySteps);
}

/**
 * Linear warm-up from `startFactor`·rate to the rate over `steps`, then `schedule` continues
 * from its own step 0 (as the paper's warm-up followed by decay).
 *
 * @example
 * withWarmup(cosineDecay(0.1, 1000), 100)(50) // 0.05
 */
export function withWarmup(schedule: Schedule, steps: number, startFactor = 0): Schedule {
  if (!(steps >= 0)) throw new ConfigError(`warm-up steps ${steps} should be non-negative`);
  return (step) => (step < steps ? schedule(0) * (startFactor + ((1 - startFactor) * step) / steps) : schedule(step - steps));
}

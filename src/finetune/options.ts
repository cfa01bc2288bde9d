/**
 * Fine-tuning options with their defaults, the learning-rate schedule they describe, and the
 * fingerprint a resumed run must match.
 */
import { ConfigError, oneOf } from '../errors.js';
import type { RuntimeOptions } from '../runtime/session.js';
import type { BatchNormMode } from '../train/emit/context.js';
import type { FreezeSpec } from '../train/freeze.js';
import type { OptimizerOptions } from '../train/optimizers.js';
import { constantRate, cosineDecay, exponentialDecay, withWarmup, type Schedule } from '../train/schedules.js';
import type { LabelledDataset } from './dataset.js';
import type { EpochRecord } from './runState.js';
import type { AugmentOptions } from '../data/transforms/train.js';
import type { ProgressiveOptions } from './progressive.js';
import { FNV_OFFSET, codeUnits, fnv1a32 } from '../util/random.js';

export const SCHEDULES = ['constant', 'cosine', 'exponential'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** Reported after every training step. */
export interface StepInfo {
  readonly epoch: number;
  readonly epochs: number;
  /** Items of this epoch's order done, and in all. */
  readonly position: number;
  readonly total: number;
  /** Steps taken in the whole run. */
  readonly step: number;
  readonly loss: number;
  /** Running mean loss and accuracy over this epoch. */
  readonly meanLoss: number;
  readonly accuracy: number;
  readonly learningRate: number;
  readonly images: number;
}

/** Reported after every epoch (validation included). */
export interface EpochInfo extends EpochRecord {
  readonly epochs: number;
  /** This epoch's validation accuracy is the best so far (or there is no validation). */
  readonly best: boolean;
}

export interface FitOptions {
  readonly epochs: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** 'head' (classifier on a frozen backbone), { stages: N } or 'none' (default). */
  readonly freeze?: FreezeSpec;
  /** Default 'train'. */
  readonly batchNorm?: BatchNormMode;
  /** Default Adam. */
  readonly optimizer?: OptimizerOptions;
  /** Peak learning rate. Default 1e-3. */
  readonly learningRate?: number;
  /** Default 'cosine' (to 0 over the run). */
  readonly schedule?: ScheduleName;
  /** Linear warm-up, in epochs (fractions allowed). Default 0. */
  readonly warmupEpochs?: number;
  readonly labelSmoothing?: number;
  /** Dropout before the classifier, drop connect in the blocks (training graph only). Default true. */
  readonly dropout?: boolean;
  readonly dropConnect?: boolean;
  readonly clipGradNorm?: number;
  /**
   * Start the classifier at zero weights (every class equally likely, loss ln K) instead of
   * random ones, whose logits on 1280 unit-variance features start the loss at 5–8. Default false.
   */
  readonly zeroHead?: boolean;
  /** Running statistics start from the first batch's instead of 0 and 1: for training from scratch. Default false. */
  readonly freshStatistics?: boolean;
  /** Seeds the head, data order, augmentation, split and masks. Default 0. */
  readonly seed?: number;
  /** A validation set with the same classes, or a fraction of the training set split off. */
  readonly validation?: LabelledDataset | { readonly split: number };
  /**
   * Progressive learning (EfficientNetV2): image sizes growing from `start` to `end` over stages
   * of epochs, optionally with dropout and RandAugment magnitude growing too; the trained model
   * ends at `end`. See `progressiveStages`.
   */
  readonly progressive?: ProgressiveOptions;
  /** Training augmentation; false for the evaluation transform. Default: `defaultAugment` of the model's image size (the last stage's with `progressive`). */
  readonly augment?: AugmentOptions | false;
  /** Head-only: compute features once and train on them. Default: when `augment` is false. */
  readonly cacheFeatures?: boolean;
  /** Write the best model here, the last beside it (`.last`), the resume state (`.state`) and the curves (`.curves.svg`). */
  readonly out?: string;
  /** Continue from `<out>.state.safetensors` when it exists. */
  readonly resume?: boolean;
  /** Also save the resume state every N steps (besides each epoch's end). Default 200. */
  readonly checkpointEvery?: number;
  /** Stop after the current step, save the state, and return with `stopped: true`. */
  readonly signal?: AbortSignal;
  readonly onStep?: (info: StepInfo) => void | Promise<void>;
  readonly onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** An image that was skipped (not an image, unreadable), reported once. */
  readonly onSkip?: (path: string, reason: string) => void;
  /** Images decoding at once. */
  readonly inFlight?: number;
  readonly runtime?: RuntimeOptions;
}

/** Batch-norm momentum when training from scratch: PyTorch's, so the running statistics keep up with weights that move fast. */
export const FROM_SCRATCH_MOMENTUM = 0.1;

/**
 * Image sides below which training runs on the evaluation transform by default: a random
 * resized crop down to 8% of a 28–32 px image keeps a few pixels of it, and a short run learns
 * less from those than from the images themselves (bench/finetune.ts measures it).
 */
export const SMALL_IMAGE_SIDE = 64;

/**
 * The default training augmentation for images of `imageSize` [H, W]: none below
 * SMALL_IMAGE_SIDE, random resized crop (8–100%) and flip from there on.
 *
 * @example
 * defaultAugment([32, 32]) // false
 * defaultAugment([224, 224]) // {}
 */
export function defaultAugment(imageSize: readonly [number, number]): AugmentOptions | false {
  return Math.min(...imageSize) < SMALL_IMAGE_SIDE ? false : {};
}

/**
 * One line naming the defaults a run takes (batch-norm momentum, augmentation, schedule), so the
 * user sees what was chosen for them.
 *
 * @example
 * describeDefaults({ momentum: 0.1, augment: false, schedule: 'cosine' })
 * // 'batch-norm momentum 0.1, no augmentation, cosine schedule'
 */
export function describeDefaults(chosen: { readonly momentum: number; readonly augment: AugmentOptions | false; readonly schedule: ScheduleName }): string {
  const augment = chosen.augment === false
    ? 'no augmentation'
    : `${chosen.augment.crop === false ? 'centre crop' : 'random resized crop'}${chosen.augment.flip === false ? '' : ' and flip'}${chosen.augment.randAugment ? ' and RandAugment' : ''}`;
  return `batch-norm momentum ${chosen.momentum}, ${augment}, ${chosen.schedule} schedule`;
}

/**
 * The learning rate per step for the run.
 *
 * @example
 * learningRateSchedule({ epochs: 10, schedule: 'cosine' }, 100)(500) // 5e-4
 */
export function learningRateSchedule(options: FitOptions, stepsPerEpoch: number): Schedule {
  const base = options.learningRate ?? 1e-3;
  const warmup = Math.round((options.warmupEpochs ?? 0) * stepsPerEpoch);
  const total = Math.max(1, options.epochs * stepsPerEpoch - warmup);
  const name = options.schedule ?? 'cosine';
  if (!SCHEDULES.includes(name)) throw new ConfigError(`Invalid schedule '${name}'. Should be one of: ${oneOf(SCHEDULES)}`);
  const decay = name === 'constant' ? constantRate(base) : name === 'cosine' ? cosineDecay(base, total) : exponentialDecay(base, { stepsPerEpoch });
  return warmup > 0 ? withWarmup(decay, warmup) : decay;
}

/**
 * Checks the numeric options, naming the bad one.
 *
 * @example
 * checkFitOptions({ epochs: 0 }) // throws ConfigError: epochs must be a positive integer, got 0
 */
export function checkFitOptions(options: FitOptions): void {
  const ints: [string, number | undefined][] = [['epochs', options.epochs], ['batchSize', options.batchSize], ['checkpointEvery', options.checkpointEvery]];
  for (const [name, value] of ints) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new ConfigError(`${name} must be a positive integer, got ${value}`);
  }
  if (options.learningRate !== undefined && !(options.learningRate > 0)) throw new ConfigError(`learningRate must be positive, got ${options.learningRate}`);
}

/**
 * What a resumed run must share with the run that wrote the state: everything that decides the
 * steps (options, model, classes, the training files in order).
 *
 * @example
 * fingerprint({ epochs: 3 }, 'efficientnet-b0', ['cat', 'dog'], paths) === saved.fingerprint
 */
export function fingerprint(options: FitOptions, model: string, classes: readonly string[], paths: readonly string[]): string {
  const { signal: _s, onStep: _a, onEpoch: _b, onSkip: _c, runtime: _r, inFlight: _i, resume: _z, out: _o, checkpointEvery: _e, validation, ...rest } = options;
  const hash = paths.reduce((h, path) => fnv1a32(codeUnits(path), h), FNV_OFFSET); // over UTF-16 units, as saved states were written
  const split = validation && 'split' in validation ? validation.split : undefined;
  return JSON.stringify({ ...rest, split, model, classes, files: paths.length, hash });
}

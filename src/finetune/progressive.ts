/**
 * Progressive learning (EfficientNetV2, Tan & Le 2021, section 4): the epochs split into stages
 * whose image size grows linearly from `start` to `end`, small images and weak regularisation
 * early, large images and strong regularisation late. The plan is data; `fit` builds each
 * stage's model from it and carries the trainer's state across.
 */
import { ConfigError } from '../errors.js';
import type { ImageModel } from '../model/imageModel.js';
import type { StateDict } from '../weights/tensor.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import type { AugmentOptions } from '../data/transforms/train.js';

export interface ProgressiveOptions {
  /** Image side of the first stage. */
  readonly start: number;
  /** Image side of the last stage (the trained model's size). */
  readonly end: number;
  /** Stages before equal sizes merge. Default min(4, epochs), the paper's 4. */
  readonly stages?: number;
  /** Dropout before the classifier, first to last stage (the paper's S: 0.1 → 0.3). Default: the model's rate throughout. */
  readonly dropout?: readonly [number, number];
  /** RandAugment magnitude, first to last stage (the paper's S: 5 → 15), when RandAugment is on. */
  readonly magnitude?: readonly [number, number];
}

/** One stage: which epochs, at which size, with which regularisation. */
export interface ProgressiveStage {
  /** First epoch (0-based) and how many. */
  readonly firstEpoch: number;
  readonly epochs: number;
  readonly size: number;
  readonly dropout?: number;
  readonly magnitude?: number;
}

/** Intermediate sizes land on multiples of this, as the V2 paper's and timm's input sizes do (the ends stay as given). */
export const SIZE_MULTIPLE = 8;

/**
 * The stages of a run of `epochs` epochs: sizes linear from `start` to `end`, intermediate ones
 * rounded to a multiple of 8, neighbours of equal size merged; regularisation linear over the
 * merged stages.
 *
 * @example
 * progressiveStages(10, { start: 24, end: 32 }).map((s) => [s.firstEpoch, s.size]) // [[0, 24], [5, 32]]
 * progressiveStages(8, { start: 128, end: 300 }).map((s) => s.size) // [128, 184, 240, 300]
 */
export function progressiveStages(epochs: number, options: ProgressiveOptions): ProgressiveStage[] {
  checkProgressive(epochs, options);
  const count = options.stages ?? Math.min(4, epochs);
  const raw = Array.from({ length: count }, (_, i) => {
    const exact = count === 1 ? options.end : options.start + ((options.end - options.start) * i) / (count - 1);
    const size = i === 0 || i === count - 1 ? Math.round(exact) : Math.max(SIZE_MULTIPLE, Math.round(exact / SIZE_MULTIPLE) * SIZE_MULTIPLE);
    return { firstEpoch: Math.floor((i * epochs) / count), size };
  });
  const merged = raw.filter((stage, i) => i === 0 || stage.size !== raw[i - 1].size);
  const along = (range: readonly [number, number] | undefined, i: number) =>
    range && (merged.length === 1 ? range[1] : range[0] + ((range[1] - range[0]) * i) / (merged.length - 1));
  return merged.map((stage, i) => ({
    ...stage,
    epochs: (merged[i + 1]?.firstEpoch ?? epochs) - stage.firstEpoch,
    dropout: along(options.dropout, i),
    magnitude: along(options.magnitude, i) === undefined ? undefined : Math.round(along(options.magnitude, i)!),
  }));
}

/**
 * The stage that `epoch` belongs to.
 *
 * @example
 * stageOf(progressiveStages(10, { start: 24, end: 32 }), 7).size // 32
 */
export function stageOf(stages: readonly ProgressiveStage[], epoch: number): ProgressiveStage {
  return [...stages].reverse().find((s) => s.firstEpoch <= epoch) ?? stages[0];
}

/**
 * The stage sizes in words, for the first output line of a run.
 *
 * @example
 * describeStages(progressiveStages(10, { start: 24, end: 32 })) // '24 px (epochs 1–5), 32 px (epochs 6–10)'
 */
export function describeStages(stages: readonly ProgressiveStage[]): string {
  return stages.map((s) => {
    const range = s.epochs === 1 ? `epoch ${s.firstEpoch + 1}` : `epochs ${s.firstEpoch + 1}–${s.firstEpoch + s.epochs}`;
    const extras = [s.dropout !== undefined ? `dropout ${+s.dropout.toFixed(3)}` : '', s.magnitude !== undefined ? `magnitude ${s.magnitude}` : ''].filter(Boolean);
    return `${s.size} px (${[range, ...extras].join(', ')})`;
  }).join(', ');
}

/**
 * `template` at the stage's size and dropout, around `weights`: the evaluation transform keeps
 * its resize-to-crop ratio at the new crop, so each stage sees images as the last will.
 *
 * @example
 * const stageModel = modelForStage(model, model.weights, stages[0]);
 */
export function modelForStage<M extends ImageModel>(template: M, weights: StateDict, stage: ProgressiveStage): M {
  return template.withWeights(new Map(weights), {
    imageSize: stage.size, dropoutRate: stage.dropout ?? template.config.dropoutRate, preprocess: preprocessAt(template.preprocess, stage.size),
  });
}

/**
 * The run's augmentation in a stage: RandAugment's magnitude set by the stage when it has one.
 *
 * @example
 * augmentForStage({ randAugment: { ops: 2 } }, { ...stage, magnitude: 5 }) // { randAugment: { ops: 2, magnitude: 5 } }
 */
export function augmentForStage(augment: AugmentOptions | false, stage: ProgressiveStage): AugmentOptions | false {
  if (augment === false || !augment.randAugment || stage.magnitude === undefined) return augment;
  return { ...augment, randAugment: { ...augment.randAugment, magnitude: stage.magnitude } };
}

/** The evaluation transform at a square crop of `size`, resize scaled to keep the crop ratio. */
function preprocessAt(config: PreprocessConfig, size: number): PreprocessConfig {
  return { ...config, crop: [size, size], resize: Math.round((config.resize * size) / config.crop[0]) };
}

/** Every problem with the options at once. */
function checkProgressive(epochs: number, options: ProgressiveOptions): void {
  const problems: string[] = [];
  for (const key of ['start', 'end'] as const) {
    const v = options[key];
    if (!(Number.isInteger(v) && v >= SIZE_MULTIPLE)) problems.push(`progressive.${key} must be a whole number of pixels ≥ ${SIZE_MULTIPLE}, got ${v}`);
  }
  if (options.stages !== undefined && !(Number.isInteger(options.stages) && options.stages >= 1 && options.stages <= epochs)) {
    problems.push(`progressive.stages must be a whole number from 1 to the ${epochs} epoch(s), got ${options.stages}`);
  }
  const ranges: [string, readonly [number, number] | undefined, number][] = [['dropout', options.dropout, 1], ['magnitude', options.magnitude, 30]];
  for (const [name, range, max] of ranges) {
    if (range && !(range.length === 2 && range.every((v) => Number.isFinite(v) && v >= 0 && v <= max) && (name !== 'dropout' || range.every((v) => v < 1)))) {
      problems.push(`progressive.${name} must be [from, to] between 0 and ${max}, got ${JSON.stringify(range)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
}

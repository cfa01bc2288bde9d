/**
 * What `classify` and `features` share: preprocessing overrides, walking the inputs, batching
 * with a progress bar, and reporting unreadable images without stopping.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { listImages } from '../node/walk.js';
import { positiveInt } from './options.js';
import { progressBar } from './progress.js';
import { DatasetError, EfficientNetError, INTERPOLATIONS, ImageDecodeError, decodeChannels, loadBatches, type EfficientNet, type FloatBatch, type Interpolation, type PreprocessConfig } from '../index.js';

export interface ImageCliOptions {
  batchSize: number;
  resize?: number;
  crop?: [number, number];
  interpolation?: Interpolation;
  mean?: number[];
  std?: number[];
}

/** Some images could not be read; the others were processed. */
export class PartialFailureError extends EfficientNetError {
  override name = 'PartialFailureError';
}

function numberList(value: string): number[] {
  const values = value.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new InvalidArgumentError(`'${value}' is not a comma-separated list of numbers, e.g. 0.485,0.456,0.406.`);
  return values;
}

function cropSize(value: string): [number, number] {
  const match = /^(\d+)(?:x(\d+))?$/.exec(value.trim());
  if (!match || Number(match[1]) === 0 || Number(match[2] ?? 1) === 0) throw new InvalidArgumentError(`'${value}' is not a crop size; expected N or HxW.`);
  return [Number(match[1]), Number(match[2] ?? match[1])];
}

/** Adds --batch-size and the preprocessing overrides. */
export function addImageOptions(command: Command): Command {
  return command
    .option('--batch-size <n>', 'images per engine call', positiveInt, 8)
    .option('--resize <n>', 'resize the shorter side to N pixels', positiveInt)
    .option('--crop <size>', 'centre crop N or HxW', cropSize)
    .addOption(new Option('--interpolation <method>', 'resampling filter').choices(INTERPOLATIONS))
    .option('--mean <list>', 'per-channel mean, e.g. 0.485,0.456,0.406', numberList)
    .option('--std <list>', 'per-channel std, e.g. 0.229,0.224,0.225', numberList);
}

/** The model's preprocessing with the command line's overrides. */
export function preprocessFor(net: EfficientNet, opts: ImageCliOptions): PreprocessConfig {
  const overrides: Partial<PreprocessConfig> = Object.fromEntries(
    Object.entries({ resize: opts.resize, crop: opts.crop, interpolation: opts.interpolation, mean: opts.mean, std: opts.std }).filter(([, v]) => v !== undefined),
  );
  const config = { ...net.preprocess, ...overrides };
  const channels = net.config.inChannels;
  for (const [name, list] of [['mean', config.mean], ['std', config.std]] as const) {
    if (list.length !== channels) throw new DatasetError(`--${name} has ${list.length} values; the model takes ${channels} channels`);
  }
  return config;
}

/** Lists the images the inputs name; paths that were skipped are reported on stderr. */
export async function collectImages(inputs: readonly string[]): Promise<{ files: string[]; problems: number }> {
  const { files, skipped } = await listImages(inputs);
  for (const { path, reason } of skipped) process.stderr.write(`efficientnet: skipped ${path}: ${reason}\n`);
  if (files.length === 0) throw new DatasetError(`No images found in ${inputs.join(', ')} (looked for .jpg, .jpeg, .png, .webp, .gif, .tif, .tiff, .avif)`);
  return { files, problems: skipped.length };
}

/**
 * Runs `onBatch` on every batch of decodable images, in input order, while the next batch
 * decodes; unreadable images are reported by name. Throws {@link PartialFailureError} at the end
 * when any input was skipped or failed.
 */
export async function forEachImageBatch(net: EfficientNet, inputs: readonly string[], opts: ImageCliOptions, onBatch: (batch: FloatBatch, files: readonly string[]) => Promise<void>): Promise<void> {
  const { files, problems } = await collectImages(inputs);
  net.expectImageDecoding();
  const config = preprocessFor(net, opts);
  const bar = progressBar(files.length, 'images', '{bar} {value}/{total} | {rate} img/s | ETA {eta_formatted}');
  let failed = problems;
  let done = 0;
  try {
    for await (const batch of loadBatches(files, config, { batchSize: opts.batchSize, channels: decodeChannels(net.config) })) {
      for (const { item, error } of batch.failed) {
        process.stderr.write(`efficientnet: skipped ${item}: ${error instanceof ImageDecodeError ? error.reason : error.message}\n`);
        failed++;
      }
      if (batch.items.length > 0) await onBatch(batch, batch.items);
      done += batch.items.length + batch.failed.length;
      bar.update(done);
    }
  } finally {
    bar.stop();
  }
  if (failed > 0) {
    const processed = files.length - (failed - problems);
    const total = files.length + problems;
    throw new PartialFailureError(`${failed} of ${total} input${total === 1 ? '' : 's'} could not be read (see above); ${processed === 0 ? 'none was' : processed === 1 ? '1 was' : `${processed} were`} processed`);
  }
}

/**
 * Before training: split off or check the validation set, drop the files that are not images
 * (each reported once, by name, through `onSkip`), and make sure at least one image loads.
 */
import { DatasetError } from '../errors.js';
import type { ImageFolderDataset } from '../data/imageFolder.js';
import { checkSameClasses, scanImages, splitDataset, type LabelledDataset } from './dataset.js';
import type { FailedSample, Source } from './sources.js';

export interface PreparedData {
  readonly train: LabelledDataset;
  readonly validation?: LabelledDataset;
  /** Every file left out so far, with the reason (grows as the loader meets more). */
  readonly skipped: { path: string; reason: string }[];
  /** Records a skipped file once and reports it. */
  readonly skip: (path: string, reason: string) => void;
}

/**
 * @example
 * const { train, validation } = await prepareData(await imageFolder('flowers'), { split: 0.1 }, 0);
 */
export async function prepareData(
  dataset: ImageFolderDataset | LabelledDataset,
  validationOption: LabelledDataset | { readonly split: number } | undefined,
  seed: number,
  onSkip?: (path: string, reason: string) => void,
): Promise<PreparedData> {
  const skipped: { path: string; reason: string }[] = [];
  const reported = new Set<string>();
  const skip = (path: string, reason: string) => {
    if (reported.has(path)) return;
    reported.add(path);
    skipped.push({ path, reason });
    onSkip?.(path, reason);
  };
  if ('skipped' in dataset) dataset.skipped.forEach((s) => skip(s.path, s.reason));
  let train: LabelledDataset = dataset;
  let validation: LabelledDataset | undefined;
  if (validationOption && 'split' in validationOption) ({ train, validation } = splitDataset(dataset, validationOption.split, seed));
  else if (validationOption) (validation = validationOption), checkSameClasses(dataset, validation);
  const readable = async (set: LabelledDataset): Promise<LabelledDataset> => {
    const scanned = await scanImages(set.samples);
    scanned.skipped.forEach((s) => skip(s.path, s.reason));
    return { classes: set.classes, samples: scanned.samples };
  };
  train = await readable(train);
  if (train.samples.length === 0) throw new DatasetError('No readable training images left after skipping the unreadable ones');
  return { train, validation: validation && (await readable(validation)), skipped, skip };
}

/**
 * Zero usable training images is an error before anything is written (a run whose every image
 * fails the transform, e.g. `inChannels: 2` on RGB files, would otherwise "train" on nothing and
 * overwrite the previous model). Loads the images in order until one passes; failures met on the
 * way are reported through `skip`.
 *
 * @example
 * await requireUsableImage(imageSource(train, config, 3, { ...opts, batchSize: 1 }), train.samples.length, skip);
 */
export async function requireUsableImage(images: Source, count: number, skip: (path: string, reason: string) => void): Promise<void> {
  let first: FailedSample | undefined;
  for await (const batch of images(Array.from({ length: count }, (_, i) => i), 0, 0)) {
    for (const failure of batch.failed) {
      first ??= failure;
      skip(failure.path, failure.error.message);
    }
    if (batch.labels.length > 0) return;
  }
  const why = first ? `; the first, '${first.path}': ${first.error.message}` : '';
  throw new DatasetError(`No usable training images: all ${count} failed to load${why}. Nothing was written`);
}

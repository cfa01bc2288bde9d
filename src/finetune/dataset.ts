/**
 * The data side of fine-tuning: a seeded, stratified validation split, the check that a
 * validation folder has the training classes, a pre-scan that drops files that are not images,
 * and the per-epoch sample order (a pure function of seed and epoch, so a resumed run sees the
 * same batches as an uninterrupted one).
 */
import { DatasetError } from '../errors.js';
import { readImageSize } from '../data/decode.js';
import { platform } from '../platform/index.js';
import type { ImageFolderDataset, LabelledImage } from '../data/imageFolder.js';
import type { SkippedPath } from '../data/imagePaths.js';
import { Random, mixSeed } from '../util/random.js';

/** Class names and labelled images: an {@link ImageFolderDataset} or any list built by hand. */
export interface LabelledDataset {
  readonly classes: readonly string[];
  readonly samples: readonly LabelledImage[];
}

/**
 * Splits off `fraction` of each class (at least one image per class when the class has two or
 * more) for validation, chosen by a seeded shuffle, as a stratified `train_test_split` would.
 *
 * @example
 * const { train, validation } = splitDataset(await imageFolder('flowers'), 0.1, 0);
 */
export function splitDataset(dataset: LabelledDataset, fraction: number, seed: number): { train: LabelledDataset; validation: LabelledDataset } {
  if (!(fraction > 0 && fraction < 1)) throw new DatasetError(`validation split ${fraction} should be between 0 and 1 (exclusive)`);
  const random = new Random(seed ^ 0x5eed5);
  const train: LabelledImage[] = [];
  const validation: LabelledImage[] = [];
  for (let label = 0; label < dataset.classes.length; label++) {
    const members = random.shuffle(dataset.samples.filter((s) => s.label === label));
    const count = members.length < 2 ? 0 : Math.max(1, Math.round(members.length * fraction));
    validation.push(...members.slice(0, count));
    train.push(...members.slice(count));
  }
  const byPath = (a: LabelledImage, b: LabelledImage) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { train: { classes: dataset.classes, samples: train.sort(byPath) }, validation: { classes: dataset.classes, samples: validation.sort(byPath) } };
}

/**
 * Throws a `DatasetError` naming the differences when the validation classes are not the
 * training classes (same names, same order, so label indices agree).
 *
 * @example
 * checkSameClasses(train, await imageFolder('flowers/val', { minClasses: 1 }));
 */
export function checkSameClasses(train: LabelledDataset, validation: LabelledDataset): void {
  if (train.classes.join('\0') === validation.classes.join('\0')) return;
  const missing = train.classes.filter((c) => !validation.classes.includes(c));
  const extra = validation.classes.filter((c) => !train.classes.includes(c));
  const parts = [
    missing.length > 0 ? `missing ${missing.map((c) => `'${c}'`).join(', ')}` : '',
    extra.length > 0 ? `not in training: ${extra.map((c) => `'${c}'`).join(', ')}` : '',
  ].filter(Boolean);
  throw new DatasetError(`Validation classes differ from the training classes (${parts.join('; ')}); training has ${train.classes.join(', ')}`);
}

/**
 * Reads each image's header (in parallel) and keeps the ones sharp can open; the others come
 * back in `skipped` with the reason, so one bad file never stops a run. Truncated images that
 * only fail when fully decoded are skipped later by the loader, also by name.
 *
 * @example
 * const { samples, skipped } = await scanImages(dataset.samples);
 */
export async function scanImages(samples: readonly LabelledImage[], concurrency = 16): Promise<{ samples: LabelledImage[]; skipped: SkippedPath[] }> {
  const ok = new Array<boolean>(samples.length);
  const reasons = new Array<string>(samples.length);
  let next = 0;
  const worker = async () => {
    while (next < samples.length) {
      const i = next++;
      try {
        const { width, height } = await sampleSize(samples[i]);
        ok[i] = width > 0 && height > 0;
        if (!ok[i]) reasons[i] = 'no image size in its header';
      } catch (error) {
        ok[i] = false;
        reasons[i] = (error as Error).message.split('\n')[0];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, samples.length) }, worker));
  return {
    samples: samples.filter((_, i) => ok[i]),
    skipped: samples.flatMap((s, i) => (ok[i] ? [] : [{ path: s.path, reason: reasons[i] }])),
  };
}

/** An image's size from its header, or from its pixels when it is in memory already decoded. */
async function sampleSize({ path, image }: LabelledImage): Promise<{ width: number; height: number }> {
  if (image === undefined || typeof image === 'string') return readImageSize(image ?? path);
  return image instanceof Uint8Array ? platform().images.size(image) : image;
}

/**
 * The order of sample indices in `epoch` (0-based): a seeded shuffle that depends only on
 * `seed` and `epoch`.
 *
 * @example
 * epochOrder(5, 0, 1) // a permutation of [0, 1, 2, 3, 4]
 */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  return new Random(mixSeed(seed, epoch)).shuffle(Array.from({ length: count }, (_, i) => i));
}

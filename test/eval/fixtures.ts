/** A small classifier whose answers mean something, and image folders made of the fixture photos. */
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { EfficientNet } from '../../src/index.js';
import { floatTensor } from '../../src/weights/tensor.js';
import { FIXTURES, syntheticStateDict } from '../support/fixtures.js';

export const IMAGES = join(FIXTURES, 'images');

/**
 * A b0 at 128 px on the oracle's synthetic backbone whose head scores each class by similarity
 * to one exemplar photo (zero row: never the best). A fresh or synthetic head gives every photo
 * the same answer, which would leave the confusion matrix with one column and test little.
 */
export async function exemplarModel(classes: readonly { readonly name: string; readonly exemplar?: string }[], withLabels = true): Promise<EfficientNet> {
  const size = { numClasses: classes.length, imageSize: 128 } as const;
  const weights = syntheticStateDict(buildNetwork(resolveConfig('efficientnet-b0', size)), 'lukemelas', 5);
  const backbone = EfficientNet.fromStateDict(weights, size);
  const photos = classes.filter((c) => c.exemplar).map((c) => join(IMAGES, c.exemplar!));
  const { data, dims } = await backbone.embed(photos); // [photos, C]
  await backbone.dispose();
  const channels = dims[1];
  // Centre the exemplars so that what they share does not decide the answer.
  const mean = new Float32Array(channels);
  for (let p = 0; p < photos.length; p++) for (let c = 0; c < channels; c++) mean[c] += data[p * channels + c] / photos.length;
  const head = new Float32Array(classes.length * channels);
  let p = 0;
  classes.forEach((cls, row) => {
    if (!cls.exemplar) return;
    for (let c = 0; c < channels; c++) head[row * channels + c] = data[p * channels + c] - mean[c];
    p++;
  });
  weights.set('_fc.weight', floatTensor([classes.length, channels], head));
  weights.set('_fc.bias', floatTensor([classes.length], new Float32Array(classes.length)));
  return EfficientNet.fromStateDict(weights, { ...size, labels: withLabels ? classes.map((c) => c.name) : undefined });
}

/** Makes `root/<class>/<photo>` from fixture photos and returns `root`. */
export async function photoFolder(root: string, layout: Readonly<Record<string, readonly string[]>>): Promise<string> {
  for (const [name, photos] of Object.entries(layout)) {
    await mkdir(join(root, name), { recursive: true });
    for (const photo of photos) await copyFile(join(IMAGES, photo), join(root, name, basename(photo)));
  }
  return root;
}

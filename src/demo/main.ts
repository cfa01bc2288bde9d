/**
 * `npm start`: trains an EfficientNet-B0 from scratch on real images, offline. The committed
 * Fashion-MNIST subset (data/fashion-mnist-subset: 200 training and 50 test images per class)
 * goes through the same image-folder path as `efficientnet finetune`; when Debian's
 * dataset-fashion-mnist is installed, the whole 10 000-image test set is used for the accuracy
 * (and with `--full`, the whole 60 000-image training set too, which takes far longer).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainingReporter } from '../cli/trainingProgress.js';
import { EfficientNet, checkpointPaths, imageFolder } from '../index.js';
import { SYSTEM_FASHION_MNIST, readIdx, writeImageFolder } from './fashionMnist.js';
import { DEMO_RECIPE } from './recipe.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SUBSET = join(ROOT, 'data', 'fashion-mnist-subset');
const OUT = join(ROOT, 'out', 'fashion-mnist', 'model.safetensors');


/** The full set's split as an image folder in the temporary directory, written once. */
async function systemFolder(split: 'train' | 't10k'): Promise<string> {
  const root = join(tmpdir(), 'efficientnet-ts-fashion-mnist', split);
  if (!existsSync(join(root, '.complete'))) {
    process.stderr.write(`writing Fashion-MNIST ${split} images from ${SYSTEM_FASHION_MNIST} to ${root} (once)\n`);
    await writeImageFolder(await readIdx(SYSTEM_FASHION_MNIST, split), root);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, '.complete'), '');
  }
  return root;
}

async function main(): Promise<void> {
  const started = Date.now();
  const system = existsSync(join(SYSTEM_FASHION_MNIST, 't10k-images-idx3-ubyte.gz'));
  const full = process.argv.includes('--full') && system;
  const trainDir = full ? await systemFolder('train') : join(SUBSET, 'train');
  const testDir = system ? await systemFolder('t10k') : join(SUBSET, 'test');
  const train = await imageFolder(trainDir);
  const test = await imageFolder(testDir);
  const r = DEMO_RECIPE;
  console.log(`EfficientNet-B0 from scratch on Fashion-MNIST: ${train.samples.length} training images (${trainDir}), ${test.samples.length} test images (${testDir})`);
  console.log(`recipe: ${r.imageSize}×${r.imageSize} grey, ${r.epochs} epochs, batch ${r.batchSize}, Adam ${r.learningRate} cosine, random resized crop (scale 0.7–1) and flip, classifier from zero\n`);

  const net = EfficientNet.fromName(r.model, {
    numClasses: train.classes.length, inChannels: r.inChannels, imageSize: r.imageSize, batchNormMomentum: r.batchNormMomentum, seed: r.seed,
    labels: train.classes, runtime: { intraOpThreads: 2 },
  });
  const reporter = trainingReporter(r.epochs);
  const result = await net.fit(train, {
    epochs: r.epochs, batchSize: r.batchSize, learningRate: r.learningRate, seed: r.seed, optimizer: { kind: 'adam' },
    augment: r.augment, zeroHead: true, freshStatistics: true, validation: test, out: OUT,
    onStep: reporter.step, onEpoch: reporter.epoch, onSkip: (path, reason) => console.error(`skipped ${path}: ${reason}`),
  });
  reporter.stop();
  await result.model.dispose();
  await net.dispose();
  const last = result.history[result.history.length - 1];
  const trainSeconds = (Date.now() - started) / 1000;
  console.log(`\ntest accuracy ${(last.validationAccuracy! * 100).toFixed(2)}% on ${test.samples.length} images after ${r.epochs} epochs; ${trainSeconds.toFixed(0)} s so far`);

  // The saved file carries the class names and preprocessing: classify held-out images with it.
  const paths = checkpointPaths(OUT);
  const saved = await EfficientNet.fromWeights(paths.last);
  const picks = test.classes.map((_, label) => test.samples.find((s) => s.label === label)!);
  const predictions = await saved.classify(picks.map((s) => s.path), { topK: 1 });
  console.log(`\nheld-out images classified by ${paths.last}:`);
  picks.forEach((s, i) => {
    const p = predictions[i][0];
    console.log(`  ${s.path.slice(testDir.length + 1).padEnd(26)} → ${p.label.padEnd(13)} ${(p.probability * 100).toFixed(1).padStart(5)}%  ${p.index === s.label ? 'right' : 'wrong'}`);
  });
  await saved.dispose();
  console.log(`\nsaved ${paths.best} (best), ${paths.last}, ${paths.curves}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  console.log(`try: npx efficientnet classify ${join(testDir, test.classes[0])} --weights ${paths.best} --top-k 2`);
}

await main();

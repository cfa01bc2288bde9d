/**
 * Fine-tuning throughput: b0 at 224 on a folder of JPEGs (two classes), head only and full,
 * with augmentation, beside PyTorch + torchvision ImageFolder doing the same in the same run;
 * then, on the committed Fashion-MNIST subset (b0 from scratch, 32×32 grey): `efficientnet
 * finetune` with its defaults, and the demo's recipe, each beside PyTorch training the same
 * network with the same optimizer, learning rate, epochs and augmentation on the same folders:
 * test accuracy and wall time, each side in its own process.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { imageFolder } from '../src/data/imageFolder.js';
import { DEMO_RECIPE } from '../src/demo/recipe.js';
import type { FreezeSpec } from '../src/train/freeze.js';
import { EfficientNet } from '../src/index.js';

const THREADS = 2;
const PER_CLASS = 32;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** Epochs of the from-scratch comparison with finetune's defaults (Adam 1e-3 cosine, batch 32). */
const SCRATCH_EPOCHS = 3;

/** Two class folders of varied JPEGs (crops of the sample photos at 320–640 px). */
async function makeFolder(dir: string): Promise<void> {
  const photos = ['astronaut.jpg', 'chelsea.jpg', 'coffee.jpg', 'rocket.jpg'].map((p) => join(ROOT, 'test', 'fixtures', 'images', p));
  for (const [c, name] of ['people', 'things'].entries()) {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < PER_CLASS; i++) {
      const size = 320 + ((i * 37) % 320);
      await sharp(photos[2 * c + (i % 2)]).resize(size, Math.round(size * 0.75), { fit: 'cover', position: i % 5 }).jpeg({ quality: 90 })
        .toFile(join(dir, name, `img${String(i).padStart(3, '0')}.jpg`));
    }
  }
}

/** Images per second of our second epoch (the first compiles the graphs and warms up). */
async function ours(dir: string, freeze: FreezeSpec, batchSize: number, augment = true): Promise<number> {
  const net = EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS } });
  const data = await imageFolder(dir);
  const { history, model } = await net.fit(data, { epochs: 2, batchSize, freeze, learningRate: 1e-3, schedule: 'constant', augment: augment ? {} : false });
  await model.dispose();
  await net.dispose();
  return data.samples.length / history[1].seconds;
}

async function torch(args: string[]): Promise<Record<string, number> | undefined> {
  try {
    const { stdout } = await run('/usr/bin/python3', [join(ROOT, 'bench', 'finetune_torch.py'), ...args], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as Record<string, number>;
  } catch (error) {
    console.log(`  (PyTorch peer unavailable: ${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

export async function benchFinetune(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'enet-bench-finetune-'));
  try {
    await makeFolder(dir);
    console.log(`${2 * PER_CLASS} JPEGs (320–640 px) in 2 classes, b0 at 224 with a new head, random resized crop + flip, Adam, ${THREADS} threads`);
    for (const [mode, freeze, batch] of [['head', 'head', 16], ['full', 'none', 8]] as const) {
      const rate = await ours(dir, freeze, batch);
      const peer = await torch(['throughput', dir, String(THREADS), mode, String(batch), '2']);
      console.log(`  ${mode.padEnd(4)} batch ${String(batch).padStart(2)}: ours ${rate.toFixed(1)} img/s, PyTorch + ImageFolder ${peer?.images_per_second.toFixed(1) ?? 'n/a'} img/s`);
    }
    // Without augmentation the frozen backbone's features are computed once: later epochs train the head alone.
    console.log(`  head, no augmentation, features cached: ours ${(await ours(dir, 'head', 16, false)).toFixed(0)} img/s in the second epoch`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  await benchScratch();
}

/** The from-scratch half alone (`npm run bench -- scratch`): finetune's defaults and the demo's recipe beside PyTorch. */
export async function benchScratch(): Promise<void> {
  const subset = join(ROOT, 'data', 'fashion-mnist-subset');
  const [trainDir, testDir] = [join(subset, 'train'), join(subset, 'test')];
  await scratchDefaults(trainDir, testDir);
  await demoRecipe(trainDir, testDir);
}

/** Seeds of the from-scratch comparison: one seed's accuracy on 500 test images moves by about ±2 points. */
const SCRATCH_SEEDS = Number(process.env.BENCH_SEEDS ?? 3);

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * `efficientnet finetune` from scratch with its defaults at 32 px, beside PyTorch with the same
 * optimizer, rate and epochs and no augmentation, over several seeds (sides alternating, each
 * in its own process): one seed cannot tell the two apart.
 */
async function scratchDefaults(trainDir: string, testDir: string): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'enet-bench-scratch-'));
  const ourRuns: { accuracy: number; seconds: number }[] = [];
  const peerRuns: { accuracy: number; seconds: number }[] = [];
  let firstLine = '';
  try {
    for (let seed = 0; seed < SCRATCH_SEEDS; seed++) {
      const started = Date.now();
      const { stdout } = await run(process.execPath, [join(ROOT, 'bin', 'efficientnet.js'), 'finetune', trainDir, '--model', 'efficientnet-b0', '--image-size', '32',
        '--in-channels', '1', '--epochs', String(SCRATCH_EPOCHS), '--val-dir', testDir, '--threads', String(THREADS), '--seed', String(seed),
        '--out', join(out, 'm.safetensors')], { maxBuffer: 1 << 24 });
      const lines = stdout.trim().split('\n');
      firstLine = lines[0];
      const accuracy = Number.parseFloat(/validation loss \S+ acc (\S+)/.exec(lines.filter((l) => l.startsWith('epoch ')).pop() ?? '')?.[1] ?? 'NaN');
      ourRuns.push({ accuracy, seconds: (Date.now() - started) / 1000 });
      const peer = await torch(['demo', trainDir, testDir, String(THREADS), String(seed), String(SCRATCH_EPOCHS), '1e-3', 'none']);
      if (peer) peerRuns.push({ accuracy: peer.accuracy * 100, seconds: peer.seconds });
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  const show = (runs: { accuracy: number; seconds: number }[]) =>
    `test accuracy ${meanOf(runs.map((r) => r.accuracy)).toFixed(2)}% (seeds: ${runs.map((r) => r.accuracy.toFixed(1)).join(', ')}), ${meanOf(runs.map((r) => r.seconds)).toFixed(0)} s a run`;
  console.log(`efficientnet finetune from scratch with its defaults (${firstLine}), b0, 32×32 grey, ${SCRATCH_EPOCHS} epochs, Adam 1e-3, committed subset (2000 / 500 images), ${SCRATCH_SEEDS} seeds:`);
  console.log(`  ours: ${show(ourRuns)} (whole command, validation each epoch included)`);
  if (peerRuns.length > 0) console.log(`  PyTorch, no augmentation: ${show(peerRuns)}`);
}

/** The demo's recipe (`npm start`) on the committed subset, beside PyTorch with the same recipe. */
async function demoRecipe(trainDir: string, testDir: string): Promise<void> {
  const r = DEMO_RECIPE;
  const started = Date.now();
  const net = EfficientNet.fromName(r.model, {
    numClasses: 10, inChannels: r.inChannels, imageSize: r.imageSize, batchNormMomentum: r.batchNormMomentum, seed: r.seed, runtime: { intraOpThreads: THREADS },
  });
  const { history, model } = await net.fit(await imageFolder(trainDir), {
    epochs: r.epochs, batchSize: r.batchSize, learningRate: r.learningRate, seed: r.seed, augment: r.augment,
    zeroHead: true, freshStatistics: true,
    validation: await imageFolder(testDir),
  });
  const seconds = (Date.now() - started) / 1000;
  await model.dispose();
  await net.dispose();
  const peer = await torch(['demo', trainDir, testDir, String(THREADS), String(r.seed), String(r.epochs), String(r.learningRate), r.augment ? 'crop' : 'none']);
  const accuracy = history[history.length - 1].validationAccuracy! * 100;
  console.log(`demo recipe (b0 from scratch, 32×32 grey, ${r.epochs} epochs, 2000 training / 500 test images of the committed subset):`);
  console.log(`  ours: test accuracy ${accuracy.toFixed(2)}%, ${seconds.toFixed(0)} s (validation each epoch included)`);
  if (peer) console.log(`  PyTorch: test accuracy ${(peer.accuracy * 100).toFixed(2)}%, ${peer.seconds.toFixed(0)} s (${peer.train_seconds.toFixed(0)} s training)`);
}

/**
 * End-to-end classification throughput over a folder of JPEGs (decode + preprocess + b0
 * inference, batch 8), beside the engine alone on the same batches and beside PyTorch + PIL
 * doing the same in the same run. Target: end to end within 1.3× of the engine time.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { loadBatches } from '../src/data/loader.js';
import { EfficientNet, type FloatBatch } from '../src/index.js';
import { timeOnce } from './stats.js';

const THREADS = 2;
const IMAGES = 240;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A folder of varied JPEGs (crops of the sample photos at 320–640 px). */
async function makeFolder(dir: string): Promise<void> {
  const photos = ['astronaut.jpg', 'chelsea.jpg', 'coffee.jpg', 'rocket.jpg'].map((p) => join(ROOT, 'test', 'fixtures', 'images', p));
  for (let i = 0; i < IMAGES; i++) {
    const size = 320 + ((i * 37) % 320);
    await sharp(photos[i % photos.length]).resize(size, Math.round(size * 0.75), { fit: 'cover' }).jpeg({ quality: 90 }).toFile(join(dir, `img${String(i).padStart(4, '0')}.jpg`));
  }
}

export async function benchImages(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'enet-bench-images-'));
  try {
    await makeFolder(dir);
    const files = Array.from({ length: IMAGES }, (_, i) => join(dir, `img${String(i).padStart(4, '0')}.jpg`));
    // Engine threads sleep when idle so that decoding gets the cores, as the classify command does.
    const net = EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS, spinWait: false } });
    const config = { ...net.preprocess, resize: 256, crop: [224, 224] as const }; // torchvision's b0 transform
    await net.forward({ data: new Float32Array(8 * 3 * 224 * 224), dims: [8, 3, 224, 224] }); // compile and warm up
    // Engine alone: the same batches, already in memory.
    const batches: FloatBatch[] = [];
    for await (const batch of loadBatches(files, config, { batchSize: 8 })) batches.push({ data: batch.data, dims: batch.dims });
    const engineMs = await timeOnce(async () => { for (const b of batches) await net.forward(b); });
    const endToEndMs = await timeOnce(async () => {
      for await (const batch of loadBatches(files, config, { batchSize: 8 })) await net.forward(batch);
    });
    await net.dispose();
    let torch = 'n/a';
    try {
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench', 'torch_images.py'), dir, String(THREADS)]);
      torch = (JSON.parse(stdout) as { images_per_second: number }).images_per_second.toFixed(1);
    } catch { /* no torch here */ }
    const rate = (ms: number) => (IMAGES / (ms / 1000)).toFixed(1);
    console.log(`${IMAGES} JPEGs (320–640 px), b0 at 224, batch 8, ${THREADS} threads`);
    console.log(`end to end ${rate(endToEndMs)} img/s, engine alone ${rate(engineMs)} img/s, ratio ${(endToEndMs / engineMs).toFixed(3)} (target ≤ 1.3); PyTorch + PIL ${torch} img/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

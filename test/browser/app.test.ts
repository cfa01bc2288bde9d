/**
 * The web app end to end in headless Chromium (wasm, b0 at 32 px): load a checkpoint through the
 * file input, give two classes Fashion-MNIST images, train the head for an epoch, classify,
 * download. The downloaded `.safetensors` loads in Node with its class names and gives the page's
 * logits within 1e-4 of the largest, and the CLI classifies with it. A screenshot of the trained app is kept in
 * test-output/app.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { EfficientNet } from '../../src/index.js';
import { bundleBrowser } from '../../build/browserBundle.js';
import { startAppServer, type AppServer } from '../../web/server.js';
import { relativeError } from '../support/fixtures.js';
import { browserMissing, launchChromium } from './support/chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SUBSET = join(ROOT, 'data', 'fashion-mnist-subset');
/** Where the screenshot is kept (git-ignored). */
const SCREENSHOT = join(ROOT, 'test-output', 'app.png');
const LOGIT_TOLERANCE = 1e-4;
const SIZE = 32;
const CLASSES = [['trouser', '1-trouser'], ['bag', '8-bag']] as const;
const PER_CLASS = 8;

/** The first `count` images of a subset class folder. */
async function images(split: 'train' | 'test', folder: string, count: number): Promise<string[]> {
  const names = (await readdir(join(SUBSET, split, folder))).sort().slice(0, count);
  return names.map((name) => join(SUBSET, split, folder, name));
}

/** A fixed input batch [1, 3, SIZE, SIZE], as a plain array for page.evaluate. */
const input = Array.from({ length: 3 * SIZE * SIZE }, (_, i) => Math.sin(i * 0.11));

/** Drops files on `selector` as a drag from the desktop would (a DataTransfer with the files). */
async function drop(page: Page, selector: string, paths: readonly string[]): Promise<void> {
  const files = await Promise.all(paths.map(async (path) => ({ name: path.split('/').pop()!, bytes: Array.from(await readFile(path)) })));
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const { name, bytes } of list) transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
    return transfer;
  }, files);
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

describe('the web app', { skip: browserMissing, timeout: 300_000 }, () => {
  let work: string;
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'efficientnet-app-'));
    // A bundle of this build in a folder of its own: other tests may be writing dist/browser.
    await bundleBrowser({ outDir: join(work, 'bundle') });
    server = await startAppServer({ bundleDir: join(work, 'bundle') });
    const net = EfficientNet.fromName('efficientnet-b0', { imageSize: SIZE, seed: 5 });
    await net.save(join(work, 'b0.safetensors'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.efficientnetApp !== undefined, undefined, { timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('loads, trains the head on two classes, classifies, and its download gives the same logits in Node', async () => {
    // 1. The checkpoint through the file input, on wasm, at 32 px.
    await page.selectOption('#provider', 'wasm');
    await page.fill('#image-size', String(SIZE));
    await page.setInputFiles('#weights-file', join(work, 'b0.safetensors'));
    await page.waitForFunction(() => /done/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    assert.match(await page.textContent('#backend') ?? '', /^wasm · \d+ threads?$/);
    assert.match(await page.textContent('#model-info') ?? '', /efficientnet-b0 · 32×32 px/);

    // 2. Two classes, each named and given images through its card's file input.
    const cards = page.locator('#classes .class');
    for (const [i, [name, folder]] of CLASSES.entries()) {
      await cards.nth(i).locator('header input').fill(name);
      await cards.nth(i).locator('input[type=file]:not([webkitdirectory])').setInputFiles(await images('train', folder, PER_CLASS));
      assert.equal(await cards.nth(i).locator('.count').textContent(), `${PER_CLASS} images`);
    }

    // 3. The head for one epoch, batch 4.
    await page.selectOption('#freeze', 'head');
    await page.fill('#epochs', '1');
    await page.fill('#batch-size', '4');
    await page.fill('#learning-rate', '0.05');
    await page.click('#train');
    await page.waitForFunction(() => /Trained 1 epoch|failed/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 120_000 });
    assert.match(await page.textContent('#status') ?? '', /Trained 1 epoch: loss \d/);
    assert.match(await page.textContent('#progress-text') ?? '', /done/);
    assert.equal(await page.locator('#charts svg').count(), 2, 'loss and accuracy charts');

    // 4. Drop one held-out image of each class on the classify zone: the bars name the new classes.
    const heldOut = [(await images('test', '1-trouser', 1))[0], (await images('test', '8-bag', 1))[0]];
    await drop(page, '#classify-drop', heldOut);
    await page.waitForFunction(() => document.querySelectorAll('#predictions .bar').length === 4, undefined, { timeout: 60_000 });
    const labels = await page.locator('#predictions .bar .label').allTextContents();
    assert.deepEqual(labels.slice().sort(), ['bag', 'bag', 'trouser', 'trouser']);
    const pageLogits = await page.evaluate(async (data) => {
      const model = window.efficientnetApp!.state.model!;
      return Array.from((await model.forward({ data: new Float32Array(data), dims: [1, 3, 32, 32] })).data);
    }, input);

    // 5. Download; the file loads in Node with the class names and gives the page's logits.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-safetensors')]);
    assert.equal(download.suggestedFilename(), 'efficientnet-b0-trouser-bag.safetensors');
    const saved = join(work, download.suggestedFilename());
    await download.saveAs(saved);
    const trained = await EfficientNet.fromWeights(saved, { runtime: { intraOpThreads: 1 } });
    try {
      assert.deepEqual(trained.labels, ['trouser', 'bag']);
      const nodeLogits = (await trained.forward({ data: new Float32Array(input), dims: [1, 3, SIZE, SIZE] })).data;
      const error = relativeError(pageLogits, nodeLogits);
      assert.ok(error < LOGIT_TOLERANCE, `page logits differ from Node's by ${error.toExponential(2)} of the largest`);
    } finally {
      await trained.dispose();
    }
    // The command line reads the class names from the file too.
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'efficientnet.js'), 'classify', heldOut[0], '--weights', saved, '--json']);
    assert.deepEqual((JSON.parse(stdout.trim().split('\n')[0]) as { predictions: { label: string }[] }).predictions.map((p) => p.label).sort(), ['bag', 'trouser']);
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.click('#download-onnx')]);
    assert.equal(onnx.suggestedFilename(), 'efficientnet-b0-trouser-bag.onnx');

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(pageErrors, []);
  });

  test('Stop ends a run after the current step and keeps the model as it was', async () => {
    await page.fill('#epochs', '500');
    await page.fill('#batch-size', '1');
    await page.click('#train');
    await page.waitForFunction(() => /^epoch \d+\/500/.test(document.getElementById('progress-text')!.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.click('#stop');
    await page.waitForFunction(() => /stopped/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    assert.equal(await page.textContent('#status'), 'Training stopped: the model as it was at the stop is the current one');
    assert.match(await page.textContent('#progress-text') ?? '', /^epoch \d+\/500 .* · stopped$/);
    assert.equal(await page.isDisabled('#stop'), true);
    assert.equal(await page.isDisabled('#train'), false);
  });

  test('bad input is one line in the status bar, and the page keeps working', async () => {
    await page.fill('#image-size', '4');
    await page.click('#from-scratch');
    await page.waitForFunction(() => document.getElementById('status')!.classList.contains('error'));
    assert.equal(await page.textContent('#status'), "Starting efficientnet-b0 from scratch failed: image size '4' should be a whole number of pixels, 8 or more");
    await page.fill('#epochs', '0');
    await page.click('#train');
    await page.waitForFunction(() => /epochs '0'/.test(document.getElementById('status')!.textContent ?? ''));
    assert.equal(await page.textContent('#status'), "Training failed: epochs '0' should be a whole number, 1 or more");
  });

  test('on WebGPU the badge names the adapter (SwiftShader here)', async () => {
    await page.fill('#image-size', String(SIZE));
    await page.selectOption('#provider', 'webgpu');
    await page.click('#from-scratch');
    await page.waitForFunction(() => /from scratch: done|failed/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 120_000 });
    assert.match(await page.textContent('#backend') ?? '', /^WebGPU · \S/);
  });
});

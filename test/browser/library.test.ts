/**
 * The library's browser bundle (dist/browser/efficientnet-ts.js, `npm run build`) in headless
 * Chromium, against the library in Node: b0 logits from `.pth` and `.safetensors` files on wasm
 * and WebGPU (SwiftShader) within 1e-4 of the largest logit; decoding and preprocessing of the
 * fixture photos (PNG exact at every alpha; JPEG within a stated tolerance, since browsers decode JPEG their
 * own way); published weights through Cache Storage, hash-checked; provider fallback; saved bytes.
 * 64 px b0 with synthetic weights: SwiftShader compiles a shader per kernel on the first run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EfficientNet, decodeImage, getPretrained, preprocessImage, preset } from '../../src/index.js';
import { FIXTURES, relativeError } from '../support/fixtures.js';
import { BROWSER_DIST, BUNDLE_NAME } from '../../build/browserBundle.js';
import { browserMissing } from './support/chromium.js';
import { BrowserHarness } from './support/harness.js';

const LOGIT_TOLERANCE = 1e-4;
const SLOW = process.env.EFFICIENTNET_TS_SLOW_BROWSER === '1';
const SIZE = 64;
const dims = [2, 3, SIZE, SIZE];
const bundleMissing = existsSync(join(BROWSER_DIST, BUNDLE_NAME)) ? false : `no bundle at ${BROWSER_DIST}: run \`npm run build\` first`;

describe('the library in the browser', { skip: browserMissing || bundleMissing, timeout: 300_000 }, () => {
  let harness: BrowserHarness;
  const net = EfficientNet.fromName('efficientnet-b0', { seed: 7, imageSize: SIZE, runtime: { intraOpThreads: 2 } });
  const data = new Float32Array(dims.reduce((a, b) => a * b)).map((_, i) => Math.sin(i * 0.37));
  let expected: Float32Array;
  const files = { pth: net.saveBytes('b0.pth'), safetensors: net.saveBytes('b0.safetensors') };
  const bytes = (name: string) => harness.server.take(name);
  const floats = (name: string) => { const b = bytes(name); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };

  before(async () => {
    harness = await BrowserHarness.open({ page: 'library.html', ready: 'lib' });
    expected = (await net.forward({ data, dims })).data;
    harness.server.put('b0.pth', files.pth);
    harness.server.put('b0.safetensors', files.safetensors);
    harness.server.put('input', new Uint8Array(data.buffer));
  });
  after(async () => {
    await harness?.close();
    await net.dispose();
  });

  // Each file arrives another way: a URL, a File (as dropped), an ArrayBuffer.
  const cases = [
    { provider: 'wasm', file: 'pth', as: 'blob' }, { provider: 'wasm', file: 'safetensors', as: 'url' },
    { provider: 'webgpu', file: 'safetensors', as: 'bytes' }, { provider: 'webgpu', file: 'pth', as: 'url' },
  ] as const;
  for (const { provider, file, as } of cases) {
    test(`b0 logits from a .${file} (${as}) on ${provider} equal Node's within ${LOGIT_TOLERANCE} of the largest`, async () => {
      // The .pth carries no architecture: the page says the image size, as a user would.
      const result = await harness.call<{ dims: number[]; provider: string }>('lib', 'logits', {
        weights: `b0.${file}`, as, options: { model: 'efficientnet-b0', imageSize: SIZE, runtime: { executionProviders: [provider] } }, input: 'input', dims, output: 'logits',
      });
      assert.deepEqual(result.dims, [2, 1000]);
      assert.equal(result.provider, provider);
      const error = relativeError(floats('logits'), expected);
      assert.ok(error < LOGIT_TOLERANCE, `${provider} from .${file}: logits differ from Node's by ${error.toExponential(2)} of the largest`);
    });
  }

  test('default provider: WebGPU when the browser has an adapter; an unavailable one hands over, alone it fails in one line', async () => {
    const adapter = await harness.call<unknown>('lib', 'adapter', {});
    assert.deepEqual(await harness.call('lib', 'provider', {}), { provider: adapter ? 'webgpu' : 'wasm' });
    assert.deepEqual(await harness.call('lib', 'provider', { providers: ['cuda', 'wasm'] }), { provider: 'wasm' });
    const alone = await harness.call<{ error: string }>('lib', 'provider', { providers: ['cuda'] });
    assert.match(alone.error, /^RuntimeError: onnxruntime could not load the graph with provider cuda: \S/);
    assert.doesNotMatch(alone.error, /\n/);
  });

  test('saveBytes in the page gives the bytes Node writes; toOnnx gives the graph', async () => {
    for (const fileName of ['b0.safetensors', 'b0.pth']) {
      const result = await harness.call<{ onnxBytes: number }>('lib', 'saved', { weights: 'b0.safetensors', fileName, output: 'saved' });
      assert.deepEqual(bytes('saved'), net.saveBytes(fileName), fileName);
      assert.equal(result.onnxBytes, net.toOnnx().byteLength);
    }
  });

  test('published weights: fetched from a mirror into Cache Storage, hash-checked, then read from the cache', async () => {
    const digest = createHash('sha256').update(files.safetensors).digest('hex');
    harness.server.put('mirror/b0-synthetic.safetensors', files.safetensors);
    const file = { tag: 'test:b0-synthetic', url: 'http://127.0.0.1:9/unreachable', fileName: 'b0-synthetic.safetensors', sha256: digest.slice(0, 8) };
    const baseUrl = `${harness.server.origin}/blob/mirror`;
    const downloads = () => harness.server.requests.filter((r) => r === 'GET /blob/mirror/b0-synthetic.safetensors').length;
    const first = await harness.call<{ sha256: string; progress: number[]; cached: string[] }>('lib', 'store', { file, baseUrl });
    assert.equal(first.sha256, digest);
    assert.equal(first.progress.at(-1), files.safetensors.byteLength, 'progress reaches the full size');
    assert.deepEqual(first.cached, ['/blob/mirror/b0-synthetic.safetensors']);
    const second = await harness.call<{ sha256: string; progress: number[] }>('lib', 'store', { file, baseUrl });
    assert.equal(second.sha256, digest);
    assert.deepEqual(second.progress, [], 'the second load reads the cache');
    assert.equal(downloads(), 1);

    // A wrong file is refused and not kept; fromPretrained goes through the same check.
    harness.server.put('mirror/b0-wrong.safetensors', files.pth);
    const wrong = await harness.call<{ error: string; cached: string[] }>('lib', 'store', { file: { ...file, fileName: 'b0-wrong.safetensors' }, baseUrl });
    assert.match(wrong.error, /^WeightLoadError: Could not get test:b0-synthetic from .*b0-wrong\.safetensors: the downloaded file's SHA-256 is [0-9a-f]{64}, expected one starting with /);
    assert.ok(!wrong.cached.some((p) => p.includes('b0-wrong')));
    const entry = getPretrained('lukemelas:efficientnet-b0');
    harness.server.put(`mirror/${entry.fileName}`, files.safetensors);
    const published = await harness.call<{ error: string }>('lib', 'pretrained', { model: 'efficientnet-b0', baseUrl });
    assert.match(published.error, new RegExp(`^WeightLoadError: Could not get lukemelas:efficientnet-b0 from .*${entry.fileName}: the downloaded file's SHA-256 is ${digest}, expected one starting with ${entry.sha256}`));
    const missing = await harness.call<{ error: string }>('lib', 'pretrained', { model: 'efficientnet-b0', baseUrl: `${harness.server.origin}/blob/nowhere` });
    assert.match(missing.error, /: HTTP 404/);
  });

  // From scratch, everything trainable, on two classes of in-memory images (ImageData and PNG
  // Blobs) that a random b0 separates in a few steps: 16 images, batch 8, 3 epochs (6 steps), a zero head (the first loss is ln 2).
  // Measured: wasm 16 s; WebGPU (SwiftShader, a shader compiled per kernel) 133 s, so it runs only
  // when slow browser tests are asked for. Both gave Node's step losses (0.693 … 0.283) to 3 places.
  for (const provider of ['wasm', 'webgpu'] as const) {
    test(`a few steps of fit on in-memory images lower the loss (${provider})`, { skip: provider === 'webgpu' && !SLOW ? 'slow on SwiftShader: EFFICIENTNET_TS_SLOW_BROWSER=1 runs it' : false }, async () => {
      const result = await harness.call<{ steps: number[]; epochs: number[]; provider: string; ms: number }>('lib', 'fit', { provider, count: 16, epochs: 3, batchSize: 8 });
      console.log(`fit on ${provider}: step losses ${result.steps.map((l) => l.toFixed(3)).join(' ')} in ${(result.ms / 1000).toFixed(1)} s`);
      assert.equal(result.provider, provider);
      assert.equal(result.steps.length, 6);
      assert.ok(result.steps.every(Number.isFinite), 'finite losses');
      assert.ok(result.epochs[2] < 0.8 * result.epochs[0], `epoch losses ${result.epochs.join(', ')}: the last should be under 80% of the first`);
    });
  }

  describe('decoding and preprocessing equal Node\'s', () => {
    // Measured exact (Chromium and libvips both decode JPEG with libjpeg-turbo, with the same
    // upsampling), tolerance 0: a browser that decodes JPEG otherwise fails here, and says by how much.
    // PNG must be exact at every alpha: the page reads pixels through WebGL2, which keeps the stored
    // colour where a 2D canvas would premultiply it (chelsea-alpha.png has alpha 1 to 254 only;
    // alpha-edges.png, made below, has every alpha 0 to 255 under bright colours).
    const images: { name: string; rgb: number; tensor: number }[] = [
      { name: 'coffee-grey.png', rgb: 0, tensor: 1e-5 },
      { name: 'chelsea-alpha.png', rgb: 0, tensor: 1e-5 },
      { name: 'alpha-edges.png', rgb: 0, tensor: 1e-5 },
      { name: 'astronaut.gif', rgb: 0, tensor: 1e-5 },
      { name: 'chelsea.jpg', rgb: 0, tensor: 1e-5 },
      { name: 'chelsea-exif6.jpg', rgb: 0, tensor: 1e-5 },
      { name: 'rocket.jpg', rgb: 0, tensor: 1e-5 },
      { name: 'coffee.webp', rgb: 0, tensor: 1e-5 },
    ];
    const config = preset('lukemelas', 'efficientnet-b0');
    // 32 x 24 RGBA, pixel i: alpha i % 256 (each value 3 times), colour from i so that no two neighbours match.
    const alphaEdges = () => {
      const [width, height] = [32, 24];
      const rgba = new Uint8Array(width * height * 4).map((_, k) => (k % 4 === 3 ? (k >> 2) % 256 : ((k >> 2) * 97 + (k % 4) * 61 + 13) % 256));
      return sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
    };
    for (const image of images) {
      test(image.name, async () => {
        const fixture = join(FIXTURES, 'images', image.name);
        const source = existsSync(fixture) ? fixture : new Uint8Array(await alphaEdges());
        const url = typeof source === 'string' ? `/fixtures/images/${image.name}` : `/blob/${image.name}`;
        if (typeof source !== 'string') harness.server.put(image.name, source);
        const result = await harness.call<{ width: number; height: number; dims: number[] }>('lib', 'preprocess', {
          url, config, rgb: 'rgb', tensor: 'tensor', element: image.name.endsWith('.png') ? 'element' : undefined,
        });
        const nodeRgb = await decodeImage(source);
        const nodeTensor = await preprocessImage(source, config);
        assert.deepEqual([result.width, result.height], [nodeRgb.width, nodeRgb.height], 'size (EXIF orientation applied)');
        const rgb = bytes('rgb');
        let worst = 0;
        for (let i = 0; i < rgb.length; i++) worst = Math.max(worst, Math.abs(rgb[i] - nodeRgb.data[i]));
        const tensor = floats('tensor');
        let worstTensor = 0;
        for (let i = 0; i < tensor.length; i++) worstTensor = Math.max(worstTensor, Math.abs(tensor[i] - nodeTensor.data[i]));
        console.log(`${image.name}: decoded pixels differ by at most ${worst} levels, preprocessed values by ${worstTensor.toExponential(2)}`);
        assert.equal(rgb.length, nodeRgb.data.length);
        assert.ok(worst <= image.rgb, `${image.name}: decoded pixels differ by up to ${worst} levels (allowed ${image.rgb})`);
        assert.ok(worstTensor <= image.tensor, `${image.name}: preprocessed values differ by up to ${worstTensor} (allowed ${image.tensor})`);
        if (image.name.endsWith('.png')) assert.deepEqual(floats('element'), tensor, 'an <img> element gives the same tensor as its bytes');
      });
    }

    // A canvas stores premultiplied colour: the reference is what its own getImageData gives back.
    test('canvas, OffscreenCanvas, ImageBitmap and ImageData inputs give the canvas\'s getImageData, opaque and at alpha 128', async () => {
      const worst = await harness.call<Record<string, number>>('lib', 'drawables', {});
      assert.deepEqual(Object.values(worst).filter((w) => w !== 0), [], JSON.stringify(worst));
    });

    // A browser without WebGL2 on an OffscreenCanvas (a page where getContext('webgl2') gives null):
    // the 2D canvas reads the pixels, exact where opaque, and the translucent ones come back premultiplied.
    // Both paths convert an embedded colour profile alike when asked to (icc 'apply', a Display P3 PNG).
    test('without WebGL2 a 2D canvas reads the pixels: opaque images stay exact, translucent ones do not, profiles convert alike', async () => {
      const page = await harness.page.context().browser()!.newPage();
      const decodeIn = async (target: typeof page, url: string, icc: 'ignore' | 'apply' = 'ignore') => {
        await target.evaluate((request) => (window.lib as { preprocess(r: unknown): Promise<unknown> }).preprocess(request), { url, config, rgb: 'rgb', tensor: 'tensor', icc });
        bytes('tensor');
        return bytes('rgb');
      };
      try {
        await page.addInitScript(() => {
          const getContext = OffscreenCanvas.prototype.getContext as (this: OffscreenCanvas, type: string, options?: unknown) => unknown;
          Object.assign(OffscreenCanvas.prototype, { getContext(this: OffscreenCanvas, type: string, options?: unknown) { return type === 'webgl2' ? null : getContext.call(this, type, options); } });
        });
        await page.goto(harness.page.url());
        await page.waitForFunction(() => window.lib !== undefined, undefined, { timeout: 30_000 });
        const worst: Record<string, number> = {};
        for (const name of ['chelsea.jpg', 'coffee-grey.png', 'chelsea-alpha.png']) {
          const nodeRgb = await decodeImage(join(FIXTURES, 'images', name));
          worst[name] = (await decodeIn(page, `/fixtures/images/${name}`)).reduce((w, v, i) => Math.max(w, Math.abs(v - nodeRgb.data[i])), 0);
        }
        assert.deepEqual(worst, { 'chelsea.jpg': 0, 'coffee-grey.png': 0, 'chelsea-alpha.png': worst['chelsea-alpha.png'] });
        assert.ok(worst['chelsea-alpha.png'] > 0, 'the 2D canvas premultiplies: this page really took the fallback');

        // Display P3, alpha 255 but every 7th pixel at 100: the WebGL2 page reads it through WebGL2.
        const { data: chelsea, width, height } = await decodeImage(join(FIXTURES, 'images', 'chelsea.jpg'));
        const rgba = new Uint8Array(width * height * 4).map((_, k) => (k % 4 === 3 ? ((k >> 2) % 7 ? 255 : 100) : chelsea[(k >> 2) * 3 + (k % 4)]));
        harness.server.put('p3.png', new Uint8Array(await sharp(rgba, { raw: { width, height, channels: 4 } }).withIccProfile('p3').png().toBuffer()));
        const [webgl, canvas, ignored] = [await decodeIn(harness.page, '/blob/p3.png', 'apply'), await decodeIn(page, '/blob/p3.png', 'apply'), await decodeIn(harness.page, '/blob/p3.png')];
        const opaque = (rgb: Uint8Array) => rgb.filter((_, i) => Math.floor(i / 3) % 7 !== 0);
        assert.deepEqual(opaque(webgl), opaque(canvas), 'icc \'apply\': WebGL2 and the 2D canvas convert the profile alike');
        assert.notDeepEqual(webgl, ignored, 'icc \'apply\' converts the P3 colours');
      } finally {
        await page.close();
      }
    });
  });
});

/**
 * The page side of the library's browser tests: the prebuilt bundle (dist/browser, served at
 * /bundle/) loaded as a user's page loads it, driven through `window.lib`. Bytes travel through
 * the test server's blob store, as in pages/engine.ts.
 */
import type * as Library from '../../../src/browser/index.js';

/** A variable specifier: TypeScript does not resolve it, the browser loads the served bundle. */
const BUNDLE = '/bundle/efficientnet-ts.js';
/** Only in the page: `npm test` also runs this compiled file in Node, where it must do nothing. */
const inPage = typeof window !== 'undefined';
const lib = (inPage ? await import(BUNDLE) : undefined) as typeof Library;

const blobUrl = (name: string) => `/blob/${encodeURIComponent(name)}`;

async function putFloats(name: string, data: Float32Array | Uint8Array): Promise<void> {
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const res = await fetch(blobUrl(name), { method: 'PUT', body });
  if (!res.ok) throw new Error(`PUT ${blobUrl(name)}: ${res.status}`);
}

async function floats(name: string): Promise<Float32Array> {
  return new Float32Array(await (await fetch(blobUrl(name))).arrayBuffer());
}

export interface LogitsRequest {
  /** Blob name of the checkpoint. */
  readonly weights: string;
  /** 'url' (fromWeights(URL)), 'blob' (a File) or 'bytes' (an ArrayBuffer). */
  readonly as: 'url' | 'blob' | 'bytes';
  readonly options: Library.FromWeightsOptions;
  readonly input: string;
  readonly dims: readonly number[];
  readonly output: string;
}

async function logits(request: LogitsRequest) {
  const url = blobUrl(request.weights);
  const source = request.as === 'url' ? url
    : request.as === 'blob' ? new File([await (await fetch(url)).blob()], request.weights)
    : await (await fetch(url)).arrayBuffer();
  const net = await lib.EfficientNet.fromWeights(source, request.options);
  try {
    const start = performance.now();
    const out = await net.forward({ data: await floats(request.input), dims: request.dims });
    const ms = performance.now() - start;
    await putFloats(request.output, out.data);
    return { dims: out.dims, provider: await net.executionProvider(), ms };
  } finally {
    await net.dispose();
  }
}

/** Decodes and preprocesses a served image with the library (as bytes, and as an <img> element). */
async function preprocess(request: { url: string; config: Library.PreprocessConfig; rgb: string; tensor: string; element?: string; icc?: 'ignore' | 'apply' }) {
  const bytes = new Uint8Array(await (await fetch(request.url)).arrayBuffer());
  const rgb = await lib.decodeImage(bytes, { name: request.url, icc: request.icc });
  await putFloats(request.rgb, rgb.data);
  const tensor = await lib.preprocessImage(bytes, request.config);
  await putFloats(request.tensor, tensor.data);
  if (request.element) {
    const image = new Image();
    image.src = request.url;
    const pixels = await lib.browserPixels(image);
    await putFloats(request.element, (await lib.preprocessImage(pixels, request.config)).data);
  }
  return { width: rgb.width, height: rgb.height, dims: tensor.dims };
}

/** A weight file through the browser's weight store (what fromPretrained uses): bytes hashed, Cache Storage listed. */
async function store(request: { file: { tag: string; url: string; fileName: string; sha256: string }; baseUrl: string }) {
  lib.configureBrowser({ weightsBaseUrl: request.baseUrl });
  const progress: number[] = [];
  try {
    const bytes = await lib.fetchPretrainedBytes(request.file, { onProgress: (p) => progress.push(p.received) });
    return { sha256: await lib.sha256Hex(bytes), bytes: bytes.byteLength, progress, cached: await cachedPaths() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}`, cached: await cachedPaths() };
  }
}

async function cachedPaths(): Promise<string[]> {
  return (await (await caches.open('efficientnet-ts-weights')).keys()).map((r) => new URL(r.url).pathname);
}

/** fromPretrained from a mirror: the model's tag, or the error. */
async function pretrained(request: { model: string; baseUrl: string }) {
  try {
    const net = await lib.EfficientNet.fromPretrained(request.model, { baseUrl: request.baseUrl, runtime: { executionProviders: ['wasm'] } });
    await net.dispose();
    return { tag: net.pretrained?.tag };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Which provider a model with these providers runs on, or the error's name and message. */
async function provider(request: { providers?: string[] }) {
  const net = lib.EfficientNet.fromName('efficientnet-b0', { imageSize: 32, runtime: request.providers ? { executionProviders: request.providers } : {} });
  try {
    return { provider: await net.executionProvider() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  } finally {
    await net.dispose();
  }
}

/** save() and saveBytes() and toOnnx() in the page: the bytes come back to the test. */
async function saved(request: { weights: string; fileName: string; output: string }) {
  const net = await lib.EfficientNet.fromWeights(blobUrl(request.weights), { runtime: { executionProviders: ['wasm'] } });
  await putFloats(request.output, net.saveBytes(request.fileName));
  return { onnxBytes: net.toOnnx().byteLength };
}

/**
 * Two classes a random network can tell apart in a few steps: a bright left half (class 0) or a
 * bright right half (class 1), 32×32, with a little per-image noise. Half arrive as ImageData,
 * half as PNG Blobs (the two ways a page holds images).
 */
async function stripes(count: number): Promise<Library.BrowserDataset> {
  const samples = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const label = i % 2;
    const image = new ImageData(32, 32);
    for (let p = 0; p < 32 * 32; p++) {
      const bright = (p % 32 < 16) === (label === 0);
      const v = (bright ? 210 : 40) + ((p * 7 + i * 13) % 24);
      image.data.set([v, v, v, 255], p * 4);
    }
    if (i % 4 < 2) return { image, label, name: `stripes ${i}` };
    const canvas = new OffscreenCanvas(32, 32);
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    return { image: await canvas.convertToBlob({ type: 'image/png' }), label, name: `stripes ${i}.png` };
  }));
  return { classes: ['left', 'right'], samples };
}

/** `fit` in the page on in-memory images, from scratch, everything trainable: each step's loss and each epoch's. */
async function fit(request: { provider: string; count: number; epochs: number; batchSize: number }) {
  const net = lib.EfficientNet.fromName('efficientnet-b0', { imageSize: 32, seed: 3, batchNormMomentum: lib.FROM_SCRATCH_MOMENTUM, runtime: { executionProviders: [request.provider] } });
  const steps: number[] = [];
  const start = performance.now();
  try {
    const { model, history } = await net.fit(await stripes(request.count), {
      epochs: request.epochs, batchSize: request.batchSize, freeze: 'none', learningRate: 1e-3, zeroHead: true, seed: 0, onStep: (s) => { steps.push(s.loss); },
    });
    const provider = await model.executionProvider();
    await model.dispose();
    return { steps, epochs: history.map((e) => e.loss), provider, ms: performance.now() - start };
  } finally {
    await net.dispose();
  }
}

/**
 * b0 `forward` beside a raw onnxruntime-web session on the same graph (net.toOnnx()) in this
 * page, runs interleaved; median milliseconds of each.
 */
async function bench(request: { weights: string; provider: string; batches: readonly number[]; rounds: Record<number, number>}) {
  const net = await lib.EfficientNet.fromWeights(blobUrl(request.weights), { runtime: { executionProviders: [request.provider] } });
  const raw = await lib.ort.InferenceSession.create(net.toOnnx(), { executionProviders: [request.provider], graphOptimizationLevel: 'all' });
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const rows = [];
  try {
    for (const batch of request.batches) {
      const [h, w] = net.config.imageSize;
      const data = new Float32Array(batch * 3 * h * w).map((_, i) => Math.sin(i));
      const dims = [batch, 3, h, w];
      const input = new lib.ort.Tensor('float32', data, dims);
      const runs: Record<string, () => Promise<unknown>> = { ours: () => net.forward({ data, dims }), raw: () => raw.run({ input }) };
      const times: Record<string, number[]> = { ours: [], raw: [] };
      for (const run of Object.values(runs)) await run(); // first runs: compile and warm up
      for (let r = 0; r < request.rounds[batch]; r++) {
        for (const [name, run] of Object.entries(runs)) {
          const start = performance.now();
          await run();
          times[name].push(performance.now() - start);
        }
      }
      rows.push({ batch, ours: median(times.ours), raw: median(times.raw) });
    }
    return { rows, threads: lib.ort.env.wasm.numThreads, provider: await net.executionProvider() };
  } finally {
    await raw.release();
    await net.dispose();
  }
}

/**
 * browserPixels on the drawable inputs a page holds (canvas, OffscreenCanvas, ImageBitmap,
 * ImageData) against the canvas's own getImageData: the largest difference of each, for an
 * opaque drawing and for one at alpha 128.
 */
async function drawables() {
  const result: Record<string, number> = {};
  for (const alpha of [255, 128]) {
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [37, 23];
    const context = canvas.getContext('2d')!;
    for (let x = 0; x < canvas.width; x++) for (let y = 0; y < canvas.height; y++) {
      context.fillStyle = `rgba(${(x * 7) % 256}, ${(y * 11) % 256}, ${(x * y) % 256}, ${alpha / 255})`;
      context.fillRect(x, y, 1, 1);
    }
    const reference = context.getImageData(0, 0, canvas.width, canvas.height);
    const offscreen = new OffscreenCanvas(canvas.width, canvas.height);
    offscreen.getContext('2d')!.drawImage(canvas, 0, 0);
    const sources: Record<string, Library.BrowserImage> = { canvas, offscreen, bitmap: await createImageBitmap(canvas, { premultiplyAlpha: 'none' }), imageData: reference };
    for (const [name, source] of Object.entries(sources)) {
      const pixels = await lib.browserPixels(source);
      const sized = pixels.width === canvas.width && pixels.height === canvas.height && pixels.data.length === reference.data.length;
      result[`${name} at alpha ${alpha}`] = sized ? pixels.data.reduce((w, v, i) => Math.max(w, Math.abs(v - reference.data[i])), 0) : Infinity;
    }
  }
  return result;
}

if (inPage) (globalThis as { lib?: unknown }).lib = { bench, drawables, fit, logits, preprocess, store, pretrained, provider, saved, adapter: () => lib.webgpuAdapter() };

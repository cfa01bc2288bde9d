/**
 * The page side of the browser tests: runs ONNX graphs on onnxruntime-web (wasm or WebGPU),
 * reading the model and feeds from the test server's blob store and putting the outputs back.
 * Loaded by pages/index.html, whose import map points `onnxruntime-web` at the served dist.
 */
import * as ort from 'onnxruntime-web';
import type { PageEngine, PageEnvironment, PageRunRequest, PageRunResult } from '../support/protocol.js';

/** The slice of the WebGPU API used here (the DOM typings in use do not declare it). */
interface GpuAdapterLike { readonly info?: { vendor: string; architecture: string; description: string }; readonly features: Iterable<string> }
interface GpuLike { requestAdapter(): Promise<GpuAdapterLike | null> }

const blobUrl = (name: string) => `/blob/${encodeURIComponent(name)}`;

async function getBytes(name: string): Promise<Uint8Array> {
  const res = await fetch(blobUrl(name));
  if (!res.ok) throw new Error(`GET ${blobUrl(name)}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function putBytes(name: string, data: ArrayBufferView): Promise<void> {
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const res = await fetch(blobUrl(name), { method: 'PUT', body });
  if (!res.ok) throw new Error(`PUT ${blobUrl(name)}: ${res.status}`);
}

async function environment(): Promise<PageEnvironment> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  return {
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
    adapter: !gpu ? { missing: 'navigator.gpu is undefined' }
      : !adapter ? { missing: 'requestAdapter() gave null' }
      : { vendor: adapter.info?.vendor ?? '', architecture: adapter.info?.architecture ?? '', description: adapter.info?.description ?? '', features: [...adapter.features].sort() },
  };
}

async function run(request: PageRunRequest): Promise<PageRunResult> {
  // Both settings are read when the wasm module starts, i.e. at the first session of the page.
  ort.env.wasm.numThreads = request.threads ?? navigator.hardwareConcurrency;
  ort.env.logLevel = request.verbose ? 'verbose' : 'warning';
  const model = await getBytes(request.model);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, dims] of Object.entries(request.feeds)) {
    const bytes = await getBytes(`${request.feedPrefix}${name}`);
    feeds[name] = new ort.Tensor('float32', new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), dims);
  }
  let start = performance.now();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [request.provider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: request.verbose ? 0 : 2,
    logVerbosityLevel: 0,
  });
  const createMs = performance.now() - start;
  try {
    start = performance.now();
    const outputs = await session.run(feeds);
    const firstRunMs = performance.now() - start;
    const dims: Record<string, readonly number[]> = {};
    for (const name of request.fetch) {
      const t = outputs[name];
      if (!t) throw new Error(`the graph has no output '${name}'; outputs: ${Object.keys(outputs).join(', ')}`);
      dims[name] = t.dims;
      await putBytes(`${request.outputPrefix}${name}`, (await t.getData()) as Float32Array);
    }
    const roundMs: number[] = [];
    for (let r = 0; r < (request.rounds ?? 0); r++) {
      start = performance.now();
      await session.run(feeds);
      roundMs.push(performance.now() - start);
    }
    return { dims, createMs, firstRunMs, roundMs, threads: ort.env.wasm.numThreads ?? 0 };
  } finally {
    await session.release();
  }
}

const engine: PageEngine = { environment, run };
(globalThis as { engine?: PageEngine }).engine = engine;

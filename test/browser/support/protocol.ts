/**
 * What the Node side of a browser test and the page's engine (pages/engine.ts) say to each other
 * through `page.evaluate`. Tensor bytes do not travel through it: they go through the test
 * server's `/blob/` store (raw little-endian float32), which keeps large gradients off the
 * DevTools protocol's JSON.
 */

export type PageProvider = 'wasm' | 'webgpu';

export interface PageEnvironment {
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  readonly userAgent: string;
  /** The WebGPU adapter's info and optional features (`shader-f16` for fp16 graphs), or why there is none. */
  readonly adapter: { readonly vendor: string; readonly architecture: string; readonly description: string; readonly features: readonly string[] } | { readonly missing: string };
}

export interface PageRunRequest {
  /** Blob name of the ONNX model bytes. */
  readonly model: string;
  readonly provider: PageProvider;
  /** Float32 feeds: input name → dims; the bytes are at blob `<feedPrefix><name>`. */
  readonly feeds: Readonly<Record<string, readonly number[]>>;
  readonly feedPrefix: string;
  /** Outputs to send back, each PUT as blob `<outputPrefix><name>`; none: timing only. */
  readonly fetch: readonly string[];
  readonly outputPrefix: string;
  /** Timed runs after the first (which is returned and not timed as steady state). Default 0. */
  readonly rounds?: number;
  /** wasm threads; default: navigator.hardwareConcurrency. */
  readonly threads?: number;
  /** Turns on onnxruntime's verbose log (node placement) for this session. */
  readonly verbose?: boolean;
}

export interface PageRunResult {
  /** Dims of every fetched output. */
  readonly dims: Readonly<Record<string, readonly number[]>>;
  readonly createMs: number;
  readonly firstRunMs: number;
  /** Milliseconds of each timed round. */
  readonly roundMs: readonly number[];
  /** ort.env.wasm.numThreads as the session ran. */
  readonly threads: number;
}

/** The engine the page puts on `window.engine`. */
export interface PageEngine {
  environment(): Promise<PageEnvironment>;
  run(request: PageRunRequest): Promise<PageRunResult>;
}

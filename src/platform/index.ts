/**
 * The seam between the core and the platform it runs on. The core (architecture, weights,
 * graphs, training, preprocessing, tasks) reaches files, image codecs, the onnxruntime binding and
 * compression only through `platform()`; Node's implementation (src/node/) registers itself when
 * the package root is imported, and a browser build registers its own beside it.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { EfficientNetError } from '../errors.js';

/** 8-bit pixels, interleaved: `data[(y * width + x) * channels + c]`, i.e. [H, W, C]. */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Bytes to write: one buffer, text, or chunks written one after another. */
export type FileData = Uint8Array | string | readonly Uint8Array[];

/** Paths on the platform's file system (the browser has none: its calls fail with a clear error). */
export interface FileAccess {
  /** The whole of a regular file; anything else (a folder, a device, a pipe) is refused. */
  read(path: string): Promise<Uint8Array>;
  /** A regular file as UTF-8 text. */
  readText(path: string): Promise<string>;
  /** Writes all of `data` so that a reader never sees half of it. */
  write(path: string, data: FileData): Promise<void>;
  /** True when something exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** The names of the (non-hidden) folders directly inside `path`. */
  listFolders(path: string): Promise<string[]>;
  /**
   * Every (non-hidden) file below `root`, sorted by folder then name in code-unit order; links
   * that would repeat or loop are reported in `skipped` instead.
   */
  walkFiles(root: string, skipped: { path: string; reason: string }[]): Promise<string[]>;
}

/** Image decoding and encoding. */
export interface ImageCodec {
  /**
   * Decodes a file or encoded bytes to 8-bit RGB, [H, W, 3] interleaved, EXIF orientation
   * applied, alpha dropped; `icc: 'ignore'` keeps stored values as PIL does.
   */
  decodeRgb(input: string | Uint8Array, icc: 'ignore' | 'apply'): Promise<RawImage>;
  /** Width and height from the header only, 0 where it states none (cheap: vets a dataset before training). */
  size(input: string | Uint8Array): Promise<{ width: number; height: number }>;
  /** Renders an SVG document to PNG bytes at `scale` pixels per SVG unit. */
  svgToPng(svg: string, scale: number): Promise<Uint8Array>;
}

/** The onnxruntime binding: onnxruntime-node and onnxruntime-web share this API. */
export interface Engine {
  readonly InferenceSession: typeof InferenceSession;
  readonly Tensor: typeof Tensor;
  /** Execution providers this build and machine can run (e.g. ['cpu'] or ['webgpu', 'wasm']). */
  availableProviders(): readonly string[];
  /** Providers used when the options name none: ['cpu'] on Node; ['webgpu'] or ['wasm'] in a browser. */
  defaultProviders(): Promise<readonly string[]>;
  /** Whether idle onnxruntime threads spin by default (`RuntimeOptions.spinWait`). */
  readonly spinWait: boolean;
}

/** Raw deflate, as zip entries use it, and the zip checksum. */
export interface Compression {
  /** Inflates raw deflate data that should come to exactly `size` bytes (never more). */
  inflateRaw(data: Uint8Array, size: number): Uint8Array;
  /** CRC-32 (the zip and PNG polynomial). */
  crc32(data: Uint8Array): number;
}

/** A published weight file: fetched once, verified against its SHA-256 prefix, then kept. */
export interface WeightFile {
  /** Registry tag, for messages (`lukemelas:efficientnet-b0`). */
  readonly tag: string;
  readonly url: string;
  readonly fileName: string;
  /** Leading hex digits of the file's SHA-256. */
  readonly sha256: string;
}

export interface DownloadProgress {
  readonly tag: string;
  readonly url: string;
  /** Bytes on disk so far, resumed ones included. */
  readonly received: number;
  /** Full size when the server says it. */
  readonly total?: number;
  /** 0 for the first request, n for the n-th retry. */
  readonly attempt: number;
}

/** Why a request is being retried, and which retry it is. */
export interface DownloadRetry {
  readonly tag: string;
  readonly url: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly retries: number;
  readonly reason: string;
  /** Bytes kept; the retry asks for the rest with a Range request. */
  readonly received: number;
}

export interface FetchPretrainedOptions {
  /** Where files are kept. Node: `$EFFICIENTNET_TS_CACHE`, else `$XDG_CACHE_HOME/efficientnet-ts`, else `~/.cache/efficientnet-ts`. */
  cacheDir?: string;
  /** Mirror: the file is fetched from `<baseUrl>/<fileName>`. Default: `$EFFICIENTNET_TS_BASE_URL`, else the published URL. */
  baseUrl?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts after the first one when the connection drops or the server errs (5xx). Default 3. */
  retries?: number;
  /** Delay before retry n is `retryDelayMs · 2^(n−1)`. Default 500. */
  retryDelayMs?: number;
  onRetry?: (retry: DownloadRetry) => void;
  /** Abort a request that receives nothing for this long. Default: `$EFFICIENTNET_TS_IDLE_TIMEOUT` (seconds), else 30 s. */
  idleTimeoutMs?: number;
  /** Most bytes accepted when the server sends no Content-Length. Default 4 GiB. */
  maxBytes?: number;
  /** Injected `fetch` (tests, proxies). Default: the global one. */
  fetchImpl?: typeof fetch;
}

/** Where published weights come from: a cache folder on Node, the Cache Storage API in a browser. */
export interface WeightStore {
  /** A local path (Node) or the bytes of `file`, downloaded and verified on first use. */
  fetch(file: WeightFile, options?: FetchPretrainedOptions): Promise<string | Uint8Array>;
}

/** Everything the core needs from the platform. */
export interface Platform {
  /** 'node' or 'browser', for messages. */
  readonly name: string;
  readonly files: FileAccess;
  readonly images: ImageCodec;
  readonly engine: Engine;
  readonly compression: Compression;
  readonly weights: WeightStore;
  /** Cores available for parallel work (decoding queues). */
  readonly parallelism: number;
}

let current: Platform | undefined;

/**
 * Registers the platform the core runs on; the package's entry points call it once.
 *
 * @example
 * usePlatform(nodePlatform); // done by `import 'efficientnet-ts'` in Node
 */
export function usePlatform(platform: Platform): void {
  current = platform;
}

/**
 * The registered platform.
 *
 * @example
 * const bytes = await platform().files.read('model.safetensors');
 */
export function platform(): Platform {
  if (!current) throw new EfficientNetError("No platform is registered: import 'efficientnet-ts' (Node) or its browser build before using the library");
  return current;
}

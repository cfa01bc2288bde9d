/**
 * onnxruntime-web behind the platform's engine interface: the same InferenceSession API as
 * onnxruntime-node, with WebGPU and wasm backends (this is its WebGPU build, which holds both).
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { Engine } from '../platform/index.js';
import { browserSettings } from './settings.js';

export { ort };

/** The slice of the WebGPU API used here (the DOM typings in use do not declare it). */
interface GpuAdapterInfo { readonly vendor: string; readonly architecture: string; readonly description: string }
interface GpuLike { requestAdapter(): Promise<{ readonly info?: GpuAdapterInfo } | null> }

let adapter: Promise<GpuAdapterInfo | undefined> | undefined;

/**
 * The WebGPU adapter's description, or undefined when the browser offers none (no
 * `navigator.gpu`, or `requestAdapter()` gives null). Asked once per page.
 *
 * @example
 * (await webgpuAdapter())?.architecture // 'swiftshader' in headless Chromium on a CPU
 */
export function webgpuAdapter(): Promise<GpuAdapterInfo | undefined> {
  adapter ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
    const found = await gpu?.requestAdapter().catch(() => null);
    return found ? { vendor: found.info?.vendor ?? '', architecture: found.info?.architecture ?? '', description: found.info?.description ?? '' } : undefined;
  })();
  return adapter;
}

/** Applies the page's settings to onnxruntime-web's environment before its first session. */
function configure(): void {
  const { wasmPaths, threads } = browserSettings();
  if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.wasm.numThreads = threads ?? (self.crossOriginIsolated ? navigator.hardwareConcurrency : 1);
}

/** What onnxruntime-web's WebGPU build runs ('cpu' is its name for wasm too). */
const WEB_PROVIDERS = ['webgpu', 'wasm', 'cpu'];

/**
 * Configures onnxruntime-web on first use, so a session sees the page's settings, and refuses a
 * first provider this build does not have: onnxruntime-web skips unknown names silently, which
 * would hide the fallback the caller asked for.
 */
class ConfiguredSession {
  static async create(model: Uint8Array, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
    const first = options.executionProviders?.[0];
    const name = typeof first === 'string' ? first : first?.name;
    if (name && !WEB_PROVIDERS.includes(name)) throw new Error(`onnxruntime-web has no '${name}' backend (it has ${WEB_PROVIDERS.join(', ')})`);
    configure();
    return ort.InferenceSession.create(model, options);
  }
}

export const browserEngine: Engine = {
  InferenceSession: ConfiguredSession as unknown as typeof ort.InferenceSession,
  Tensor: ort.Tensor,
  availableProviders: () => ['webgpu', 'wasm'],
  // WebGPU first with wasm behind it for any operator it lacks; wasm alone without an adapter.
  defaultProviders: async () => ((await webgpuAdapter()) ? ['webgpu', 'wasm'] : ['wasm']),
  // The wasm pool's threads serve only onnxruntime (the browser decodes images on its own
  // threads); sleeping between operators cost b0 at batch 1 a quarter of its time.
  spinWait: true,
};

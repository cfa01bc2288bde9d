/**
 * Which onnxruntime-web backend runs the model, in words: the WebGPU adapter's name, or wasm
 * with its thread count (threads need the page to be cross-origin isolated).
 */
import { library, type Model } from './library.js';

/** The backend choice of the page's select, as the runtime's execution providers. */
export type ProviderChoice = 'auto' | 'webgpu' | 'wasm';

/**
 * Runtime options for a choice: WebGPU with wasm behind it for anything it lacks; auto leaves it
 * to the library (WebGPU when the browser has an adapter, else wasm).
 *
 * @example
 * runtimeFor('webgpu') // { executionProviders: ['webgpu', 'wasm'] }
 */
export function runtimeFor(choice: ProviderChoice): { executionProviders?: string[] } {
  if (choice === 'webgpu') return { executionProviders: ['webgpu', 'wasm'] };
  if (choice === 'wasm') return { executionProviders: ['wasm'] };
  return {};
}

/**
 * `WebGPU · <adapter>` or `wasm · N threads` for the provider that runs `model` (this compiles
 * its inference graph if it has not run yet).
 *
 * @example
 * await describeBackend(net) // 'wasm · 2 threads'
 */
export async function describeBackend(model: Model): Promise<string> {
  const provider = await model.executionProvider();
  const { ort, webgpuAdapter } = await library();
  if (provider === 'webgpu') {
    const adapter = await webgpuAdapter();
    const name = adapter ? adapter.description || [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') : '';
    return `WebGPU · ${name || 'unnamed adapter'}`;
  }
  const threads = ort.env.wasm.numThreads ?? 1;
  return `${provider} · ${threads} thread${threads === 1 ? '' : 's'}${self.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`;
}

/**
 * WebGPU in Node through Dawn's own bindings (the optional dev dependency `webgpu`, whose prebuilt
 * `dawn.node` reaches the GPU through Vulkan on Linux): installs `navigator.gpu` and the WebGPU
 * classes as globals, as a page has them, so that onnxruntime-web's WebGPU backend (the browser
 * build's engine, src/browser/engine.ts) runs unchanged in Node. Benchmarks only: no test needs it.
 */
import { availableParallelism } from 'node:os';

/** What the benchmark reports about the adapter it ran on. */
export interface AdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly features: readonly string[];
  /** The limits that bound onnxruntime's kernels (workgroup sizes, buffer sizes). */
  readonly limits: Record<string, number>;
}

/** The slice of Dawn's API used here (its typings would add WebGPU's to every file compiled). */
interface DawnAdapter {
  readonly info: Record<string, unknown>;
  readonly features: Iterable<string>;
  readonly limits: Record<string, number>;
}
interface DawnGpu { requestAdapter(options?: { powerPreference?: string }): Promise<DawnAdapter | null> }
interface DawnModule { create(flags: string[]): DawnGpu; globals: Record<string, { prototype: object }> }
type WriteBuffer = (buffer: unknown, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number) => void;

const LIMITS = ['maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'maxBufferSize'];

/**
 * onnxruntime-web's threaded wasm uploads straight from its heap, a SharedArrayBuffer, which
 * dawn.node refuses ("Invalid argument"; a browser takes it): such views are copied first.
 *
 * @example
 * copySharedUploads(dawn.globals.GPUQueue); // queue.writeBuffer(buffer, 0, sharedView) now works
 */
export function copySharedUploads(queue: { prototype: object }): void {
  const proto = queue.prototype as { writeBuffer: WriteBuffer };
  const write = proto.writeBuffer;
  proto.writeBuffer = function (this: unknown, buffer, offset, data, dataOffset = 0, size?) {
    if (!ArrayBuffer.isView(data) || !(data.buffer instanceof SharedArrayBuffer)) return write.call(this, buffer, offset, data, dataOffset, size);
    // dataOffset and size count elements of a typed array, bytes of a DataView.
    const unit = 'BYTES_PER_ELEMENT' in data ? (data.BYTES_PER_ELEMENT as number) : 1;
    const count = size ?? data.byteLength / unit - dataOffset;
    const copy = new Uint8Array(data.buffer, data.byteOffset + dataOffset * unit, count * unit).slice();
    return write.call(this, buffer, offset, copy, 0, copy.byteLength);
  };
}

/**
 * Loads Dawn and makes it the global `navigator.gpu`; returns the high-performance adapter's
 * report, or why there is none (no `webgpu` package, no adapter). `DAWN_FLAGS` (comma-separated,
 * e.g. `backend=vulkan`) passes Dawn's own options through.
 *
 * @example
 * const { adapter, missing } = await installDawn();
 * if (!adapter) console.log(`skipped: ${missing}`);
 */
export async function installDawn(): Promise<{ adapter?: AdapterReport; missing?: string }> {
  let dawn: DawnModule;
  try {
    const name = 'webgpu'; // not a literal: the package is optional, and its typings stay out
    dawn = (await import(name)) as DawnModule;
  } catch (error) {
    return { missing: `no WebGPU for Node: the optional package 'webgpu' did not load (${(error as Error).message.split('\n')[0]})` };
  }
  Object.assign(globalThis, dawn.globals);
  copySharedUploads(dawn.globals.GPUQueue);
  const gpu = dawn.create((process.env.DAWN_FLAGS ?? '').split(',').filter(Boolean));
  // Node 20 has no navigator; later versions have one without `gpu`.
  if (!('navigator' in globalThis)) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  if (!('hardwareConcurrency' in globalThis.navigator)) Object.defineProperty(globalThis.navigator, 'hardwareConcurrency', { value: availableParallelism() });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { missing: 'no WebGPU adapter (Dawn found no Vulkan device: is a Vulkan loader and driver installed?)' };
  const text = (key: string) => String(adapter.info[key] ?? '');
  return {
    adapter: {
      vendor: text('vendor'), architecture: text('architecture'), device: text('device'), description: text('description'),
      features: [...adapter.features].sort(),
      limits: Object.fromEntries(LIMITS.map((k) => [k, adapter.limits[k]])),
    },
  };
}

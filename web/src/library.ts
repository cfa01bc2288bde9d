/**
 * The library as the page gets it: the prebuilt browser bundle (`npm run build` writes
 * dist/browser/efficientnet-ts.js, served under /lib/), typed by its source entry. The import
 * is by URL at run time, so the type import below is erased and nothing else is bundled.
 */
import type * as Library from '../../src/browser/index.js';

export type { Library };
export type Model = Library.EfficientNet;

/** Where `npm run web` serves the bundle, with onnxruntime-web's `.wasm`/`.mjs` beside it. */
const BUNDLE_URL = '/lib/efficientnet-ts.js';

/**
 * Loads the bundle once.
 *
 * @example
 * const { EfficientNet } = await library();
 */
export function library(): Promise<typeof Library> {
  loading ??= import(BUNDLE_URL) as Promise<typeof Library>;
  return loading;
}

let loading: Promise<typeof Library> | undefined;

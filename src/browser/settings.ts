/**
 * What a page can set before it loads anything: where published weights come from, the Cache
 * Storage bucket they are kept in, and onnxruntime-web's wasm folder and thread count.
 */

export interface BrowserSettings {
  /**
   * Mirror for published weights: `<weightsBaseUrl>/<fileName>`. Default: each registry entry's
   * own URL. `fromPretrained(..., { baseUrl })` overrides it per call.
   */
  weightsBaseUrl?: string;
  /** Cache Storage bucket for downloaded weights. Default `efficientnet-ts-weights`. */
  cacheName?: string;
  /**
   * Folder (URL ending in '/') holding onnxruntime-web's `.wasm`/`.mjs` files. Default: beside the
   * script that holds onnxruntime-web, i.e. beside `efficientnet-ts.js` in the prebuilt bundle.
   */
  wasmPaths?: string;
  /**
   * wasm threads. Default: `navigator.hardwareConcurrency` when the page is cross-origin isolated
   * (SharedArrayBuffer needs COOP/COEP headers), else 1. Read when the first session starts.
   */
  threads?: number;
}

const settings: BrowserSettings = {};

/**
 * Changes the browser settings (see {@link BrowserSettings}); call it before loading a model.
 *
 * @example
 * configureBrowser({ weightsBaseUrl: '/weights', threads: 4 });
 */
export function configureBrowser(changes: BrowserSettings): void {
  Object.assign(settings, changes);
}

/** The current settings. */
export function browserSettings(): Readonly<BrowserSettings> {
  return settings;
}

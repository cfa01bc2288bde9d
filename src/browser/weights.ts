/**
 * Published weights in a browser: fetched once from the registry's URL (or a mirror the page
 * sets), checked against the registry's SHA-256 prefix with `crypto.subtle`, and kept in the
 * Cache Storage API, so a second load reads the cache. A cached copy is checked again on every
 * load (hashing b0's 21 MB takes a few tens of milliseconds) and dropped when it fails.
 */
import { WeightLoadError } from '../errors.js';
import type { FetchPretrainedOptions, WeightFile, WeightStore } from '../platform/index.js';
import { browserSettings } from './settings.js';

const DEFAULT_CACHE = 'efficientnet-ts-weights';

/**
 * Hex SHA-256 of `bytes`.
 *
 * @example
 * await sha256Hex(new TextEncoder().encode('abc')) // 'ba7816bf...'
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const matches = (digest: string, expected: string) => expected.length > 0 && digest.startsWith(expected.toLowerCase());

/** Where `file` is fetched from: `<baseUrl>/<fileName>` when a mirror is set, else its published URL. */
function sourceUrl(file: WeightFile, options: FetchPretrainedOptions): string {
  const base = options.baseUrl ?? browserSettings().weightsBaseUrl;
  return base ? `${base.replace(/\/+$/, '')}/${file.fileName}` : file.url;
}

/** The body of `response`, reporting progress as chunks arrive. */
async function readBody(response: Response, file: WeightFile, url: string, options: FetchPretrainedOptions): Promise<Uint8Array> {
  const total = Number(response.headers.get('Content-Length')) || undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body!.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    chunks.push(part.value);
    received += part.value.byteLength;
    options.onProgress?.({ tag: file.tag, url, received, total, attempt: 0 });
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), (at += chunk.byteLength);
  return bytes;
}

/**
 * The bytes of a registry weight file, from Cache Storage when a verified copy is there,
 * else downloaded, verified and stored.
 *
 * @example
 * const bytes = await fetchPretrainedBytes(getPretrained('lukemelas:efficientnet-b0'), { onProgress: (p) => bar(p.received / p.total!) });
 */
export async function fetchPretrainedBytes(file: WeightFile, options: FetchPretrainedOptions = {}): Promise<Uint8Array> {
  const url = sourceUrl(file, options);
  const cache = await caches.open(options.cacheDir ?? browserSettings().cacheName ?? DEFAULT_CACHE);
  const cached = await cache.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if (matches(await sha256Hex(bytes), file.sha256)) return bytes;
    await cache.delete(url);
  }
  const fail = (why: string): never => {
    throw new WeightLoadError(`Could not get ${file.tag} from ${url}: ${why}. Serve it from a folder of your site and set configureBrowser({ weightsBaseUrl }) (its SHA-256 starts with ${file.sha256})`);
  };
  const response = await (options.fetchImpl ?? fetch)(url).catch((error: Error) => fail(`the request failed (${error.message})`));
  if (!response.ok) fail(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  const bytes = await readBody(response, file, url, options);
  const digest = await sha256Hex(bytes);
  if (!matches(digest, file.sha256)) fail(`the downloaded file's SHA-256 is ${digest}, expected one starting with ${file.sha256}`);
  await cache.put(url, new Response(bytes.slice(), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength) } }));
  return bytes;
}

/** Cache Storage behind the platform's weight store. */
export const browserWeights: WeightStore = { fetch: fetchPretrainedBytes };

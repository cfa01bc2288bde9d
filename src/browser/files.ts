/**
 * Files in a browser: a path is a URL, read with `fetch` (relative to the page); writing hands
 * the bytes to the user as a download named after the path. There is no folder listing.
 */
import { EfficientNetError, FileSystemError } from '../errors.js';
import type { FileAccess, FileData } from '../platform/index.js';

/**
 * The bytes at `url`; an HTTP error or a network failure is one line naming the URL.
 *
 * @example
 * const bytes = await fetchBytes('weights/efficientnet-b0.safetensors');
 */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new FileSystemError(url, 'EFETCH', `the request failed (${(error as Error).message})`, 'fetch');
  }
  if (!response.ok) throw new FileSystemError(url, `HTTP${response.status}`, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, 'fetch');
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Offers `data` as a download named after the last part of `path` (an anchor with a Blob URL);
 * outside a document (a worker) there is nothing to download to, and that is said.
 *
 * @example
 * await download('b0.safetensors', net.saveBytes('b0.safetensors'));
 */
export async function download(path: string, data: FileData): Promise<void> {
  if (typeof document === 'undefined') {
    throw new EfficientNetError(`Cannot write '${path}': a browser has no file system, and outside a page there is no download; use saveBytes() or toOnnx() and keep the bytes`);
  }
  const parts = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
  const url = URL.createObjectURL(new Blob(parts.map((p) => (typeof p === 'string' ? p : p.slice())), { type: 'application/octet-stream' }));
  const anchor = Object.assign(document.createElement('a'), { href: url, download: path.split('/').pop() || 'download' });
  anchor.click();
  // The download has taken its copy once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function noListing(what: string): never {
  throw new EfficientNetError(`${what} needs a file system, which a browser does not have: give the images themselves (bytes, Blobs, elements) instead of a folder`);
}

/** Files as URLs, writes as downloads. */
export const browserFiles: FileAccess = {
  read: fetchBytes,
  readText: async (url) => new TextDecoder().decode(await fetchBytes(url)),
  write: download,
  exists: async (url) => (await fetch(url, { method: 'HEAD' }).catch(() => undefined))?.ok ?? false,
  listFolders: async (path) => noListing(`Listing the folders of '${path}'`),
  walkFiles: async (root) => noListing(`Listing the files below '${root}'`),
};

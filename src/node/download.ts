/**
 * Fetches a registry weight file into the cache: reuse a verified copy, else download to
 * `<file>.part` (resuming with an HTTP Range request after a dropped connection or a stall of
 * `idleTimeoutMs` without a byte, a bounded number of times, each retry reported), check the
 * SHA-256, and rename into place. A body longer than announced (or than `maxBytes` when nothing
 * is announced) is cut off. Every failure is one line naming the URL, the retries made and the
 * exact path where the file can be put by hand.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WeightLoadError } from '../errors.js';
import type { FetchPretrainedOptions, WeightFile } from '../platform/index.js';
import { defaultCacheDir, digestMatches, rememberVerified, sha256File, verifiedCachedFile } from './cache.js';
import { getPretrained } from '../weights/pretrained/registry.js';

/** A stall with no byte for this long aborts the request (then it is retried). Default: `$EFFICIENTNET_TS_IDLE_TIMEOUT` seconds, else 30 s. */
const DEFAULT_IDLE_MS = 30_000;
/** Cut-off when the server announces no length: larger than any published EfficientNet file (L2 is about 1.9 GB). */
const DEFAULT_MAX_BYTES = 4 * 2 ** 30;

export interface FetchedWeights {
  readonly path: string;
  readonly entry: WeightFile;
  /** False when a verified cached copy was used. */
  readonly downloaded: boolean;
}

/** A failure that another attempt will not fix (404, hash mismatch). */
class FinalError extends Error {}

/**
 * Returns the local path of a registry weight file, downloading and verifying it if needed.
 *
 * @example
 * const { path } = await fetchPretrained('lukemelas:efficientnet-b0', { onProgress: (p) => console.log(p.received) });
 * const { tensors } = await readCheckpoint(path);
 */
export async function fetchPretrained(tag: string | WeightFile, options: FetchPretrainedOptions = {}): Promise<FetchedWeights> {
  const entry = typeof tag === 'string' ? getPretrained(tag) : tag;
  const dir = options.cacheDir ?? defaultCacheDir();
  const path = join(dir, entry.fileName);
  if (await verifiedCachedFile(path, entry.sha256)) return { path, entry, downloaded: false };

  const base = options.baseUrl ?? process.env.EFFICIENTNET_TS_BASE_URL;
  const url = base ? `${base.replace(/\/+$/, '')}/${entry.fileName}` : entry.url;
  const partial = `${path}.part`;
  const fail = (why: string): never => {
    throw new WeightLoadError(`Could not get ${entry.tag} from ${url}: ${why}. Download it by hand and save it as ${path} (its SHA-256 starts with ${entry.sha256})`);
  };
  await mkdir(dir, { recursive: true });
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await downloadOnce(url, partial, entry.tag, options, attempt);
      break;
    } catch (error) {
      const why = describeFailure(error);
      const tries = attempt > 0 ? ` (after ${attempt} ${attempt === 1 ? 'retry' : 'retries'})` : '';
      if (error instanceof FinalError) await rm(partial, { force: true });
      if (error instanceof FinalError || attempt >= retries) fail(`${why}${tries}`);
      const received = (await stat(partial).catch(() => undefined))?.size ?? 0;
      options.onRetry?.({ tag: entry.tag, url, attempt: attempt + 1, retries, reason: why, received });
      await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 500) * 2 ** attempt));
    }
  }
  const digest = await sha256File(partial);
  if (!digestMatches(digest, entry.sha256)) {
    await rm(partial, { force: true });
    fail(`the downloaded file's SHA-256 is ${digest}, expected one starting with ${entry.sha256}`);
  }
  await rename(partial, path);
  await rememberVerified(path, digest);
  return { path, entry, downloaded: true };
}

/** One request, appending to `partial` from its current size (Range), or from 0 when the server ignores Range. */
async function downloadOnce(url: string, partial: string, tag: string, options: FetchPretrainedOptions, attempt: number): Promise<void> {
  const have = (await stat(partial).catch(() => undefined))?.size ?? 0;
  const idleMs = options.idleTimeoutMs ?? (Number(process.env.EFFICIENTNET_TS_IDLE_TIMEOUT) * 1000 || DEFAULT_IDLE_MS);
  // Node's own body timeout is 300 s; a stalled mirror is noticed after idleMs without a byte.
  const stall = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), idleMs);
  };
  let received = have;
  idle();
  try {
    const response = await (options.fetchImpl ?? fetch)(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal: stall.signal });
    if (response.status === 416 && have > 0) {
      // The partial file is already complete (or longer than the file): start over.
      await rm(partial, { force: true });
      throw new Error('the server refused to resume the download');
    }
    if (!response.ok) {
      const why = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw response.status >= 500 || response.status === 429 ? new Error(why) : new FinalError(why);
    }
    const resumed = response.status === 206;
    received = resumed ? have : 0;
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    const total = Number.isFinite(length) ? received + length : undefined;
    const limit = total ?? options.maxBytes ?? DEFAULT_MAX_BYTES;
    const file = await open(partial, resumed ? 'a' : 'w');
    try {
      for await (const chunk of response.body ?? []) {
        idle();
        if (received + chunk.byteLength > limit) {
          throw new FinalError(`the server sent more than ${total === undefined ? `the ${limit}-byte limit (it gave no Content-Length)` : `the ${total} bytes it announced`}; cut off`);
        }
        await file.write(chunk);
        received += chunk.byteLength;
        options.onProgress?.({ tag, url, received, total, attempt });
      }
    } finally {
      await file.close();
    }
    if (total !== undefined && received < total) throw new Error(`the connection closed after ${received} of ${total} bytes`);
  } catch (error) {
    if (!stall.signal.aborted || error instanceof FinalError) throw error;
    throw new Error(`no data for ${idleMs / 1000} s after ${received} bytes`);
  } finally {
    clearTimeout(timer);
  }
}

/** The innermost reason of a fetch failure (undici wraps ECONNREFUSED and friends in `cause`). */
function describeFailure(error: unknown): string {
  let current = error;
  const reasons: string[] = [];
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    reasons.push((current as NodeJS.ErrnoException).code ?? current.message);
    current = current.cause;
  }
  const text = reasons.length > 0 ? reasons[reasons.length - 1] : String(error);
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/.test(text) ? `no connection (${text})` : text;
}

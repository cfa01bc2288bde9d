/**
 * Where downloaded weights live and how a cached file is trusted: its SHA-256 must start with the
 * registry's digits. Hashing b7 (266 MB) takes about a second, so a verified file gets a small
 * `<file>.sha256` note (digest, size, mtime) and is not hashed again while those hold.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';

/**
 * `$EFFICIENTNET_TS_CACHE`, else `$XDG_CACHE_HOME/efficientnet-ts`, else `~/.cache/efficientnet-ts`.
 *
 * @example
 * defaultCacheDir({ XDG_CACHE_HOME: '/tmp/cache' }) // '/tmp/cache/efficientnet-ts'
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EFFICIENTNET_TS_CACHE) return env.EFFICIENTNET_TS_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'efficientnet-ts');
  return join(homedir(), '.cache', 'efficientnet-ts');
}

/**
 * Hex SHA-256 of a file, streamed.
 *
 * @example
 * await sha256File('efficientnet-b0-355c32eb.pth') // '355c32eb...'
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when `digest` is, or starts with, the `expected` hex digits (case-insensitive). */
export function digestMatches(digest: string, expected: string): boolean {
  return expected.length > 0 && digest.toLowerCase().startsWith(expected.toLowerCase());
}

const notePath = (path: string) => `${path}.sha256`;

/**
 * Records that `path` hashed to `digest`, so {@link verifiedCachedFile} can skip rehashing it.
 *
 * @example
 * await rememberVerified(path, await sha256File(path));
 */
export async function rememberVerified(path: string, digest: string): Promise<void> {
  const { size, mtimeMs } = await stat(path);
  await writeFileAtomic(notePath(path), `${digest} ${size} ${mtimeMs}\n`);
}

/**
 * `path` if it exists and its SHA-256 matches `expected` (from the note when size and mtime are
 * unchanged, else by hashing it); undefined when it is missing. A file that fails the check is
 * deleted, so the caller downloads a fresh copy.
 *
 * @example
 * const cached = await verifiedCachedFile('/cache/efficientnet-b0-355c32eb.pth', '355c32eb');
 */
export async function verifiedCachedFile(path: string, expected: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const note = (await readFile(notePath(path), 'utf8').catch(() => '')).trim().split(' ');
  if (note.length === 3 && Number(note[1]) === info.size && Number(note[2]) === info.mtimeMs && digestMatches(note[0], expected)) return path;
  const digest = await sha256File(path);
  if (digestMatches(digest, expected)) {
    await rememberVerified(path, digest);
    return path;
  }
  await rm(path, { force: true });
  await rm(notePath(path), { force: true });
  return undefined;
}

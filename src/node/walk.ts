/**
 * Turning command-line style inputs (files, folders, globs) into a sorted list of image paths,
 * reporting what was skipped instead of stopping at the first odd file.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { compare, isImagePath, type SkippedPath } from '../data/imagePaths.js';

/**
 * The names of the folders directly inside `path` (hidden ones skipped; links to folders are
 * not followed, as torchvision's ImageFolder finds its classes), in no particular order.
 *
 * @example
 * await listFolders('flowers/train') // ['roses', 'daisy']
 */
export async function listFolders(path: string): Promise<string[]> {
  return (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}

export interface ImagePaths {
  /** Image files, each input's matches sorted by path, duplicates removed. */
  readonly files: string[];
  readonly skipped: SkippedPath[];
}

/**
 * Expands files, folders (recursively) and globs (`*`, `?`, `**`, `{a,b}`) into image paths.
 * A file named explicitly is kept whatever its extension (decoding will judge it); inside
 * folders and globs only image extensions are taken. Empty files, other files found in folders
 * and inputs that do not exist are reported in `skipped`.
 *
 * @example
 * const { files, skipped } = await listImages(['photos/', 'extra/*.png']);
 */
export async function listImages(inputs: readonly string[]): Promise<ImagePaths> {
  const files: string[] = [];
  const skipped: SkippedPath[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const found = /[*?{[]/.test(input) ? await expandGlob(input, skipped) : await expandPath(input, skipped);
    for (const path of found.filter((p) => !seen.has(p))) {
      files.push(path);
      seen.add(path);
    }
  }
  const reported = new Set<string>();
  const unique = skipped.filter(({ path, reason }) => !reported.has(path + reason) && reported.add(path + reason));
  return { files, skipped: unique };
}

async function expandPath(input: string, skipped: SkippedPath[]): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) return skipped.push({ path: input, reason: 'not found' }), [];
  if (info.isDirectory()) return keepImages(await walkFiles(input, skipped), skipped);
  if (info.size === 0) return skipped.push({ path: input, reason: 'empty file' }), [];
  return [input];
}

async function expandGlob(pattern: string, skipped: SkippedPath[]): Promise<string[]> {
  const parts = pattern.split(/[\\/]/);
  const firstMagic = parts.findIndex((part) => /[*?{[]/.test(part));
  const root = parts.slice(0, firstMagic).join(sep) || '.';
  const matcher = globToRegExp(parts.slice(firstMagic).join('/'));
  const all = await walkFiles(root, skipped).catch(() => []);
  const matches = all.filter((path) => matcher.test(relative(root, path).split(sep).join('/')));
  if (matches.length === 0) skipped.push({ path: pattern, reason: 'no files match' });
  return keepImages(matches, skipped);
}

/** Keeps non-empty image files; reports the rest. */
async function keepImages(paths: string[], skipped: SkippedPath[]): Promise<string[]> {
  const kept: string[] = [];
  for (const path of paths) {
    if (!isImagePath(path)) skipped.push({ path, reason: 'not an image file extension' });
    else if ((await stat(path)).size === 0) skipped.push({ path, reason: 'empty file' });
    else kept.push(path);
  }
  return kept;
}

/**
 * Every file below `root`, in the order torchvision's ImageFolder lists them: by folder path,
 * then by file name, comparing characters by code (like Python's `sorted`, not locale order), so
 * the order is the same on every machine. Hidden entries (starting with '.') are skipped.
 *
 * Folder links are followed once the real folders are walked, and each real folder is walked
 * once: a link to a folder already walked, or to one that holds it (`ln -s ..`, a loop), is
 * reported in `skipped` instead, so links never repeat or multiply images.
 *
 * @example
 * await walkFiles('data/train/cat') // ['data/train/cat/001.jpg', 'data/train/cat/sub/002.jpg']
 */
export async function walkFiles(root: string, skipped: SkippedPath[] = []): Promise<string[]> {
  const found: [folder: string, name: string][] = [];
  const walked = new Map<string, string>(); // real folder → the path it was walked as
  const links: string[] = [];
  const visit = async (folder: string, real: string): Promise<void> => {
    walked.set(real, folder);
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry;
      if (info?.isFile()) found.push([folder, entry.name]);
      else if (info?.isDirectory() && entry.isSymbolicLink()) links.push(path);
      else if (info?.isDirectory()) await visit(path, join(real, entry.name));
    }
  };
  await visit(root, await realpath(root));
  // Links last, in path order, so a folder is listed under its own name when the walk meets it.
  while (links.length > 0) {
    for (const path of links.splice(0).sort(compare)) {
      const target = await realpath(path);
      const inside = target.endsWith(sep) ? target : target + sep;
      const holds = [...walked].find(([real]) => real === target || real.startsWith(inside));
      if (!holds) await visit(path, target);
      else if (holds[0] === target) skipped.push({ path, reason: `links to the folder already walked as '${holds[1]}'` });
      else skipped.push({ path, reason: `links to '${target}', a folder above '${holds[1]}' (a loop)` });
    }
  }
  found.sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]));
  return found.map(([folder, name]) => join(folder, name));
}

/**
 * A glob over '/'-separated relative paths: `**` spans folders, `*` and `?` stay inside one,
 * `{a,b}` alternates, `[...]` is a character class.
 *
 * @example
 * globToRegExp('**\/*.{jpg,png}').test('a/b/c.png') // true
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '{') source += '(?:', braces++;
    else if (ch === '}' && braces > 0) source += ')', braces--;
    else if (ch === ',' && braces > 0) source += '|';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else source += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`, (i = end);
    } else source += ch.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

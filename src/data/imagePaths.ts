/** Which files count as images, how skipped paths are reported, and the one order paths are listed in. */

/** Extensions sharp's prebuilt binaries decode (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/** A path that was not taken, and why. */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

/** True when the name ends in one of `IMAGE_EXTENSIONS`. */
export const isImagePath = (path: string): boolean => IMAGE_EXTENSIONS.some((ext) => path.toLowerCase().endsWith(ext));

/** UTF-16 code-unit order: Python's code-point order except between astral and U+E000–U+FFFF characters. */
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

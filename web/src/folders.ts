/**
 * A folder per class: picked or dropped files named by their path become classes named after
 * the folder that holds them, as `imageFolder` reads `root/<class>/<image>` on Node. Pure, so
 * the rule is tested without a browser.
 */

/** What Chromium, Firefox and Safari decode; not sharp's list (src/data/imagePaths.ts): browsers read BMP but not TIFF. */
const IMAGE_NAME = /\.(jpe?g|jpe|jfif|png|gif|webp|avif|bmp)$/i;

/**
 * True for a file name a browser can decode as an image.
 *
 * @example
 * isImageName('rose/1.JPG') // true
 */
export function isImageName(name: string): boolean {
  return IMAGE_NAME.test(name) && !name.split('/').some((part) => part.startsWith('.'));
}

/**
 * Groups paths by class folder: `root/<class>/<image>` when everything is below one folder
 * (a picked or dropped dataset), else `<class>/<image>` (class folders dropped together).
 * Images directly in the root and files that are not images are left out; classes are sorted.
 *
 * @example
 * groupByClass(['flowers/rose/1.jpg', 'flowers/tulip/2.jpg'])
 * // Map { 'rose' => ['flowers/rose/1.jpg'], 'tulip' => ['flowers/tulip/2.jpg'] }
 */
export function groupByClass(paths: readonly string[]): Map<string, string[]> {
  const images = paths.filter(isImageName).map((path) => path.split('/'));
  const roots = new Set(images.map((parts) => parts[0]));
  const depth = roots.size === 1 && images.some((parts) => parts.length > 2) ? 1 : 0;
  const groups = new Map<string, string[]>();
  for (const parts of images) {
    if (parts.length < depth + 2) continue;
    const name = parts[depth];
    groups.set(name, [...(groups.get(name) ?? []), parts.join('/')]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

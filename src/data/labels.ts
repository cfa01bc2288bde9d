/**
 * Class names: the ImageNet-1k list (torchvision's names, index order) and loaders for custom
 * label files.
 */
import { ConfigError, FileFormatError } from '../errors.js';
import { platform } from '../platform/index.js';

/**
 * The 1000 ImageNet-1k class names, `names[i]` for logit `i`.
 *
 * @example
 * (await imagenetClasses())[281] // 'tabby'
 */
export async function imagenetClasses(): Promise<readonly string[]> {
  // Loaded on first use: 1000 names that only 1000-class models need.
  return (await import('./imagenetClasses.js')).IMAGENET_CLASSES;
}

/**
 * The class names a model without its own uses: ImageNet's for 1000 classes, else `class_i`.
 *
 * @example
 * (await defaultLabels(3)) // ['class_0', 'class_1', 'class_2']
 */
export async function defaultLabels(classes: number): Promise<readonly string[]> {
  return classes === 1000 ? imagenetClasses() : Array.from({ length: classes }, (_, i) => `class_${i}`);
}

/**
 * Reads class names from a file: a JSON array of strings, a JSON object mapping "0"…"n−1" to
 * names (lukemelas' labels_map.txt), or plain text with one name per line. With `expected`, the
 * count must equal the model's number of classes.
 *
 * @example
 * const labels = await loadLabels('labels.txt', 5); // ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']
 */
export async function loadLabels(path: string, expected?: number): Promise<readonly string[]> {
  let text: string;
  try {
    text = await platform().files.readText(path);
  } catch (error) {
    throw new FileFormatError(`Cannot read label file '${path}': ${(error as Error).message}`);
  }
  const labels = parseLabels(text, path);
  if (expected !== undefined && labels.length !== expected) {
    throw new ConfigError(`Label file '${path}' has ${labels.length} labels but the model has ${expected} classes`);
  }
  return labels;
}

/**
 * Parses label text (see `loadLabels`); `source` names it in errors.
 *
 * @example
 * parseLabels('cat\ndog\n', 'labels.txt') // ['cat', 'dog']
 */
export function parseLabels(text: string, source: string): readonly string[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new FileFormatError(`Label file '${source}' is empty`);
  const labels = body.startsWith('[') || body.startsWith('{') ? parseJsonLabels(body, source) : parseLines(body, source);
  return labels;
}

function parseLines(body: string, source: string): string[] {
  const lines = body.split(/\r?\n/).map((line) => line.trim());
  const blank = lines.findIndex((line) => line === '');
  if (blank >= 0) throw new FileFormatError(`Label file '${source}': line ${blank + 1} is empty; give one label per line`);
  return lines;
}

function parseJsonLabels(body: string, source: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new FileFormatError(`Label file '${source}' is not valid JSON: ${(error as Error).message}`);
  }
  const entries = Array.isArray(value) ? value : objectInIndexOrder(value as Record<string, unknown>, source);
  const bad = entries.findIndex((entry) => typeof entry !== 'string' || entry.trim() === '');
  if (bad >= 0) throw new FileFormatError(`Label file '${source}': entry ${bad} must be a non-empty string, got ${JSON.stringify(entries[bad])}`);
  if (entries.length === 0) throw new FileFormatError(`Label file '${source}' has no labels`);
  return entries as string[];
}

function objectInIndexOrder(map: Record<string, unknown>, source: string): unknown[] {
  const keys = Object.keys(map);
  const missing = keys.map((_, i) => String(i)).filter((key) => !(key in map));
  if (missing.length > 0) {
    throw new FileFormatError(`Label file '${source}': keys must be the indices 0 to ${keys.length - 1}; missing ${missing.slice(0, 5).join(', ')}`);
  }
  return keys.map((_, i) => map[String(i)]);
}

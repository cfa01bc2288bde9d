/**
 * Which model output each class folder stands for. A model that carries class names is matched
 * by name, so folders may be a subset in any order; a model without names can only be matched
 * by position, the way torchvision's ImageFolder numbered the classes it was trained on.
 */
import { DatasetError } from '../errors.js';

export interface ClassMapping {
  /** Model output index of each folder class, in the dataset's (sorted) class order. */
  readonly targets: readonly number[];
  /** A name for every model output: the model's labels, or folder names where matched by index. */
  readonly names: readonly string[];
  /** 'name' when folders were matched to the model's labels, 'index' when by sorted position. */
  readonly matchedBy: 'name' | 'index';
}

const quoteList = (names: readonly string[], most = 20): string =>
  names.slice(0, most).map((n) => `'${n}'`).join(', ') + (names.length > most ? ` and ${names.length - most} more` : '');

/**
 * Maps class folders to model outputs. `labels` are the model's own class names (undefined when
 * it carries none); `fallback` names the outputs no folder stands for (e.g. ImageNet's names).
 * Throws `DatasetError` listing every folder the model does not know.
 *
 * @example
 * matchClasses(['dog', 'cat'], ['cat', 'dog', 'fox'], 3).targets // [1, 0]
 * matchClasses(['n01440764', 'n01443537'], undefined, 1000, imagenet).matchedBy // 'index'
 */
export function matchClasses(folders: readonly string[], labels: readonly string[] | undefined, numClasses: number, fallback: readonly string[] = []): ClassMapping {
  if (labels) {
    const index = new Map<string, number>();
    labels.forEach((name, i) => index.has(name) || index.set(name, i));
    const unknown = folders.filter((name) => !index.has(name));
    if (unknown.length > 0) {
      throw new DatasetError(`Class folder(s) ${quoteList(unknown)} are not classes of the model; it knows ${labels.length}: ${quoteList(labels)}`);
    }
    return { targets: folders.map((name) => index.get(name)!), names: labels, matchedBy: 'name' };
  }
  if (folders.length > numClasses) {
    throw new DatasetError(`The dataset has ${folders.length} class folders but the model has ${numClasses} outputs and no class names to match them by`);
  }
  const names = Array.from({ length: numClasses }, (_, i) => folders[i] ?? fallback[i] ?? `class_${i}`);
  return { targets: folders.map((_, i) => i), names, matchedBy: 'index' };
}

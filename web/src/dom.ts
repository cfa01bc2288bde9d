/**
 * Small DOM helpers: elements by id (typed, failing loudly when the page lacks one), element
 * creation, and drop zones that accept files and whole folders.
 */

/**
 * The element with `id`, of the expected class.
 *
 * @example
 * const button = byId('train', HTMLButtonElement);
 */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no <${type.name}> with id '${id}'`);
  return element;
}

/**
 * A new element with properties and children.
 *
 * @example
 * h('li', { className: 'bar' }, [h('span', { textContent: 'cat' })])
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: readonly Node[] = []): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

/** A dropped or picked file with its path below what was dropped (`flowers/rose/1.jpg`, or just `1.jpg`). */
export interface PickedFile {
  readonly file: File;
  readonly path: string;
}

/**
 * Makes `zone` accept dropped files and folders (walked recursively), highlighting it while
 * something is dragged over it. `inputs`, file inputs inside or beside it, feed the same handler.
 *
 * @example
 * dropZone(byId('classify-drop', HTMLElement), [byId('classify-files', HTMLInputElement)], (files) => classify(files));
 */
export function dropZone(zone: HTMLElement, inputs: readonly HTMLInputElement[], onFiles: (files: PickedFile[]) => void): void {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    // Entries walk dropped folders; a file with no entry (a DataTransfer made by a script) is taken as it is.
    const items = [...(event.dataTransfer?.items ?? [])].filter((item) => item.kind === 'file');
    void Promise.all(items.map((item) => {
      const entry = item.webkitGetAsEntry();
      const file = item.getAsFile();
      return entry ? walkEntry(entry, '') : file ? [{ file, path: file.name }] : [];
    })).then((lists) => onFiles(lists.flat()));
  });
  for (const input of inputs) input.addEventListener('change', () => onFiles(takeFiles(input)));
}

/**
 * The files a file input holds, then empties it (so picking the same files again fires again).
 * A folder picked with webkitdirectory names each file by its path from the picked folder.
 *
 * @example
 * input.addEventListener('change', () => console.log(takeFiles(input).map((f) => f.path)));
 */
export function takeFiles(input: HTMLInputElement): PickedFile[] {
  const files = [...(input.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  input.value = '';
  return files;
}

async function walkEntry(entry: FileSystemEntry, parent: string): Promise<PickedFile[]> {
  const path = parent ? `${parent}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ file, path }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries hands out a folder in chunks (100 at a time in Chromium) until it gives none.
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) break;
    children.push(...chunk);
  }
  return (await Promise.all(children.map((child) => walkEntry(child, path)))).flat();
}

/**
 * The classes to fine-tune on: one card per class with its name and images (dropped, picked, or
 * a whole folder), and a folder of class folders that becomes one card per folder.
 */
import { byId, dropZone, h, takeFiles, type PickedFile } from './dom.js';
import { groupByClass, isImageName } from './folders.js';
import type { AppState } from './state.js';

/** Thumbnails shown per card; the rest are counted. */
const THUMBNAILS = 24;

interface ClassCard {
  readonly name: HTMLInputElement;
  readonly files: File[];
  readonly element: HTMLElement;
}

/** The classes as training wants them: names in order, and each one's images. */
export interface ClassImages {
  readonly classes: readonly string[];
  readonly images: readonly (readonly File[])[];
}

export class ClassesPanel {
  private readonly cards: ClassCard[] = [];
  private readonly container = byId('classes', HTMLElement);

  /**
   * Wires the classes panel; it starts with two empty classes, as Teachable Machine does.
   *
   * @example
   * const classes = new ClassesPanel(state);
   */
  constructor(private readonly state: AppState) {
    byId('add-class', HTMLButtonElement).addEventListener('click', () => this.card(`class ${this.cards.length + 1}`));
    const folders = byId('class-folders', HTMLInputElement);
    folders.addEventListener('change', () => this.addFolders(takeFiles(folders)));
    this.card('class 1');
    this.card('class 2');
  }

  /**
   * Adds the images to the class named `name`, making the class if there is none (an empty
   * "class N" card is taken over first, so a fresh page fills its two cards).
   *
   * @example
   * classes.add('rose', files);
   */
  add(name: string, files: readonly File[]): void {
    const card = this.cards.find((c) => c.name.value === name) ?? this.cards.find((c) => c.files.length === 0 && /^class \d+$/.test(c.name.value)) ?? this.card(name);
    card.name.value = name;
    card.files.push(...files);
    this.render(card);
  }

  /** A folder of class folders (or several class folders): one class per folder. */
  addFolders(picked: readonly PickedFile[]): void {
    const byPath = new Map(picked.map((p) => [p.path, p.file]));
    const groups = groupByClass(picked.map((p) => p.path));
    if (groups.size === 0) return this.state.status('no class folders with images in what was given: expected <folder>/<class>/<image>', true);
    for (const [name, paths] of groups) this.add(name, paths.map((path) => byPath.get(path)!));
    this.state.status(`${groups.size} classes from folders: ${[...groups].map(([n, p]) => `${n} (${p.length})`).join(', ')}`);
  }

  /**
   * The classes with images, checked: at least two, names unique and not empty. Every problem
   * is named at once.
   *
   * @example
   * const { classes, images } = panel.dataset();
   */
  dataset(): ClassImages {
    const used = this.cards.filter((c) => c.files.length > 0);
    const names = used.map((c) => c.name.value.trim());
    const problems: string[] = [];
    if (used.length < 2) problems.push(`give images to at least two classes (${used.length} has some)`);
    if (names.some((n) => n === '')) problems.push('every class with images needs a name');
    const repeated = names.filter((n, i) => n !== '' && names.indexOf(n) !== i);
    if (repeated.length > 0) problems.push(`class names must differ: ${[...new Set(repeated)].map((n) => `'${n}'`).join(', ')} repeated`);
    if (problems.length > 0) throw new Error(problems.join('; '));
    return { classes: names, images: used.map((c) => c.files) };
  }

  private card(name: string): ClassCard {
    const input = h('input', { type: 'text', value: name, ariaLabel: 'class name' });
    const remove = h('button', { className: 'secondary', textContent: '×', title: 'Remove this class' });
    const pickFiles = h('input', { type: 'file', accept: 'image/*', multiple: true, hidden: true });
    const pickFolder = h('input', { type: 'file', multiple: true, hidden: true, webkitdirectory: true });
    const zone = h('div', { className: 'drop', tabIndex: 0 }, [
      document.createTextNode('Drop images or a folder, or pick '),
      h('label', { className: 'link' }, [document.createTextNode('images'), pickFiles]),
      document.createTextNode(' or '),
      h('label', { className: 'link' }, [document.createTextNode('a folder'), pickFolder]),
    ]);
    const element = h('div', { className: 'class' }, [h('header', {}, [input, remove]), zone, h('div', { className: 'thumbs' }), h('div', { className: 'count muted' })]);
    const card: ClassCard = { name: input, files: [], element };
    const take = (files: PickedFile[]) => {
      const images = files.filter((f) => isImageName(f.path));
      if (images.length < files.length) this.state.status(`left out ${files.length - images.length} file(s) that are not images`, true);
      card.files.push(...images.map((f) => f.file));
      this.render(card);
    };
    dropZone(zone, [pickFiles, pickFolder], take);
    remove.addEventListener('click', () => {
      this.cards.splice(this.cards.indexOf(card), 1);
      element.remove();
    });
    this.cards.push(card);
    this.container.append(element);
    return card;
  }

  private render(card: ClassCard): void {
    const thumbs = card.element.querySelector('.thumbs')!;
    const shown = card.files.slice(0, THUMBNAILS).map((file) => h('img', { src: URL.createObjectURL(file), alt: file.name, title: file.name }));
    const more = card.files.length > THUMBNAILS ? [h('span', { className: 'more', textContent: `+${card.files.length - THUMBNAILS}` })] : [];
    for (const img of thumbs.querySelectorAll('img')) URL.revokeObjectURL(img.src);
    thumbs.replaceChildren(...shown, ...more);
    card.element.querySelector('.count')!.textContent = `${card.files.length} image${card.files.length === 1 ? '' : 's'}`;
  }
}

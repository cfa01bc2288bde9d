/**
 * Step 2: drop images and see each one's top-5 classes as bars. The images stay listed and are
 * classified again whenever the model changes (e.g. after training, with the new class names).
 */
import { byId, dropZone, h, type PickedFile } from './dom.js';
import { isImageName } from './folders.js';
import type { Library, Model } from './library.js';
import type { AppState } from './state.js';

type Prediction = Library.Prediction;

/** Top classes shown per image. */
const TOP_K = 5;
/** Images per model call: the batch the inference graph runs. */
const BATCH = 8;

interface Entry {
  readonly file: File;
  readonly bars: HTMLElement;
}

/**
 * Wires the classify panel to `state`.
 *
 * @example
 * classifyPanel(state);
 */
export function classifyPanel(state: AppState): void {
  const list = byId('predictions', HTMLOListElement);
  const entries: Entry[] = [];

  const classify = async (model: Model, batch: readonly Entry[]) => {
    for (let i = 0; i < batch.length; i += BATCH) {
      const part = batch.slice(i, i + BATCH);
      const results = await model.classify(part.map((e) => e.file), { topK: TOP_K });
      part.forEach((entry, j) => entry.bars.replaceChildren(...bars(results[j])));
    }
    state.status(`Classified ${batch.length} image${batch.length === 1 ? '' : 's'} with ${describe(model)}`);
  };

  dropZone(byId('classify-drop', HTMLElement), [byId('classify-files', HTMLInputElement)], (files: PickedFile[]) => {
    const images = files.filter((f) => isImageName(f.file.name));
    if (images.length < files.length) state.status(`left out ${files.length - images.length} file(s) that are not images`, true);
    const added = images.map(({ file }) => {
      const bars = h('div', { className: 'bars' });
      const thumbnail = h('img', { src: URL.createObjectURL(file), alt: file.name, title: file.name });
      list.prepend(h('li', { className: 'prediction' }, [thumbnail, bars]));
      return { file, bars };
    });
    entries.push(...added);
    const model = state.model;
    if (added.length === 0) return;
    if (!model) return state.status('Load a model (step 1) to classify these images', true);
    void state.run(`Classifying ${added.length} image${added.length === 1 ? '' : 's'}`, () => classify(model, added));
  });
  // Runs inside the job that set the model (loading, training), so the new results come with it.
  state.onModel((model) => classify(model, entries));
}

function describe(model: Model): string {
  return model.labels ? `${model.config.name} (${model.labels.length} classes)` : model.config.name;
}

/** One bar per class: name, probability as width and as a percentage. */
function bars(predictions: readonly Prediction[]): HTMLElement[] {
  return predictions.map((p) => h('div', { className: 'bar' }, [
    h('span', { className: 'label', textContent: p.label, title: p.label }),
    h('span', { className: 'track' }, [fill(p.probability)]),
    h('span', { className: 'value', textContent: `${(p.probability * 100).toFixed(1)}%` }),
  ]));
}

function fill(probability: number): HTMLElement {
  const bar = h('span', { className: 'fill' });
  bar.style.width = `${(probability * 100).toFixed(1)}%`;
  return bar;
}

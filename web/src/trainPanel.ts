/**
 * Step 3: fine-tune the current model on the classes: the head only, the last stages or
 * everything, with a live chart, a progress bar with images/s and ETA, and a stop button. The
 * trained model (new head, the classes' names) becomes the current one.
 */
import type { ClassesPanel } from './classesPanel.js';
import { LiveChart } from './chart.js';
import { byId } from './dom.js';
import type { Library } from './library.js';
import { Throughput, formatDuration } from './rate.js';
import type { AppState } from './state.js';

type FitOptions = Library.FitOptions;

/**
 * Wires the training controls.
 *
 * @example
 * trainPanel(state, classes, lib);
 */
export function trainPanel(state: AppState, classes: ClassesPanel, lib: typeof Library): void {
  const freeze = byId('freeze', HTMLSelectElement);
  const stagesLabel = byId('stages-label', HTMLElement);
  const train = byId('train', HTMLButtonElement);
  const stop = byId('stop', HTMLButtonElement);
  const bar = byId('progress-bar', HTMLElement);
  const text = byId('progress-text', HTMLElement);
  const chart = new LiveChart(lib, byId('charts', HTMLElement));
  let controller: AbortController | undefined;

  freeze.addEventListener('change', () => (stagesLabel.hidden = freeze.value !== 'stages'));
  stop.addEventListener('click', () => {
    controller?.abort();
    stop.disabled = true;
    text.textContent = 'stopping after this step…';
  });

  train.addEventListener('click', () => void state.run('Training', async () => {
    const model = state.model;
    if (!model) throw new Error('load a model or start from scratch first (step 1)');
    const { classes: names, images } = classes.dataset();
    const options = readOptions();
    // The core reads images by path; in a page a path is a URL, and a Blob URL serves each file from memory.
    const urls = images.map((files) => files.map((file) => URL.createObjectURL(file)));
    const files = images.flat();
    const fileNames = new Map(urls.flat().map((url, i) => [url, files[i].name]));
    controller = new AbortController();
    train.disabled = true;
    stop.disabled = false;
    chart.clear();
    bar.style.width = '0';
    // Timed from the first step: what comes before it (features, graphs) is not training speed.
    let speed: Throughput | undefined;
    let line = '';
    text.textContent = options.freeze === 'head' ? 'computing features…' : 'building the training graph…';
    try {
      const result = await model.fit({ classes: names, samples: urls.flatMap((list, label) => list.map((path) => ({ path, label }))) }, {
        ...options,
        signal: controller.signal,
        onSkip: (path, reason) => state.status(`skipped ${fileNames.get(path) ?? path}: ${reason}`, true),
        onStep: (s) => {
          if (!speed) speed = new Throughput(performance.now());
          else speed.step(performance.now(), s.images);
          const done = s.epoch * s.total + s.position;
          const all = s.epochs * s.total;
          const left = speed.secondsLeft(all - done);
          bar.style.width = `${(100 * done) / all}%`;
          text.textContent = line = `epoch ${s.epoch + 1}/${s.epochs} · loss ${s.loss.toFixed(3)} · accuracy ${(100 * s.accuracy).toFixed(1)}% · ${left === undefined ? 'timing…' : `${speed.imagesPerSecond().toFixed(1)} images/s · ${formatDuration(left)} left`}`;
          chart.step(s.epoch + s.position / s.total, s.loss, s.accuracy);
          return breathe();
        },
        onEpoch: (e) => chart.epoch(e.epoch + 1, e.validationAccuracy),
      });
      chart.draw();
      const last = result.history[result.history.length - 1];
      await state.setModel(result.model);
      text.textContent = `${line} · ${result.stopped ? 'stopped' : 'done'}`;
      state.status(result.stopped
        ? 'Training stopped: the model as it was at the stop is the current one'
        : `Trained ${result.history.length} epoch${result.history.length === 1 ? '' : 's'}: loss ${last?.loss.toFixed(3)}, training accuracy ${((last?.accuracy ?? 0) * 100).toFixed(1)}%`);
    } finally {
      urls.flat().forEach((url) => URL.revokeObjectURL(url));
      train.disabled = false;
      stop.disabled = true;
      controller = undefined;
    }
  }));
}

/** Longest the training loop keeps the page to itself (ms). */
const FRAME_MS = 50;
let lastBreath = 0;

/**
 * Lets the page paint and take clicks (Stop) between steps: head-only steps on cached features
 * are plain JavaScript that would otherwise hold the main thread for the whole run.
 */
async function breathe(): Promise<void> {
  if (performance.now() - lastBreath < FRAME_MS) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  lastBreath = performance.now();
}

/** The form's options, each checked with one line naming the bad value. */
function readOptions(): Pick<FitOptions, 'epochs' | 'batchSize' | 'learningRate' | 'freeze'> {
  const integer = (id: string, what: string) => {
    const text = byId(id, HTMLInputElement).value.trim();
    const value = Number(text);
    if (!(Number.isInteger(value) && value >= 1)) throw new Error(`${what} '${text}' should be a whole number, 1 or more`);
    return value;
  };
  const rateText = byId('learning-rate', HTMLInputElement).value.trim();
  const learningRate = Number(rateText);
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new Error(`learning rate '${rateText}' should be a positive number`);
  const choice = byId('freeze', HTMLSelectElement).value;
  const freeze = choice === 'head' ? 'head' : choice === 'none' ? 'none' : { stages: integer('stages', 'stages') };
  return { epochs: integer('epochs', 'epochs'), batchSize: integer('batch-size', 'batch size'), learningRate, freeze };
}

/**
 * Step 4: download the current model as `.safetensors` (weights with the architecture, class
 * names and preprocessing: the Node CLI and `EfficientNet.fromWeights` load it as it is) or as
 * an ONNX inference graph. The library's `save`/`exportOnnx` write a file; in a page that is a download.
 */
import { byId } from './dom.js';
import type { Model } from './library.js';
import type { AppState } from './state.js';

/**
 * Wires the download buttons; they are enabled once there is a model.
 *
 * @example
 * downloadPanel(state);
 */
export function downloadPanel(state: AppState): void {
  const safetensors = byId('download-safetensors', HTMLButtonElement);
  const onnx = byId('download-onnx', HTMLButtonElement);
  state.onModel(() => {
    safetensors.disabled = onnx.disabled = false;
  });
  const offer = (extension: string, write: (model: Model, name: string) => Promise<unknown>) => () => {
    const model = state.model;
    if (!model) return;
    const name = `${baseName(model)}.${extension}`;
    void state.run(`Saving ${name}`, async () => {
      await write(model, name);
      state.status(`Saved ${name}`);
    });
  };
  safetensors.addEventListener('click', offer('safetensors', (model, name) => model.save(name)));
  onnx.addEventListener('click', offer('onnx', (model, name) => model.exportOnnx(name)));
}

/** `efficientnet-b0`, or `efficientnet-b0-cat-dog` for a model with its own classes (not ImageNet's 1000). */
function baseName(model: Model): string {
  const labels = model.labels;
  if (!labels || labels.length > 8) return model.config.name;
  return [model.config.name, ...labels.map((l) => l.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''))].filter(Boolean).join('-');
}

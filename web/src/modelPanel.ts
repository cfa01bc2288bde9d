/**
 * Step 1: choose a variant and load weights (a URL, a registry tag, the variant's published
 * weights, or a dropped `.pth`/`.safetensors`), or start from scratch.
 */
import { describeBackend, runtimeFor, type ProviderChoice } from './backend.js';
import { byId, dropZone, h } from './dom.js';
import { library, type Model } from './library.js';
import type { AppState } from './state.js';

/**
 * Wires the model panel to `state`.
 *
 * @example
 * await modelPanel(state);
 */
export async function modelPanel(state: AppState): Promise<void> {
  const { EfficientNet, VARIANT_NAMES, FROM_SCRATCH_MOMENTUM } = await library();
  const variant = byId('variant', HTMLSelectElement);
  variant.append(...VARIANT_NAMES.map((name) => h('option', { value: name, textContent: name })));
  const imageSize = byId('image-size', HTMLInputElement);
  const provider = byId('provider', HTMLSelectElement);
  const source = byId('weights-source', HTMLInputElement);
  const info = byId('model-info', HTMLElement);
  const badge = byId('backend', HTMLElement);

  /** Options every way of loading shares; an invalid image size is one line naming it. */
  const options = () => {
    const text = imageSize.value.trim();
    const size = Number(text);
    if (text && !(Number.isInteger(size) && size >= 8)) throw new Error(`image size '${text}' should be a whole number of pixels, 8 or more`);
    return { ...(text ? { imageSize: size } : {}), runtime: runtimeFor(provider.value as ProviderChoice) };
  };
  const load = (what: string, make: () => Promise<Model>) => state.run(what, async () => {
    const model = await make();
    try {
      badge.textContent = await describeBackend(model); // compiles the inference graph
    } catch (error) {
      await model.dispose();
      throw error;
    }
    await state.setModel(model);
    state.status(`${what}: done`);
  });

  state.onModel((model) => {
    variant.value = model.config.name;
    const [height, width] = model.config.imageSize;
    const classes = model.labels?.length ?? model.config.numClasses;
    info.textContent = `${model.config.name} · ${height}×${width} px · ${classes} classes · ${(model.parameterCount() / 1e6).toFixed(1)} M parameters`;
  });

  byId('load-weights', HTMLButtonElement).addEventListener('click', () => {
    const text = source.value.trim();
    // Nothing typed: the chosen variant's published weights; a bare variant name likewise.
    if (text === '' || VARIANT_NAMES.includes(text)) {
      const name = text || variant.value;
      void load(`Loading the published ${name} weights`, () => EfficientNet.fromPretrained(name, options()));
    } else {
      void load(`Loading ${text}`, () => EfficientNet.fromWeights(text, options()));
    }
  });
  dropZone(byId('weights-drop', HTMLElement), [byId('weights-file', HTMLInputElement)], ([picked, ...rest]) => {
    if (!picked) return;
    if (rest.length > 0) return state.status(`drop one checkpoint, not ${rest.length + 1} files`, true);
    if (!/\.(pth|pt|bin|safetensors)$/i.test(picked.file.name)) return state.status(`'${picked.file.name}' is not a checkpoint: expected a .pth, .pt, .bin or .safetensors file`, true);
    void load(`Loading ${picked.file.name}`, () => EfficientNet.fromWeights(picked.file, options()));
  });
  byId('from-scratch', HTMLButtonElement).addEventListener('click', () => {
    // PyTorch's batch-norm momentum, as the CLI's finetune uses without weights: statistics keep up with fast-moving weights.
    void load(`Starting ${variant.value} from scratch`, async () => EfficientNet.fromName(variant.value, { ...options(), batchNormMomentum: FROM_SCRATCH_MOMENTUM }));
  });
}

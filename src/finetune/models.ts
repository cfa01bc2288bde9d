/**
 * The models `fit` starts from and writes: the base network with a classifier for the dataset's
 * classes, a model around trained weights, and the file names a run writes beside `--out`.
 */
import type { ImageModel } from '../model/imageModel.js';
import { floatTensor, type StateDict } from '../weights/tensor.js';

/** The files a run writes for `out` = `model.safetensors`. */
export interface CheckpointPaths {
  /** The best model by validation accuracy (the last when there is no validation): `out` itself. */
  readonly best: string;
  /** `model.last.safetensors` */
  readonly last: string;
  /** `model.state.safetensors`: the resume state. */
  readonly state: string;
  /** `model.curves.svg` */
  readonly curves: string;
}

/**
 * @example
 * checkpointPaths('out/flowers.safetensors').state // 'out/flowers.state.safetensors'
 */
export function checkpointPaths(out: string): CheckpointPaths {
  const stem = out.replace(/\.safetensors$/i, '');
  return { best: out, last: `${stem}.last.safetensors`, state: `${stem}.state.safetensors`, curves: `${stem}.curves.svg` };
}

/**
 * `net` with a classifier for `classes` (kept when the count already matches, else initialised
 * afresh from `seed`), carrying the class names and `net`'s preprocessing.
 *
 * @example
 * withHead(await EfficientNet.fromPretrained('efficientnet-b0'), ['cat', 'dog'], 0).config.numClasses // 2
 */
export function withHead<M extends ImageModel>(net: M, classes: readonly string[], seed: number, zero = false): M {
  const metadata = net.metadata();
  const model = net.withWeights(net.weights, {
    family: 'lukemelas', numClasses: classes.length, includeTop: true, labels: classes, preprocess: net.preprocess,
    runtime: net.runtimeOptions, seed, strict: net.network.fc !== undefined,
  }, { ...metadata, options: { ...metadata.options, numClasses: classes.length }, labels: classes });
  if (zero) {
    // A new tensor, never `net`'s own: its weights may be shared with the new model's.
    const key = `${model.network.fc!.name}.weight`;
    const shape = model.weights.get(key)!.shape;
    model.weights.set(key, floatTensor(shape, new Float32Array(shape[0] * shape[1])));
  }
  return model;
}

/**
 * A model like `template` with other weights (reference key names, e.g. a Trainer's).
 *
 * @example
 * const trained = modelWithWeights(model, trainer.weights);
 */
export function modelWithWeights<M extends ImageModel>(template: M, weights: StateDict): M {
  return template.withWeights(new Map(weights));
}

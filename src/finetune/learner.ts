/**
 * One interface over the two ways `fit` trains: the Trainer (training graph, images in) and the
 * head trainer (pooled features in). Both save and restore the Trainer's state shape.
 */
import type { ImageModel } from '../model/imageModel.js';
import type { Trainer, TrainerState } from '../train/trainer.js';
import { floatTensor } from '../weights/tensor.js';
import type { HeadTrainer } from './head.js';
import { modelWithWeights } from './models.js';

export interface Learner {
  /** One step on [N, C, H, W] images or [N, F] features. */
  step(data: Float32Array, labels: readonly number[]): Promise<{ loss: number; logits: Float32Array; learningRate: number }>;
  steps(): number;
  state(): TrainerState;
  loadState(state: TrainerState): void;
  /** The current weights as a model (a new one; dispose it). */
  model(): Promise<ImageModel>;
  /** Logits [N, K] of a validation batch, given `model()`'s result. */
  logits(model: ImageModel, data: Float32Array, n: number): Promise<Float32Array>;
}

/**
 * @example
 * const learner = trainerLearner(await Trainer.create(net.network, net.weights, opts), net);
 */
export function trainerLearner(trainer: Trainer, template: ImageModel, freshStatistics = false): Learner {
  const [c, h, w] = [template.config.inChannels, ...template.config.imageSize];
  return {
    step: async (input, labels) => {
      if (!freshStatistics || trainer.stepsTaken > 0) return trainer.step({ input, labels });
      const before = runningStatistics(trainer);
      const out = await trainer.step({ input, labels });
      startFromBatch(trainer, before, template.config.batchNormMomentum);
      return out;
    },
    steps: () => trainer.stepsTaken,
    state: () => trainer.state(),
    loadState: (state) => trainer.loadState(state),
    model: async () => modelWithWeights(template, trainer.weights),
    logits: async (model, data, n) => {
      model.expectImageDecoding(); // validation images decode beside it
      return (await model.forward({ data, dims: [n, c, h, w] })).data;
    },
  };
}

/**
 * @example
 * const learner = headLearner(new HeadTrainer(w, b, opts), net);
 */
export function headLearner(head: HeadTrainer, template: ImageModel): Learner {
  const fc = template.network.fc!;
  const [weightKey, biasKey] = [`${fc.name}.weight`, `${fc.name}.bias`];
  return {
    step: async (features, labels) => head.step(features, labels),
    steps: () => head.state().step,
    state: () => {
      const s = head.state();
      return { step: s.step, weights: new Map([[weightKey, s.weight], [biasKey, s.bias]]), optimizer: s.optimizer, random: [] };
    },
    loadState: (state) => head.loadState({
      step: state.step, weight: state.weights.get(weightKey) as Float32Array, bias: state.weights.get(biasKey) as Float32Array, optimizer: state.optimizer,
    }),
    model: async () => {
      const weights = new Map(template.weights);
      weights.set(weightKey, floatTensor([fc.outFeatures, fc.inFeatures], head.weight.slice()));
      weights.set(biasKey, floatTensor([fc.outFeatures], head.bias.slice()));
      return modelWithWeights(template, weights);
    },
    logits: async (_model, features) => head.logits(features),
  };
}

/** Copies of the running means and variances the trainer updates. */
function runningStatistics(trainer: Trainer): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [key, t] of trainer.weights) if (/\.running_(mean|var)$/.test(key) && t.dtype === 'float32') out.set(key, t.data.slice());
  return out;
}

/**
 * Replaces the running statistics after the first step by that step's batch statistics, undoing
 * the momentum update new = (1 − m)·old + m·batch. A network trained from scratch starts at
 * mean 0, variance 1, far from its true statistics (a depthwise convolution's output variance
 * is near 0.003 under fan-out initialisation), and inference with them stays wrong for many
 * steps; PyTorch's cumulative average (momentum None) also starts from the first batch.
 */
function startFromBatch(trainer: Trainer, before: ReadonlyMap<string, Float32Array>, momentum: number): void {
  for (const [key, old] of before) {
    const t = trainer.weights.get(key)!;
    if (t.dtype !== 'float32') continue;
    const data = t.data;
    let changed = false;
    for (let i = 0; i < data.length; i++) changed ||= data[i] !== old[i];
    if (!changed) continue; // frozen batch norm
    for (let i = 0; i < data.length; i++) data[i] = (data[i] - (1 - momentum) * old[i]) / momentum;
  }
}

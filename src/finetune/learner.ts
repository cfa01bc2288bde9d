/**
 * One interface over the two ways `fit` trains: the Trainer (training graph, images in) and the
 * head trainer (pooled features in). Both save and restore the Trainer's state shape.
 */
import type { EfficientNet } from '../model.js';
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
  model(): Promise<EfficientNet>;
  /** Logits [N, K] of a validation batch, given `model()`'s result. */
  logits(model: EfficientNet, data: Float32Array, n: number): Promise<Float32Array>;
}

/**
 * @example
 * const learner = trainerLearner(await Trainer.create(net.network, net.weights, opts), net);
 */
export function trainerLearner(trainer: Trainer, template: EfficientNet): Learner {
  const [c, h, w] = [template.config.inChannels, ...template.config.imageSize];
  return {
    step: (input, labels) => trainer.step({ input, labels }),
    steps: () => trainer.stepsTaken,
    state: () => trainer.state(),
    loadState: (state) => trainer.loadState(state),
    model: async () => modelWithWeights(template, trainer.weights),
    logits: async (model, data, n) => (await model.forward({ data, dims: [n, c, h, w] })).data,
  };
}

/**
 * @example
 * const learner = headLearner(new HeadTrainer(w, b, opts), net);
 */
export function headLearner(head: HeadTrainer, template: EfficientNet): Learner {
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

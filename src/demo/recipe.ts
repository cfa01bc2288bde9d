/** The demo's training recipe, shared with the benchmark that runs it beside PyTorch. */
import type { AugmentOptions } from '../index.js';

/** The recipe, chosen so the demo takes a few minutes on two cores (bench/finetune.ts measures it beside PyTorch). */
export const DEMO_RECIPE: {
  readonly model: string; readonly imageSize: number; readonly inChannels: number; readonly batchNormMomentum: number;
  readonly epochs: number; readonly batchSize: number; readonly learningRate: number; readonly seed: number; readonly augment: AugmentOptions | false;
} = {
  model: 'efficientnet-b0',
  imageSize: 32, // 28×28 images resized; 32 is the smallest size the network takes
  inChannels: 1,
  batchNormMomentum: 0.1, // PyTorch's: running statistics settle within a short run
  epochs: 10, // twice the first recipe's, in about its time now that small-map steps are GEMMs over the batch
  batchSize: 32,
  learningRate: 3e-3,
  seed: 0,
  augment: { crop: { scale: [0.7, 1] }, flip: true }, // a mild crop: 2000 images seen ten times
};

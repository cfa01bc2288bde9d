/** The demo's training recipe, shared with the benchmark that runs it beside PyTorch. */

/** The recipe, chosen so the demo takes a few minutes on two cores (see README for measurements). */
export const DEMO_RECIPE = {
  model: 'efficientnet-b0',
  imageSize: 32, // 28×28 images resized; 32 is the smallest size the network takes
  inChannels: 1,
  batchNormMomentum: 0.1, // PyTorch's: running statistics settle within a short run
  epochs: 5,
  batchSize: 32,
  learningRate: 3e-3,
  seed: 0,
} as const;

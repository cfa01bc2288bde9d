/**
 * Training: the ONNX training graph (our reverse-mode autodiff), optimizers, schedules, EMA,
 * clipping, and the Trainer. Re-exported by the package root.
 */
export { Trainer, type TrainerOptions, type TrainerState, type TrainingBatch, type StepOutcome } from './trainer.js';
export { buildTrainingGraph, im2colKernel, type TrainingGraph, type TrainingGraphOptions, type MaskInput } from './trainingGraph.js';
export { TrainingStep, createTrainingStep, type StepFeeds, type StepResult } from './step.js';
export { computeGradients, type GradientOptions, type GradientResult } from './gradients.js';
export { trainablePart, parseFreeze, type FreezeSpec, type TrainablePart } from './freeze.js';
export type { BatchNormMode } from './emit/context.js';
export { createOptimizer, type Optimizer, type OptimizerKind, type OptimizerOptions, type OptimizerState, type SgdOptions, type RmsPropOptions, type AdamOptions } from './optimizers.js';
export { constantRate, cosineDecay, exponentialDecay, withWarmup, type Schedule } from './schedules.js';
export { updateEma, clipGradNorm } from './averaging.js';
export { targetDistribution } from './targets.js';
export { drawMask } from './masks.js';

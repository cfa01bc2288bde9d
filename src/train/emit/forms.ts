/**
 * Which operator forms a training graph uses, by the execution provider it will run on. Two
 * rules have a fused form (one onnxruntime kernel) and a portable one (primitive operators that
 * every provider has); the fused form is used only where the provider has the kernel:
 * - batch norm in training mode: BatchNormalization with training_mode=1, or ReduceMean over
 *   [N, H, W], Sub, Mul and the inference-form BatchNormalization as a per-channel affine;
 * - the loss's log-softmax: LogSoftmax, or max-subtracted log-sum-exp (ReduceMax, Sub, Exp,
 *   ReduceSum, Log).
 * Both forms are exact against PyTorch (test/train/gradients.test.ts runs every fixture in both).
 * A graph that takes any batch size picks the depthwise filter gradient's form per batch with
 * If and Scan (./depthwise.ts) only where the provider runs them on its own kernels.
 */

/** An execution provider a training graph is built for. */
export type TrainingTarget = 'cpu' | 'wasm' | 'webgpu' | 'cuda' | 'tensorrt';

export interface OperatorForms {
  /** BatchNormalization with training_mode=1 ('fused') or its primitive formulation. */
  readonly batchNorm: 'fused' | 'portable';
  /** LogSoftmax ('fused') or max-subtracted log-sum-exp. */
  readonly logSoftmax: 'fused' | 'portable';
  /** Whether If and Scan may pick forms by the running batch size; without, only forms that hold for any N. */
  readonly controlFlow: boolean;
}

export const FUSED: OperatorForms = { batchNorm: 'fused', logSoftmax: 'fused', controlFlow: true };
export const PORTABLE: OperatorForms = { batchNorm: 'portable', logSoftmax: 'portable', controlFlow: false };

/**
 * Forms per provider. onnxruntime-web's WebGPU has no training-mode BatchNormalization (the node
 * is assigned to WebGPU and the run fails) and puts LogSoftmax on the CPU, a GPU→CPU→GPU copy
 * each step (docs/browser-engine.md). onnxruntime's CPU kernels (native, and the same compiled
 * to wasm) have both, and the fused forms are the cheaper there (`npm run bench -- forms`). CUDA's training-mode
 * batch norm is not in every onnxruntime build, so the other GPU providers get the portable
 * forms too. If and Scan are CPU kernels: on a GPU provider they would move tensors to the host.
 */
export const TARGET_FORMS: Readonly<Record<TrainingTarget, OperatorForms>> = {
  cpu: FUSED,
  wasm: FUSED,
  webgpu: PORTABLE,
  cuda: PORTABLE,
  tensorrt: PORTABLE,
};

/**
 * The target for an execution provider's name; one this table does not know gets the portable
 * forms, which run everywhere.
 *
 * @example
 * trainingTarget('webgpu') // 'webgpu'
 * TARGET_FORMS[trainingTarget('cpu')].batchNorm // 'fused'
 */
export function trainingTarget(provider: string): TrainingTarget {
  return provider in TARGET_FORMS ? (provider as TrainingTarget) : 'webgpu';
}

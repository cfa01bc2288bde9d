/** What every emission rule sees: the graph, the tape, the batch and how to reach parameters. */
import type { OperatorForms } from './forms.js';
import type { Ops } from './ops.js';
import type { Tape } from '../tape.js';

export type BatchNormMode = 'train' | 'frozen';

export interface EmitContext {
  readonly ops: Ops;
  readonly tape: Tape;
  /** Fixed batch size (batch-norm's unbiased running variance needs N·H·W). */
  readonly batch: number;
  readonly batchNorm: BatchNormMode;
  /** Channel block of onnxruntime's NCHWc kernels (0: plain Conv for depthwise layers). */
  readonly nchwcBlock: number;
  /** Fused kernels or primitive operators, by what the target provider has (./forms.ts). */
  readonly forms: OperatorForms;
  /** The value of parameter or buffer `key`: a graph input when trainable (or updated), else a constant. */
  param(key: string): string;
  /**
   * The one-hot k×k im2col kernel [k·k, 1, k, k], a graph input: as a constant onnxruntime
   * pre-packs it and spends more on re-layout than the im2col saves.
   */
  im2col(kernel: number): string;
  /** Declares the new value of a batch-norm running statistic (an output of the step). */
  runningStat(key: string, value: string): void;
}

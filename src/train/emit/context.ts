/** What every emission rule sees: the graph, the tape, the batch's counts and how to reach parameters. */
import type { OperatorForms } from './forms.js';
import type { Ops } from './ops.js';
import type { Tape } from '../tape.js';

export type BatchNormMode = 'train' | 'frozen';

/**
 * Float scalars of M = N·perSample, the number of values a mean over the batch runs over. N is
 * the batch of the step that runs (the graph's batch dimension is symbolic, so one compiled step
 * serves every batch size): they are graph values computed from the input's shape.
 */
export interface BatchCount {
  /** 1/M [] */
  readonly inverse: string;
  /** −1/M [] */
  readonly negInverse: string;
  /** M/(M − 1) [], Bessel's correction of a variance. */
  readonly bessel: string;
}

export interface ExpectedBatch {
  readonly size: number;
  readonly fixed: boolean;
  matches(): string;
}

export interface EmitContext {
  readonly ops: Ops;
  readonly tape: Tape;
  /** Scalars of N·perSample for the running batch N (batch norm's M = N·H·W, the loss's mean over N). */
  count(perSample: number): BatchCount;
  /**
   * The batch size the forms that fix N in an attribute are built for (the depthwise filter
   * gradient's grouped Conv): `fixed` when the graph's inputs fix N; else the size most steps run
   * at, and `matches()`, the graph value N = size (bool []) that picks them. Absent: N-free forms only.
   */
  readonly expectedBatch?: ExpectedBatch;
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

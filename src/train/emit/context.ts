/** What every emission rule sees: the graph, the tape, the batch's counts and how to reach parameters. */
import type { BatchNormLayer } from '../../arch/network.js';
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
  /** Values per sample (H·W for batch norm; 1 for the loss's mean over N). */
  readonly perSample: number;
  /** M [], a float. */
  readonly total: string;
  /** 1/M [] */
  readonly inverse: string;
  /** −1/M [] */
  readonly negInverse: string;
}

/** A training-mode batch-norm layer's batch statistics, from which its running statistics are updated. */
export interface LayerStatistics {
  readonly bn: BatchNormLayer;
  /** Batch mean [C]. */
  readonly mean: string;
  /** Biased batch variance [C]. */
  readonly variance: string;
  /** The values per channel and sample the statistics ran over (H·W). */
  readonly perSample: number;
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
  /**
   * Hands over a training-mode batch-norm layer's batch statistics; the running statistics of
   * every layer are updated together at the end of the step (./runningStatistics.ts).
   */
  batchStatistics(stats: LayerStatistics): void;
}

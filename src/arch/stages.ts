/**
 * The B0 baseline as data: one row per stage, as in Table 1 of Tan & Le (2019) and the
 * `blocks_args` of the reference implementation (lukemelas/EfficientNet-PyTorch).
 */

/** One stage of MBConv blocks, before width and depth scaling. */
export interface StageSpec {
  /** Channel expansion of the inverted bottleneck (1 means no expansion convolution). */
  readonly expandRatio: number;
  /** Depthwise kernel size (square). */
  readonly kernel: number;
  /** Stride of the first block of the stage; the others use 1. */
  readonly stride: number;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Number of blocks in the stage. */
  readonly repeats: number;
  /** Squeeze-and-excitation ratio, relative to the block's input channels (0 disables SE). */
  readonly seRatio: number;
  /** Whether blocks with matching shapes add their input back (false for `_noskip`). */
  readonly idSkip: boolean;
}

//                      expand kernel stride  in  out repeats  SE
const row = (expandRatio: number, kernel: number, stride: number, inChannels: number, outChannels: number, repeats: number): StageSpec => ({
  expandRatio, kernel, stride, inChannels, outChannels, repeats, seRatio: 0.25, idSkip: true,
});

/** EfficientNet-B0: 7 stages, 16 blocks, 32 stem channels, 1280 head channels. */
export const B0_STAGES: readonly StageSpec[] = [
  row(1, 3, 1, 32, 16, 1), //   112² → 112²
  row(6, 3, 2, 16, 24, 2), //   112² → 56²
  row(6, 5, 2, 24, 40, 2), //    56² → 28²
  row(6, 3, 2, 40, 80, 3), //    28² → 14²
  row(6, 5, 1, 80, 112, 3), //   14² → 14²
  row(6, 5, 2, 112, 192, 4), //  14² → 7²
  row(6, 3, 1, 192, 320, 1), //   7² → 7²
];

/** Channels of the stem convolution and of the 1×1 head convolution, before width scaling. */
export const B0_STEM_CHANNELS = 32;
export const B0_HEAD_CHANNELS = 1280;

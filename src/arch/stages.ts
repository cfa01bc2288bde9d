/**
 * Base networks as data: one row per stage, before width and depth scaling. B0 as in Table 1 of
 * Tan & Le (2019) and the `blocks_args` of the reference implementation (lukemelas/EfficientNet-PyTorch);
 * EfficientNetV2 as in Table 4 of Tan & Le (2021), torchvision 0.14's `_efficientnet_conf` and
 * timm's `_gen_efficientnetv2_*` (the same rows; timm's `cn`/`er` blocks are our fused rows).
 */

/**
 * `mbconv`: 1×1 expansion, k×k depthwise, optional squeeze-and-excitation, 1×1 projection.
 * `fused` (Fused-MBConv): one full k×k expansion convolution, then the 1×1 projection; with
 * ratio 1 the k×k convolution maps straight to the output channels (with swish) and there is no projection.
 */
export type BlockKind = 'mbconv' | 'fused';

/** One stage of blocks, before width and depth scaling. */
export interface StageSpec {
  readonly block: BlockKind;
  /** Channel expansion of the inverted bottleneck (1 means no expansion convolution). */
  readonly expandRatio: number;
  /** Depthwise (or fused) kernel size (square). */
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

/** What width and depth multipliers scale: the stage table, the stem and head widths, the rounding rule. */
export interface BaseNetwork {
  readonly stages: readonly StageSpec[];
  readonly stemChannels: number;
  readonly headChannels: number;
  /**
   * Width rounding adds a step when it would lose more than (1 − roundLimit) of the scaled
   * channels: 0.9 in the reference and torchvision; timm's V2 B0–B3 use 0 (plain rounding).
   */
  readonly roundLimit: number;
}

//                      expand kernel stride  in  out repeats  SE
const mb = (expandRatio: number, kernel: number, stride: number, inChannels: number, outChannels: number, repeats: number): StageSpec => ({
  block: 'mbconv', expandRatio, kernel, stride, inChannels, outChannels, repeats, seRatio: 0.25, idSkip: true,
});
const fused = (expandRatio: number, kernel: number, stride: number, inChannels: number, outChannels: number, repeats: number): StageSpec => ({
  block: 'fused', expandRatio, kernel, stride, inChannels, outChannels, repeats, seRatio: 0, idSkip: true,
});

/** EfficientNet-B0: 7 stages, 16 blocks, 32 stem channels, 1280 head channels. */
export const B0_STAGES: readonly StageSpec[] = [
  mb(1, 3, 1, 32, 16, 1), //   112² → 112²
  mb(6, 3, 2, 16, 24, 2), //   112² → 56²
  mb(6, 5, 2, 24, 40, 2), //    56² → 28²
  mb(6, 3, 2, 40, 80, 3), //    28² → 14²
  mb(6, 5, 1, 80, 112, 3), //   14² → 14²
  mb(6, 5, 2, 112, 192, 4), //  14² → 7²
  mb(6, 3, 1, 192, 320, 1), //   7² → 7²
];

/** Channels of the stem convolution and of the 1×1 head convolution, before width scaling. */
export const B0_STEM_CHANNELS = 32;
export const B0_HEAD_CHANNELS = 1280;

export const B0_BASE: BaseNetwork = { stages: B0_STAGES, stemChannels: B0_STEM_CHANNELS, headChannels: B0_HEAD_CHANNELS, roundLimit: 0.9 };

const v2 = (stemChannels: number, stages: readonly StageSpec[], roundLimit = 0.9): BaseNetwork => ({ stages, stemChannels, headChannels: 1280, roundLimit });

// Sizes in the comments at 384 (S) and 480 (M, L, XL) after the stride-2 stem.
/** EfficientNetV2-S: 6 stages, 40 blocks (torchvision `efficientnet_v2_s`, timm `tf_efficientnetv2_s`). */
export const V2_S = v2(24, [
  fused(1, 3, 1, 24, 24, 2), //     192² → 192²
  fused(4, 3, 2, 24, 48, 4), //     192² → 96²
  fused(4, 3, 2, 48, 64, 4), //      96² → 48²
  mb(4, 3, 2, 64, 128, 6), //        48² → 24²
  mb(6, 3, 1, 128, 160, 9), //       24² → 24²
  mb(6, 3, 2, 160, 256, 15), //      24² → 12²
]);

/** EfficientNetV2-M: 7 stages, 57 blocks. */
export const V2_M = v2(24, [
  fused(1, 3, 1, 24, 24, 3), //     240² → 240²
  fused(4, 3, 2, 24, 48, 5), //     240² → 120²
  fused(4, 3, 2, 48, 80, 5), //     120² → 60²
  mb(4, 3, 2, 80, 160, 7), //        60² → 30²
  mb(6, 3, 1, 160, 176, 14), //      30² → 30²
  mb(6, 3, 2, 176, 304, 18), //      30² → 15²
  mb(6, 3, 1, 304, 512, 5), //       15² → 15²
]);

/** EfficientNetV2-L: 7 stages, 79 blocks. */
export const V2_L = v2(32, [
  fused(1, 3, 1, 32, 32, 4),
  fused(4, 3, 2, 32, 64, 7),
  fused(4, 3, 2, 64, 96, 7),
  mb(4, 3, 2, 96, 192, 10),
  mb(6, 3, 1, 192, 224, 19),
  mb(6, 3, 2, 224, 384, 25),
  mb(6, 3, 1, 384, 640, 7),
]);

/** EfficientNetV2-XL (timm `tf_efficientnetv2_xl` only): 7 stages, 100 blocks. */
export const V2_XL = v2(32, [
  fused(1, 3, 1, 32, 32, 4),
  fused(4, 3, 2, 32, 64, 8),
  fused(4, 3, 2, 64, 96, 8),
  mb(4, 3, 2, 96, 192, 16),
  mb(6, 3, 1, 192, 256, 24),
  mb(6, 3, 2, 256, 512, 32),
  mb(6, 3, 1, 512, 640, 8),
]);

/** The base that timm's `tf_efficientnetv2_b0`–`b3` scale (`_gen_efficientnetv2_base`), rounding channels plainly. */
export const V2_BASE = v2(32, [
  fused(1, 3, 1, 32, 16, 1),
  fused(4, 3, 2, 16, 32, 2),
  fused(4, 3, 2, 32, 48, 2),
  mb(4, 3, 2, 48, 96, 3),
  mb(6, 3, 1, 96, 112, 5),
  mb(6, 3, 2, 112, 192, 8),
], 0);

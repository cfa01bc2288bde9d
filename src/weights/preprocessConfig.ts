/**
 * How a weight set expects its images: the evaluation transform, as data. Registry entries
 * carry one; the image pipeline (src/data) applies it; every field can be overridden.
 */

export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';
export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear', 'bicubic', 'lanczos'];

/**
 * How `resize` applies: `shorter` scales the shorter side to it, keeping the aspect ratio
 * (torchvision `Resize(int)`); `squash` scales both sides to it, dropping the aspect ratio
 * (timm's `crop_mode='squash'`, `Resize((s, s))`), so the crop loses nothing when it equals `resize`.
 */
export type ResizeMode = 'shorter' | 'squash';
export const RESIZE_MODES: readonly ResizeMode[] = ['shorter', 'squash'];

export interface PreprocessConfig {
  /** Resize so the shorter side has this many pixels (torchvision `Resize(int)`), before cropping; both sides with `resizeMode: 'squash'`. */
  readonly resize: number;
  /** Default 'shorter'. A non-square crop squashes to `resize` on its shorter side and in proportion on the other. */
  readonly resizeMode?: ResizeMode;
  /** Centre crop [height, width] after resizing. */
  readonly crop: readonly [number, number];
  readonly interpolation: Interpolation;
  /** Per-channel mean and std applied to pixels scaled to [0, 1]; AdvProp's [−1, 1] is mean 0.5, std 0.5. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

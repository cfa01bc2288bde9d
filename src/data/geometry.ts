/**
 * Output sizes and crop boxes exactly as torchvision 0.14 computes them, integer for integer:
 * `Resize(int)` and `CenterCrop`, including Python's round-half-to-even.
 */

/** A window in pixel coordinates; may reach outside the image, where pixels read as 0. */
export interface Box {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/**
 * Size after `Resize(shortSide)`: the shorter side becomes exactly `shortSide`, the longer one
 * `int(shortSide * long / short)` (truncated, as torchvision does).
 *
 * @example
 * resizedSize(427, 640, 256) // [256, 383]
 */
export function resizedSize(height: number, width: number, shortSide: number): [number, number] {
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.trunc((shortSide * long) / short);
  return width <= height ? [newLong, shortSide] : [shortSide, newLong];
}

/**
 * Size after timm's squash resize: the image's own shape is ignored; a square crop becomes
 * `[resize, resize]`, and a non-square one keeps the crop's proportions with `resize` on its
 * shorter side (timm scales each crop side by 1 / crop_pct, truncating).
 *
 * @example
 * squashedSize(480, [480, 480]) // [480, 480]
 * squashedSize(256, [224, 448]) // [256, 512]
 */
export function squashedSize(resize: number, crop: readonly [number, number]): [number, number] {
  const short = Math.min(crop[0], crop[1]);
  return [Math.trunc((resize * crop[0]) / short), Math.trunc((resize * crop[1]) / short)];
}

/**
 * The centre crop of `crop` = [h, w] from an image of `height × width`: offsets are
 * `int(round((size - crop) / 2.0))`; when the crop is larger than the image, torchvision pads
 * with zeros (`(crop - size) // 2` before), which here is a negative offset.
 *
 * @example
 * centerCropBox(256, 383, [224, 224]) // { top: 16, left: 80, height: 224, width: 224 }
 */
export function centerCropBox(height: number, width: number, crop: readonly [number, number]): Box {
  return { top: cropOffset(height, crop[0]), left: cropOffset(width, crop[1]), height: crop[0], width: crop[1] };
}

function cropOffset(size: number, crop: number): number {
  if (crop > size) return -Math.floor((crop - size) / 2);
  return roundHalfEven((size - crop) / 2);
}

/** Python 3's `round`: halves go to the even neighbour (round(0.5) = 0, round(1.5) = 2). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

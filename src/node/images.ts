/**
 * Image codecs on Node: sharp (libvips) decodes JPEG, PNG, WebP, GIF (first frame), TIFF and
 * AVIF and renders SVG (librsvg). Colours follow PIL by default, which ignores embedded ICC
 * profiles, so the pixels match what the weights were trained on.
 */
import sharp, { type OutputInfo } from 'sharp';
import { cmykToRgb } from '../data/image.js';
import type { ImageCodec, RawImage } from '../platform/index.js';

/** sharp behind the platform's image interface. */
export const sharpImages: ImageCodec = {
  async decodeRgb(input, icc) {
    // failOn 'error': truncated or corrupt data fails (like PIL), harmless warnings do not.
    const open = () => sharp(input, { failOn: 'error', autoOrient: true, ignoreIcc: icc === 'ignore', pages: 1 });
    const { space } = await open().metadata();
    if (space === 'cmyk' && icc === 'ignore') {
      // Keep the stored CMYK values and convert with PIL's formula rather than a default profile.
      const { data, info } = await open().pipelineColourspace('cmyk').toColourspace('cmyk').raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      return cmykToRgb(rawImage(data, info));
    }
    const { data, info } = await open().removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return rawImage(data, info);
  },

  async size(input) {
    const { width, height } = await sharp(input).metadata();
    return { width: width ?? 0, height: height ?? 0 };
  },

  async svgToPng(svg, scale) {
    // librsvg renders at 72 dpi by default: one SVG unit is one pixel.
    return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
  },
};

function rawImage(data: Buffer, info: OutputInfo): RawImage {
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

/** Figures to files: SVG as written, PNG rendered by sharp (librsvg), both replaced atomically. */
import { extname } from 'node:path';
import sharp from 'sharp';
import { ConfigError, oneOf } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';
import { type Figure, svgDocument } from './svg.js';

/** File name endings `writeFigure` understands. */
export const FIGURE_EXTENSIONS: readonly string[] = ['.svg', '.png'];

/**
 * Throws a `ConfigError` unless `path` ends in .svg or .png, so that a command can check its
 * output names before spending minutes computing what goes in them.
 *
 * @example
 * checkFigurePath('confusion.png'); // ok; 'confusion.jpg' throws
 */
export function checkFigurePath(path: string): void {
  if (!FIGURE_EXTENSIONS.includes(extname(path).toLowerCase())) {
    throw new ConfigError(`Cannot write a picture to '${path}': the name should end in ${oneOf(FIGURE_EXTENSIONS)}`);
  }
}

/**
 * Renders an SVG document to PNG bytes. `scale` 2 doubles the pixel size for sharp text on
 * high-density screens.
 *
 * @example
 * const png = await svgToPng(svgDocument(chart));
 */
export async function svgToPng(svg: string, scale = 1): Promise<Uint8Array> {
  // librsvg renders at 72 dpi by default: one SVG unit is one pixel.
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

/**
 * Writes a figure (or a finished SVG document) as SVG or PNG, chosen by the file name's ending.
 *
 * @example
 * await writeFigure('curves.png', lineChart(series, { title: 'Loss', xLabel: 'epoch' }));
 */
export async function writeFigure(path: string, figure: Figure | string): Promise<void> {
  checkFigurePath(path);
  const svg = typeof figure === 'string' ? figure : svgDocument(figure);
  // Double resolution for sharp text, unless the picture is already large (a 1000-class matrix).
  const scale = typeof figure !== 'string' && Math.max(figure.width, figure.height) > 2000 ? 1 : 2;
  await writeFileAtomic(path, extname(path).toLowerCase() === '.png' ? await svgToPng(svg, scale) : svg);
}

/** Figures to files: SVG as written, PNG rendered by the platform (librsvg on Node), both replaced atomically. */
import { extname } from 'pathe';
import { ConfigError, oneOf } from '../errors.js';
import { platform } from '../platform/index.js';
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
  return platform().images.svgToPng(svg, scale);
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
  await platform().files.write(path, extname(path).toLowerCase() === '.png' ? await svgToPng(svg, scale) : svg);
}

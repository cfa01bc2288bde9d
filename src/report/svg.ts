/**
 * The smallest SVG vocabulary the reports need: escaped text, elements, and a `Figure` (a
 * fragment with its size) so charts can be placed side by side or one above another before
 * they become a document. Strings only; no DOM and no dependency.
 */

/** A piece of SVG markup and the box it occupies, in pixels. */
export interface Figure {
  readonly width: number;
  readonly height: number;
  /** SVG elements drawn in the box [0, width] × [0, height]. */
  readonly body: string;
}

type Attributes = Readonly<Record<string, string | number | undefined>>;

// Characters XML 1.0 forbids even when escaped (folder names can hold them); shown as U+FFFD.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for SVG content and attribute values.
 *
 * @example
 * escapeXml('cats & "dogs" <3') // 'cats &amp; &quot;dogs&quot; &lt;3'
 */
export function escapeXml(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Numbers short enough to keep files small, exact enough to look sharp. */
function formatValue(value: string | number): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : escapeXml(value);
}

/**
 * One element; `children` is markup (already escaped), omitted for an empty element. Attribute
 * names are written as given (use SVG's own spelling, e.g. 'font-size'); undefined ones are left out.
 *
 * @example
 * element('rect', { x: 0, y: 0, width: 10, height: 10, fill: '#fff' }) // '<rect x="0" ... />'
 */
export function element(name: string, attributes: Attributes, children?: string): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${formatValue(value)}"`)
    .join('');
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

/**
 * A text label; `content` is plain text and is escaped here.
 *
 * @example
 * text(10, 20, 'Top-1 < 50%', { 'font-size': 12, 'text-anchor': 'middle' })
 */
export function text(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element('text', { x, y, ...attributes }, escapeXml(content));
}

/**
 * A rectangle.
 *
 * @example
 * rect(0, 0, 20, 20, { fill: '#08306b' })
 */
export function rect(x: number, y: number, width: number, height: number, attributes: Attributes = {}): string {
  return element('rect', { x, y, width, height, ...attributes });
}

/**
 * A straight line.
 *
 * @example
 * line(0, 100, 200, 100, { stroke: '#000' })
 */
export function line(x1: number, y1: number, x2: number, y2: number, attributes: Attributes = {}): string {
  return element('line', { x1, y1, x2, y2, ...attributes });
}

/**
 * Elements moved by (dx, dy).
 *
 * @example
 * translate(40, 10, rect(0, 0, 5, 5))
 */
export function translate(dx: number, dy: number, body: string): string {
  return element('g', { transform: `translate(${formatValue(dx)},${formatValue(dy)})` }, body);
}

/**
 * Figures one above another (`'column'`) or side by side (`'row'`), left/top aligned.
 *
 * @example
 * const curves = stack([lineChart(loss, { title: 'Loss' }), lineChart(accuracy, { title: 'Accuracy' })]);
 */
export function stack(figures: readonly Figure[], direction: 'column' | 'row' = 'column'): Figure {
  let offset = 0;
  const parts: string[] = [];
  for (const figure of figures) {
    parts.push(direction === 'column' ? translate(0, offset, figure.body) : translate(offset, 0, figure.body));
    offset += direction === 'column' ? figure.height : figure.width;
  }
  const across = Math.max(0, ...figures.map((f) => (direction === 'column' ? f.width : f.height)));
  return direction === 'column' ? { width: across, height: offset, body: parts.join('') } : { width: offset, height: across, body: parts.join('') };
}

/**
 * A complete, standalone SVG document for a figure, on a white background so that it reads the
 * same in dark-themed viewers and when rendered to PNG.
 *
 * @example
 * await writeFile('chart.svg', svgDocument(lineChart(series, { title: 'Loss' })));
 */
export function svgDocument(figure: Figure, background = '#ffffff'): string {
  const { width, height } = figure;
  const attributes = { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${formatValue(width)} ${formatValue(height)}`, 'font-family': 'DejaVu Sans, Helvetica, Arial, sans-serif' };
  return `${element('svg', attributes, rect(0, 0, width, height, { fill: background }) + figure.body)}\n`;
}

/**
 * Rough width of a label in a sans-serif font: enough to lay out margins without measuring.
 *
 * @example
 * textWidth('epoch', 12) // 36
 */
export function textWidth(content: string, fontSize: number): number {
  return [...content].length * fontSize * 0.6;
}

/**
 * `content` cut to at most `max` characters, the last being an ellipsis.
 *
 * @example
 * truncate('golden retriever', 8) // 'golden …'
 */
export function truncate(content: string, max: number): string {
  const chars = [...content];
  return chars.length <= max ? content : `${chars.slice(0, max - 1).join('')}…`;
}

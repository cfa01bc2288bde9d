/**
 * The loss and accuracy curves of a run as one SVG (two panels, training and validation per
 * epoch), and a PNG of it through sharp, which renders SVG.
 */
import sharp from 'sharp';
import { writeFileAtomic } from '../util/files.js';
import type { EpochRecord } from './runState.js';

const [WIDTH, HEIGHT, PAD] = [360, 240, 40];

/**
 * Writes `path` (.svg) and the same picture as PNG beside it (`.png`).
 *
 * @example
 * await drawCurves('model.curves.svg', result.history);
 */
export async function drawCurves(path: string, history: readonly EpochRecord[]): Promise<void> {
  const svg = curvesSvg(history);
  await writeFileAtomic(path, svg);
  await writeFileAtomic(path.replace(/\.svg$/i, '') + '.png', await sharp(Buffer.from(svg)).png().toBuffer());
}

/**
 * The SVG text: loss on the left, accuracy (0–1) on the right; solid training, dashed validation.
 *
 * @example
 * curvesSvg([{ epoch: 0, loss: 2.3, accuracy: 0.1, seconds: 5 }]).startsWith('<svg') // true
 */
export function curvesSvg(history: readonly EpochRecord[]): string {
  const maxLoss = Math.max(1e-6, ...history.flatMap((r) => [r.loss, r.validationLoss ?? 0]).filter(Number.isFinite));
  const panels = [
    panel(0, 'loss', maxLoss, [history.map((r) => r.loss), history.map((r) => r.validationLoss)]),
    panel(WIDTH, 'accuracy', 1, [history.map((r) => r.accuracy), history.map((r) => r.validationAccuracy)]),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">`
    + `<rect width="100%" height="100%" fill="white"/>${panels.join('')}`
    + `<text x="${PAD}" y="${HEIGHT - 6}" fill="#1f77b4">— training</text><text x="${PAD + 80}" y="${HEIGHT - 6}" fill="#d62728">- - validation</text></svg>\n`;
}

function panel(x0: number, title: string, top: number, series: readonly (readonly (number | undefined)[])[]): string {
  const [w, h] = [WIDTH - 2 * PAD, HEIGHT - 2 * PAD];
  const count = Math.max(...series.map((s) => s.length));
  const px = (i: number) => x0 + PAD + (count <= 1 ? w / 2 : (i * w) / (count - 1));
  const py = (v: number) => PAD + h - (Math.min(v, top) / top) * h;
  const colours = ['#1f77b4', '#d62728'];
  const lines = series.map((values, s) => {
    const points = values.flatMap((v, i) => (v === undefined || !Number.isFinite(v) ? [] : [`${px(i).toFixed(1)},${py(v).toFixed(1)}`]));
    if (points.length === 0) return '';
    const dots = points.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2" fill="${colours[s]}"/>`).join('');
    return `<polyline fill="none" stroke="${colours[s]}" stroke-width="1.5"${s === 1 ? ' stroke-dasharray="4 3"' : ''} points="${points.join(' ')}"/>${dots}`;
  });
  return `<g><text x="${x0 + PAD}" y="${PAD - 12}" font-weight="bold">${title}</text>`
    + `<rect x="${x0 + PAD}" y="${PAD}" width="${w}" height="${h}" fill="none" stroke="#999"/>`
    + `<text x="${x0 + 4}" y="${PAD + 4}">${fmt(top)}</text><text x="${x0 + 4}" y="${PAD + h}">0</text>`
    + `<text x="${x0 + PAD}" y="${PAD + h + 14}">epoch 1</text><text x="${x0 + PAD + w - 40}" y="${PAD + h + 14}">epoch ${Math.max(1, count)}</text>`
    + `${lines.join('')}</g>`;
}

const fmt = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));

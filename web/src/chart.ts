/**
 * The live training chart: loss and accuracy against epochs, drawn with the library's own chart
 * code (the SVG `lineChart` that `fit` uses for its curves file), redrawn at most a few times a
 * second however fast the steps come.
 */
import type { Library } from './library.js';

type Point = readonly [number, number];

/** Redraws at most this often (ms): an SVG per step would cost more than a small step. */
const REDRAW_MS = 250;

export class LiveChart {
  private readonly loss: Point[] = [];
  private readonly accuracy: Point[] = [];
  private readonly validation: Point[] = [];
  private drawn = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly lib: typeof Library, private readonly element: HTMLElement) {}

  /** Starts a new run's chart. */
  clear(): void {
    this.loss.length = this.accuracy.length = this.validation.length = 0;
    this.element.replaceChildren();
  }

  /**
   * Adds one step at `x` epochs (fractional): its loss and the epoch's running accuracy.
   *
   * @example
   * chart.step(0.5, 0.69, 0.5);
   */
  step(x: number, loss: number, accuracy: number): void {
    this.loss.push([x, loss]);
    this.accuracy.push([x, accuracy]);
    this.schedule();
  }

  /** Adds an epoch's validation accuracy at its end. */
  epoch(x: number, validationAccuracy: number | undefined): void {
    if (validationAccuracy !== undefined) this.validation.push([x, validationAccuracy]);
    this.draw();
  }

  private schedule(): void {
    if (this.pending) return;
    const wait = Math.max(0, this.drawn + REDRAW_MS - performance.now());
    this.pending = setTimeout(() => this.draw(), wait);
  }

  /** Draws now (also the last point of a run). */
  draw(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.drawn = performance.now();
    const { lineChart, svgDocument } = this.lib;
    const size = { width: 520, height: 260, xLabel: 'epoch', markers: false };
    const accuracy = [{ name: 'training', points: this.accuracy }, ...(this.validation.length > 0 ? [{ name: 'validation', points: this.validation, dashed: true }] : [])];
    this.element.innerHTML = [
      svgDocument(lineChart([{ name: 'training', points: this.loss }], { ...size, title: 'Loss', yLabel: 'cross-entropy' })),
      svgDocument(lineChart(accuracy, { ...size, title: 'Accuracy', yLabel: 'top-1', yRange: [0, 1] })),
    ].join('');
  }
}

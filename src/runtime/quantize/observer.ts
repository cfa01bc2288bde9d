/**
 * Activation statistics gathered over calibration batches: the exact minimum and maximum, and
 * a histogram of each sign's magnitudes whose range doubles (merging bin pairs) when a larger
 * value arrives, so one pass serves both methods and the result depends only on the images
 * and their order.
 */

/** `minmax`: the whole observed range. `percentile`: each side clipped at its 99.99th percentile. */
export const CALIBRATION_METHODS = ['minmax', 'percentile'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** [min, max] of a tensor, the range its uint8 scale and zero point are computed from. */
export type ActivationRange = readonly [number, number];

const BINS = 2048;
const PERCENTILE = 0.9999;

/** Magnitudes of one sign: BINS bins over [0, top), `top` a power of two. */
class MagnitudeHistogram {
  readonly counts = new Float64Array(BINS);
  top = 0;
  total = 0;

  add(values: Float32Array, sign: 1 | -1): void {
    let largest = 0;
    for (let i = 0; i < values.length; i++) {
      const m = values[i] * sign;
      if (m > largest) largest = m;
    }
    if (largest === 0) return;
    if (this.top === 0) this.top = 2 ** Math.ceil(Math.log2(largest) + 1e-9);
    while (largest >= this.top) this.double();
    const perBin = BINS / this.top;
    for (let i = 0; i < values.length; i++) {
      const m = values[i] * sign;
      if (m > 0) this.counts[Math.min(BINS - 1, Math.floor(m * perBin))]++;
    }
    this.total += values.length;
  }

  /** The magnitude below which `fraction` of this sign's values (of all values) lie. */
  quantile(fraction: number, allValues: number): number {
    const outside = allValues * (1 - fraction);
    let above = 0;
    for (let b = BINS - 1; b >= 0; b--) {
      above += this.counts[b];
      if (above > outside) return ((b + 1) * this.top) / BINS;
    }
    return 0;
  }

  private double(): void {
    for (let b = 0; b < BINS / 2; b++) this.counts[b] = this.counts[2 * b] + this.counts[2 * b + 1];
    this.counts.fill(0, BINS / 2);
    this.top *= 2;
  }
}

/**
 * One tensor's statistics.
 *
 * @example
 * const o = new Observer(); o.add(values);
 * o.range('percentile') // [-0.27, 5.1]
 */
export class Observer {
  private min = Infinity;
  private max = -Infinity;
  private count = 0;
  private readonly positive = new MagnitudeHistogram();
  private readonly negative = new MagnitudeHistogram();

  add(values: Float32Array): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
    this.positive.add(values, 1);
    this.negative.add(values, -1);
    this.count += values.length;
  }

  /** The range a method quantizes to; always holds 0 (uint8 zero points must represent it exactly). */
  range(method: CalibrationMethod): ActivationRange {
    if (this.count === 0) return [0, 0];
    let [lo, hi] = [Math.min(0, this.min), Math.max(0, this.max)];
    if (method === 'percentile') {
      hi = Math.min(hi, this.positive.quantile(PERCENTILE, this.count));
      lo = Math.max(lo, -this.negative.quantile(PERCENTILE, this.count));
    }
    return [lo, hi];
  }
}

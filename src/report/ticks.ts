/** Axis ticks at round numbers (1, 2 or 5 times a power of ten), as charting libraries place them. */

/**
 * About `count` round tick values covering [min, max]; the first and last ticks enclose the range.
 *
 * @example
 * niceTicks(0.13, 0.92, 5) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    // A flat series still needs an axis: centre it in a unit-wide range.
    const centre = Number.isFinite(min) ? min : 0;
    return niceTicks(centre - 0.5, centre + 0.5, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let value = first; value < max + step - 1e-9 * step; value += step) {
    // Round away float drift (0.30000000000000004) so labels print cleanly.
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

/**
 * A tick label with no more decimals than the step between ticks needs.
 *
 * @example
 * formatTick(0.25, 0.05) // '0.25'
 */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(Math.abs(step) || 1) + 1e-9)));
  return Math.abs(value) >= 1e6 || (Math.abs(value) > 0 && Math.abs(value) < 1e-4) ? value.toExponential(1) : value.toFixed(decimals);
}

/**
 * Training speed for the progress line: images per second over a sliding window of recent steps
 * (the first steps, which compile graphs, drop out of it) and the time left at that speed.
 */

/** Steps the speed is averaged over. */
const WINDOW = 20;

export class Throughput {
  private readonly samples: { time: number; images: number }[] = [];

  /** `now` in milliseconds (performance.now()). */
  constructor(now: number) {
    this.samples.push({ time: now, images: 0 });
  }

  /**
   * Records a finished step of `images` images at `now`.
   *
   * @example
   * const speed = new Throughput(0); speed.step(1000, 32); speed.imagesPerSecond() // 32
   */
  step(now: number, images: number): void {
    this.samples.push({ time: now, images });
    if (this.samples.length > WINDOW + 1) this.samples.shift();
  }

  /** Images per second over the window; 0 before the first step. */
  imagesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const images = this.samples.slice(1).reduce((sum, s) => sum + s.images, 0);
    return last.time > first.time ? (images * 1000) / (last.time - first.time) : 0;
  }

  /** Seconds until `remaining` more images are done at the current speed (undefined while unknown). */
  secondsLeft(remaining: number): number | undefined {
    const speed = this.imagesPerSecond();
    return speed > 0 ? remaining / speed : undefined;
  }
}

/**
 * A duration as `1:05:09`, `5:09` or `9 s`.
 *
 * @example
 * formatDuration(309) // '5:09'
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const [hours, minutes, rest] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const mm = hours > 0 ? String(minutes).padStart(2, '0') : String(minutes);
  return `${hours > 0 ? `${hours}:` : ''}${mm}:${String(rest).padStart(2, '0')}`;
}

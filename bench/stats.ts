/** Timing helpers for benchmarks: interleaved rounds and medians, so that peers share the machine's noise. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds taken by one call. */
export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs every contender `rounds` times, interleaved (A B A B …) after `warmup` calls each,
 * and returns each one's median in milliseconds.
 */
export async function interleaved(contenders: Record<string, () => Promise<unknown>>, rounds: number, warmup = 3): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  for (const name of names) for (let i = 0; i < warmup; i++) await contenders[name]();
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const name of names) times[name].push(await timeOnce(contenders[name]));
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}

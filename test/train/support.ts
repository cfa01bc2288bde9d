/** Unpacking of the training fixtures' strided samples (scripts/make_gradient_fixtures.py). */

export const SAMPLES = 64;

/**
 * For each tensor, max |ours − torch| over the stored samples (stride ceil(n / 64)), relative
 * to torch's largest |value| of the full tensor, or to `floor` (one for all, or per tensor)
 * when that is larger.
 */
export function packedSamples(ours: readonly Float32Array[], samples: Float32Array, maxabs: Float32Array, floor: number | readonly number[] = 0): number[] {
  let offset = 0;
  return ours.map((t, i) => {
    const stride = Math.max(1, Math.ceil(t.length / SAMPLES));
    let diff = 0;
    for (let j = 0; j < t.length; j += stride) diff = Math.max(diff, Math.abs(t[j] - samples[offset++]));
    const scale = Math.max(maxabs[i], typeof floor === 'number' ? floor : floor[i]);
    return scale > 0 ? diff / scale : diff;
  }).map((e, i, all) => {
    if (i === all.length - 1 && offset !== samples.length) throw new Error(`packed samples: used ${offset} of ${samples.length}`);
    return e;
  });
}

/** Euclidean norm, accumulated in float64. */
export function l2(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum);
}

/**
 * Per-tensor floors for packedSamples: 1e-3 of the step's largest gradient for the gradients
 * that are zero in exact arithmetic (each block's last batch-norm bias when batch norm trains),
 * 0 (own maximum) for every other.
 */
export function gradientFloors(keys: readonly string[], maxabs: Float32Array, batchNorm: string): number[] {
  const largest = Math.max(...maxabs);
  return keys.map((k) => (batchNorm === 'train' && /^_blocks\.\d+\._bn2\.bias$/.test(k) ? 1e-3 * largest : 0));
}

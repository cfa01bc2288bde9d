/** Helpers shared by the oracle tests: fixture paths and closeness measures. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { NetworkSpec } from '../../src/arch/network.js';
import { stateDictSpec } from '../../src/arch/parameters.js';
import { type KeyFamily, keyRenamer } from '../../src/weights/keymaps.js';
import { syntheticTensor } from '../../src/weights/synthetic.js';
import type { StateDict } from '../../src/weights/tensor.js';

/** test/fixtures, from the compiled dist/test/support. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures');

/** max |a − b| / max |b|: the error relative to the reference's largest value. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ expected ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** The oracle's synthetic state dict for `net`, under `family`'s key names. */
export function syntheticStateDict(net: NetworkSpec, family: KeyFamily, gain: number): StateDict {
  const rename = keyRenamer(net, 'lukemelas', family);
  const out: StateDict = new Map();
  for (const spec of stateDictSpec(net)) {
    const key = rename(spec.key);
    out.set(key, syntheticTensor(key, spec.shape, spec.kind, spec.role, gain));
  }
  return out;
}

/** Every `stride`-th element, as the oracle stores large maps. */
export function strided(data: Float32Array, stride: number): Float32Array {
  const out = new Float32Array(Math.ceil(data.length / stride));
  for (let i = 0; i < out.length; i++) out[i] = data[i * stride];
  return out;
}

/** Mean over H×W of an [N, C, H, W] map → [N, C]. */
export function channelMeans(data: Float32Array, dims: readonly number[]): Float32Array {
  const [n, c, h, w] = dims;
  const out = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let sum = 0;
    for (let j = 0; j < h * w; j++) sum += data[i * h * w + j];
    out[i] = sum / (h * w);
  }
  return out;
}

/** The oracle's stride for large maps: every 17th element is stored, plus per-channel means. */
export const SAMPLE_STRIDE = 17;

/**
 * Relative errors of a map [N, C, H, W] against the oracle's `${name}.sample` (every 17th
 * element) and `${name}.channel_mean`; the larger of the two.
 */
export function mapError(map: { readonly data: Float32Array; readonly dims: readonly number[] }, expected: StateDict, name: string): number {
  return Math.max(
    relativeError(strided(map.data, SAMPLE_STRIDE), expected.get(`${name}.sample`)!.data as Float32Array),
    relativeError(channelMeans(map.data, map.dims), expected.get(`${name}.channel_mean`)!.data as Float32Array),
  );
}

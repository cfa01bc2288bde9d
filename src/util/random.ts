/**
 * Every seeded generator and hash in the package, so that runs are reproducible and resumable
 * bit for bit and synthetic weights agree with the oracle script:
 * - `Random` (xoshiro128**): the training generator, whose whole state is four uint32s (checkpointed).
 * - `seededRng` (mulberry32): one small stream per image for augmentation.
 * - `mixSeed`: one 32-bit seed from several integers (seed, epoch, sample).
 * - `fnv1a32`: FNV-1a over bytes or UTF-16 code units (synthetic-weight keys, file lists).
 * - `uniformAt`: element i of a counter-based uniform stream (synthetic weights; scripts/synthetic.py mirrors it).
 * Changing any of them changes saved runs, fingerprints and oracle fixtures.
 */

/** Uniform numbers in [0, 1). */
export type Rng = () => number;

export class Random {
  private readonly s: Uint32Array;

  /**
   * @example
   * new Random(42).uniform() // the same number on every machine
   */
  constructor(seed: number | readonly number[] = 0) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      // splitmix32 spreads a small seed over the whole state.
      let z = seed >>> 0;
      for (let i = 0; i < 4; i++) {
        z = (z + 0x9e3779b9) >>> 0;
        let t = z ^ (z >>> 16);
        t = Math.imul(t, 0x21f0aaad);
        t ^= t >>> 15;
        t = Math.imul(t, 0x735a2d97);
        this.s[i] = (t ^ (t >>> 15)) >>> 0;
      }
    } else {
      this.s.set(seed.slice(0, 4));
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1; // the all-zero state is a fixed point
  }

  /** The state, for checkpoints. */
  state(): number[] {
    return [...this.s];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log stays finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles in place (Fisher–Yates). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * mulberry32: a small, fast 32-bit generator; the same seed gives the same sequence everywhere.
 *
 * @example
 * const rng = seededRng(42); rng() // 0.6011037519201636
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One 32-bit seed from several integers (a splitmix-style hash), for per-epoch and per-image generators.
 *
 * @example
 * seededRng(mixSeed(seed, epoch, sample)) // the image's own stream
 */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** FNV-1a's 32-bit offset basis: the hash of nothing, and the start of a running hash. */
export const FNV_OFFSET = 0x811c9dc5;

/**
 * FNV-1a, 32 bits: over the UTF-8 bytes of a string, or over any sequence of integers (UTF-16
 * code units, bytes), continuing from `hash` so that several inputs chain into one.
 *
 * @example
 * fnv1a32('_conv_stem.weight') // 3439830710
 * paths.reduce((h, p) => fnv1a32(codeUnits(p), h), FNV_OFFSET) // one hash over a file list
 */
export function fnv1a32(input: string | Iterable<number>, hash = FNV_OFFSET): number {
  for (const unit of typeof input === 'string' ? new TextEncoder().encode(input) : input) hash = Math.imul(hash ^ unit, 0x01000193) >>> 0;
  return hash;
}

/**
 * The UTF-16 code units of a string, for hashes that were defined over `charCodeAt`.
 *
 * @example
 * [...codeUnits('é')] // [233]
 */
export function* codeUnits(text: string): Generator<number> {
  for (let i = 0; i < text.length; i++) yield text.charCodeAt(i);
}

/**
 * Element `index` of the uniform [0, 1) stream keyed by `seed` (murmur3's finaliser over a Weyl
 * sequence): random access, so any slice of a tensor can be generated alone.
 *
 * @example
 * uniformAt(fnv1a32('input'), 0) // the first value of the oracle's input noise
 */
export function uniformAt(seed: number, index: number): number {
  let x = (Math.imul(index, 0x9e3779b1) + seed) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296; // ^= leaves a signed int32
}

/**
 * Tensors read on first use, under a byte budget. A checkpoint's index (names, dtypes, shapes,
 * storages) costs almost nothing to read; its data can cost far more than the file's size
 * (a deflated storage, a broadcast view). Readers therefore hand out lazy tensors, loaders check
 * keys and shapes first, and every allocation a read makes is charged to a {@link ReadBudget}
 * before it is made, so a hostile file ends in a clear error instead of gigabytes.
 */
import { FileFormatError } from '../../errors.js';
import type { Tensor } from '../tensor.js';

/** Bytes a read may still allocate; exceeding it is a FileFormatError naming what and why. */
export class ReadBudget {
  private spent = 0;

  /** `limit` in bytes; `basis` says what it was derived from, for the message. */
  constructor(
    readonly limit: number,
    readonly basis: string,
  ) {}

  /**
   * Charges `bytes` about to be allocated for `what` (in `source`), or throws.
   *
   * @example
   * new ReadBudget(1024, 'a 256-byte file').spend(4096, "storage '0'", 'x.pth') // throws
   */
  spend(bytes: number, what: string, source: string): void {
    if (this.spent + bytes > this.limit) {
      throw new FileFormatError(`${source}: reading ${what} needs ${bytes} more bytes (${this.spent + bytes} in all), beyond the ${this.limit}-byte budget for ${this.basis}; the file is damaged or crafted to exhaust memory`);
    }
    this.spent += bytes;
  }
}

/** Headroom every budget adds: small files may legitimately broadcast a tensor (2^24 float32 values). */
const SLACK = 64 << 20;

/**
 * The budget of a generic read (no model to compare with): four times the file (float16 → float32
 * doubles, a re-deflated storage is inflated beside its copy) plus {@link SLACK}.
 *
 * @example
 * fileBudget(266e6) // ReadBudget of about 1.1 GB
 */
export function fileBudget(fileBytes: number): ReadBudget {
  return new ReadBudget(4 * fileBytes + SLACK, `a ${fileBytes}-byte file`);
}

/**
 * The budget of loading into a model whose tensors take `modelBytes`: the tensors themselves
 * plus storages of up to twice that (float64 checkpoints), plus {@link SLACK}.
 *
 * @example
 * modelBudget(21e6, 'efficientnet-b0')
 */
export function modelBudget(modelBytes: number, model: string): ReadBudget {
  return new ReadBudget(3 * modelBytes + SLACK, `${model}'s ${modelBytes} bytes of weights`);
}

type Data = Float32Array | BigInt64Array;
const READ = Symbol('read');
interface Lazy { [READ](budget: ReadBudget): Data }

/**
 * A tensor whose `data` is read on first access (under `fallback`), or by {@link materialize}
 * under the caller's budget; read once, then kept.
 *
 * @example
 * const t = lazyTensor('float32', [2], () => new Float32Array(2), fileBudget(8));
 */
export function lazyTensor(dtype: Tensor['dtype'], shape: readonly number[], read: (budget: ReadBudget) => Data, fallback: ReadBudget): Tensor {
  let data: Data | undefined;
  const load = (budget: ReadBudget) => (data ??= read(budget));
  // A getter stands in for the data field, so lazy and plain tensors share one type.
  return { dtype, shape, get data() { return load(fallback); }, [READ]: load } as unknown as Tensor;
}

/**
 * A plain tensor with its data read under `budget` (plain tensors pass through).
 *
 * @example
 * const weights = [...lazy.values()].map((t) => materialize(t, budget));
 */
export function materialize(tensor: Tensor, budget: ReadBudget): Tensor {
  if (!(READ in tensor)) return tensor;
  const data = (tensor as unknown as Lazy)[READ](budget);
  return { dtype: tensor.dtype, shape: tensor.shape, data } as Tensor;
}

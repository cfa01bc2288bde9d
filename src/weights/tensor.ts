/**
 * The in-memory tensor every weight reader produces and every writer takes. Floating-point
 * checkpoints (fp16, bf16, fp64) are converted to float32 on read; integer buffers
 * (`num_batches_tracked`) stay int64.
 */
import { shapeSize } from '../arch/parameters.js';

export type Tensor =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

/** Checkpoint keys (verbatim, in file order) to tensors. */
export type StateDict = Map<string, Tensor>;

/**
 * A float32 tensor; checks that the data length matches the shape.
 *
 * @example
 * floatTensor([2, 2], new Float32Array(4)).shape // [2, 2]
 */
export function floatTensor(shape: readonly number[], data: Float32Array): Tensor {
  if (data.length !== shapeSize(shape)) throw new RangeError(`float tensor of shape [${shape}] needs ${shapeSize(shape)} values, got ${data.length}`);
  return { dtype: 'float32', shape: [...shape], data };
}

/** An int64 tensor. */
export function int64Tensor(shape: readonly number[], data: BigInt64Array): Tensor {
  if (data.length !== shapeSize(shape)) throw new RangeError(`int64 tensor of shape [${shape}] needs ${shapeSize(shape)} values, got ${data.length}`);
  return { dtype: 'int64', shape: [...shape], data };
}

/** `[1, 2, 3]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

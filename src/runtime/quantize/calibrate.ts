/**
 * Calibration: the float graph runs on the user's images with every tensor the int8 graph will
 * quantize as an extra output, and an Observer per tensor gathers its statistics.
 */
import { ConfigError } from '../../errors.js';
import type { FloatBatch } from '../inputs.js';
import { type RuntimeOptions, Session } from '../session.js';
import { type ActivationRange, type CalibrationMethod, Observer } from './observer.js';
import { OpenModel } from './onnxModel.js';
import { quantizedTensors } from './qdq.js';
import type { Role } from './roles.js';

export interface CalibrationProgress {
  /** Images seen so far. */
  readonly images: number;
}

/**
 * Ranges of every tensor the int8 graph quantizes, measured on `batches` (preprocessed NCHW
 * float32, in a fixed order: the same batches give the same ranges).
 *
 * @example
 * const ranges = await calibrationRanges(floatGraph, batches, { method: 'percentile', keepFloat: new Set(['classifier']) });
 */
export async function calibrationRanges(
  floatGraph: Uint8Array,
  batches: AsyncIterable<FloatBatch> | Iterable<FloatBatch>,
  options: { method: CalibrationMethod; keepFloat: ReadonlySet<Role>; runtime?: RuntimeOptions; onBatch?: (p: CalibrationProgress) => void },
): Promise<Record<string, ActivationRange>> {
  const model = OpenModel.decode(floatGraph);
  const tensors = quantizedTensors(model, options.keepFloat);
  const outputs = new Set(model.outputNames);
  model.addFloatOutputs(tensors.filter((t) => !outputs.has(t) && !model.inputNames.includes(t)));
  // Graph optimisations would fuse away the very tensors observed; the results are the same.
  const session = await Session.create(model.encode(), { ...options.runtime, graphOptimization: 'basic', executionProviders: ['cpu'] });
  const observers = new Map(tensors.map((t) => [t, new Observer()]));
  let images = 0;
  try {
    for await (const batch of batches) {
      const fetches = tensors.filter((t) => !model.inputNames.includes(t));
      const results = await session.run({ [model.inputNames[0]]: { type: 'float32', dims: batch.dims, data: batch.data } }, fetches);
      for (const t of tensors) observers.get(t)!.add(model.inputNames.includes(t) ? batch.data : (results[t].data as Float32Array));
      images += batch.dims[0];
      options.onBatch?.({ images });
    }
  } finally {
    await session.release();
  }
  if (images === 0) throw new ConfigError('Calibration needs at least one image; the calibration set is empty');
  return Object.fromEntries(tensors.map((t) => [t, observers.get(t)!.range(options.method)]));
}

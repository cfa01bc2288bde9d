/**
 * The int8 inference graph of a calibrated model: the float graph (src/runtime/inference.ts)
 * with the QDQ pass applied. What a calibration produced is plain data (`Int8Calibration`), saved
 * with the model, so a loaded model rebuilds the same graph without seeing the images again.
 */
import type { NetworkSpec } from '../../arch/network.js';
import type { StateDict } from '../../weights/tensor.js';
import type { FoldedWeights } from '../fold.js';
import { type InferenceGraph, type InferenceGraphOptions, type InferenceOutput, buildInferenceGraph } from '../inference.js';
import type { FloatBatch } from '../inputs.js';
import type { RuntimeOptions } from '../session.js';
import { type CalibrationProgress, calibrationRanges } from './calibrate.js';
import { type ActivationRange, CALIBRATION_METHODS, type CalibrationMethod } from './observer.js';
import { oneOf } from '../../errors.js';
import { OpenModel } from './onnxModel.js';
import { quantizeGraph } from './qdq.js';
import { ROLES, type Role } from './roles.js';

/** What quantizing a model decided: saved beside its weights. */
export interface Int8Calibration {
  readonly method: CalibrationMethod;
  /** Roles left in float32 (see roles.ts). */
  readonly keepFloat: readonly Role[];
  /** Tensor name in the float graph → [min, max] its uint8 encoding covers. */
  readonly ranges: Readonly<Record<string, ActivationRange>>;
  /** Images the ranges were measured on. */
  readonly images: number;
}

/**
 * Kept in float by default: the classifier, whose uint8 logits would tie near the top (it is
 * one small matrix product, so float costs nothing); see `npm run bench -- int8` for the measure.
 */
export const DEFAULT_KEEP_FLOAT: readonly Role[] = ['classifier'];

/** The default method: see docs in README (percentile measured closer to fp32 than min/max). */
export const DEFAULT_METHOD: CalibrationMethod = 'percentile';

const MAIN_OUTPUTS = (net: NetworkSpec): InferenceOutput[] => (net.fc ? ['logits', 'pooled', 'features'] : ['pooled', 'features']);

export interface QuantizeOptions {
  /** Default `percentile` (DEFAULT_METHOD). */
  readonly method?: CalibrationMethod;
  /** Roles to leave in float32; default DEFAULT_KEEP_FLOAT. */
  readonly keepFloat?: readonly Role[];
  readonly runtime?: RuntimeOptions;
  /** Called after each calibration batch. */
  readonly onBatch?: (p: CalibrationProgress) => void;
}

/**
 * Measures activation ranges on calibration batches with the model's float graph.
 *
 * @example
 * const calibration = await calibrateInt8(net.network, net.weights, batches, { method: 'percentile' });
 */
export async function calibrateInt8(
  net: NetworkSpec,
  weights: StateDict | FoldedWeights,
  batches: AsyncIterable<FloatBatch> | Iterable<FloatBatch>,
  options: QuantizeOptions = {},
): Promise<Int8Calibration> {
  const method = options.method ?? DEFAULT_METHOD;
  const keepFloat = options.keepFloat ?? DEFAULT_KEEP_FLOAT;
  const floatGraph = buildInferenceGraph(net, weights, MAIN_OUTPUTS(net)).model;
  let images = 0;
  const ranges = await calibrationRanges(floatGraph, batches, {
    method, keepFloat: new Set(keepFloat), runtime: options.runtime,
    onBatch: (p) => { images = p.images; options.onBatch?.(p); },
  });
  return { method, keepFloat, ranges, images };
}

/** Builds an inference graph: `buildInferenceGraph`, or a pass over it (the int8 and fp16 graphs). */
export type GraphBuild = typeof buildInferenceGraph;

/**
 * The int8 graph builder of a calibration, in `buildInferenceGraph`'s shape, for the engine and export.
 *
 * @example
 * const engine = new InferenceEngine(net.network, net.weights, {}, int8Build(calibration));
 */
export function int8Build(calibration: Int8Calibration): GraphBuild {
  return (net, weights, output, options) => buildInt8Graph(net, weights, output, calibration, options);
}

/**
 * The int8 graph for the given outputs (weights inline: int8 weights are a quarter of the float ones).
 *
 * @example
 * const { model } = buildInt8Graph(net.network, net.weights, 'logits', calibration);
 */
export function buildInt8Graph(net: NetworkSpec, weights: StateDict | FoldedWeights, output: InferenceOutput | readonly InferenceOutput[], calibration: Int8Calibration, options: InferenceGraphOptions = {}): InferenceGraph {
  const float = buildInferenceGraph(net, weights, output, { ...options, external: false });
  const model = OpenModel.decode(float.model);
  quantizeGraph(model, calibration.ranges, new Set(calibration.keepFloat));
  return { ...float, model: model.encode({ quantization: `int8 (uint8 activations, ${calibration.method} calibration on ${calibration.images} images; float: ${calibration.keepFloat.join(', ') || 'none'})` }), externalData: [] };
}

/**
 * What is wrong with a calibration read from a file, or undefined when it is usable.
 *
 * @example
 * calibrationProblem({ method: 'mean' }) // "method 'mean' should be one of 'minmax', 'percentile'"
 */
export function calibrationProblem(value: unknown): string | undefined {
  const c = value as Partial<Int8Calibration> | null;
  if (typeof c !== 'object' || c === null) return 'not an object';
  if (!(CALIBRATION_METHODS as readonly unknown[]).includes(c.method)) return `method ${JSON.stringify(c.method)} should be one of ${oneOf(CALIBRATION_METHODS)}`;
  if (!Array.isArray(c.keepFloat) || c.keepFloat.some((r) => !(ROLES as readonly unknown[]).includes(r))) return `keepFloat should list some of ${oneOf(ROLES)}`;
  if (typeof c.ranges !== 'object' || c.ranges === null) return 'no ranges';
  const bad = Object.entries(c.ranges).find(([, r]) => !Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || !(r[0] <= 0 && r[1] >= 0));
  if (bad) return `range of '${bad[0]}' is not [min <= 0, max >= 0]`;
  return undefined;
}

/**
 * What a model saved by this project carries besides its tensors: the architecture, its options,
 * class names and preprocessing, as JSON in the safetensors `__metadata__` (key `efficientnet-ts`).
 * A plain checkpoint from elsewhere has none, and everything is then read from its shapes.
 */
import type { EfficientNetOptions } from '../arch/config.js';
import type { PreprocessConfig } from '../weights/preprocessConfig.js';
import { FileFormatError } from '../errors.js';
import { type Int8Calibration, calibrationProblem } from '../runtime/quantize/int8.js';

export const METADATA_KEY = 'efficientnet-ts';

export interface ModelMetadata {
  /** Variant name, e.g. `efficientnet-b0`. */
  readonly model: string;
  readonly options: Pick<EfficientNetOptions, 'numClasses' | 'inChannels' | 'imageSize' | 'padding' | 'batchNormEpsilon' | 'batchNormMomentum' | 'dropoutRate' | 'dropConnectRate'>;
  readonly labels?: readonly string[];
  readonly preprocess?: PreprocessConfig;
  /** An int8 model's calibration (src/runtime/quantize): loading it needs no images. */
  readonly quantization?: Int8Calibration;
}

/**
 * Safetensors metadata strings for a model.
 *
 * @example
 * encodeModelMetadata({ model: 'efficientnet-b0', options: { numClasses: 10 } })
 */
export function encodeModelMetadata(metadata: ModelMetadata): Record<string, string> {
  return { [METADATA_KEY]: JSON.stringify(metadata) };
}

/** The model metadata in a file's safetensors metadata, if it has any. */
export function decodeModelMetadata(strings: Readonly<Record<string, string>>, source: string): ModelMetadata | undefined {
  const text = strings[METADATA_KEY];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FileFormatError(`${source} has unreadable '${METADATA_KEY}' metadata (not JSON)`);
  }
  const m = value as Partial<ModelMetadata>;
  if (typeof m !== 'object' || m === null || typeof m.model !== 'string' || typeof m.options !== 'object' || (m.labels !== undefined && !Array.isArray(m.labels))) {
    throw new FileFormatError(`${source} has '${METADATA_KEY}' metadata without a model name and options`);
  }
  const problem = m.quantization === undefined ? undefined : calibrationProblem(m.quantization);
  if (problem) throw new FileFormatError(`${source} has an unusable int8 calibration in its '${METADATA_KEY}' metadata: ${problem}`);
  return m as ModelMetadata;
}

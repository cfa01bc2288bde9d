/**
 * Loading a checkpoint into a network the way the references do: recognise the key family,
 * rename to our names, then check every key and shape at once. A classifier with another class
 * count is re-initialised, a stem with another channel count is adapted (as timm does), and
 * both are reported rather than silently dropped. Only then is tensor data read (checkpoints
 * from `openCheckpoint` are lazy): just the tensors the model takes, within a budget tied to
 * the model's size.
 */
import type { NetworkSpec } from '../arch/network.js';
import { shapeSize, stateDictSpec } from '../arch/parameters.js';
import { WeightLoadError } from '../errors.js';
import { Random } from '../util/random.js';
import { modelBudget, materialize } from './formats/lazy.js';
import { initialTensor } from './init.js';
import { type KeyFamily, detectKeyFamily, familyKeys, keyRenamer, renameStateDict } from './keymaps.js';
import { type StateDict, type Tensor, floatTensor, formatShape, int64Tensor } from './tensor.js';

export interface LoadOptions {
  /** Fail on any missing, unexpected or mismatched key (default). False reports and fills in. */
  strict?: boolean;
  /** Key family; recognised from the keys when omitted. */
  family?: KeyFamily;
  /** Seed for tensors that must be initialised afresh (new classifier, missing keys when not strict). */
  seed?: number;
}

export interface LoadReport {
  readonly family: KeyFamily;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly mismatched: readonly string[];
  /** Keys initialised afresh (a classifier for another class count). */
  readonly reinitialized: readonly string[];
  /** Human-readable notes on adaptations (stem channels). */
  readonly notes: readonly string[];
}

/**
 * Checks and renames a checkpoint for a network; returns weights under our key names.
 *
 * @example
 * const { weights, report } = loadStateDict(net, checkpoint.tensors);
 */
export function loadStateDict(net: NetworkSpec, tensors: StateDict, options: LoadOptions = {}): { weights: StateDict; report: LoadReport } {
  const family = options.family ?? detectKeyFamily(tensors.keys());
  const source = renameStateDict(tensors, net, family, 'lukemelas');
  const specs = stateDictSpec(net);
  // Problems are reported under the checkpoint's own key names.
  const theirName = keyRenamer(net, 'lukemelas', family);
  // Tensors taken from the checkpoint; every other key is initialised afresh, but only once the
  // strict check has passed (recognising a variant tries several networks and fails most).
  const chosen: StateDict = new Map();
  const missing: string[] = [];
  const mismatched: string[] = [];
  const reinitialized: string[] = [];
  const notes: string[] = [];
  let adaptStem = false;
  const fcKeys = net.fc ? [`${net.fc.name}.weight`, `${net.fc.name}.bias`] : [];
  const classifierDiffers = net.fc !== undefined && source.has(fcKeys[0]) && source.get(fcKeys[0])!.shape[0] !== net.fc.outFeatures;
  if (classifierDiffers) notes.push(`classifier re-initialised for ${net.fc!.outFeatures} classes (checkpoint has ${source.get(fcKeys[0])!.shape[0]})`);

  for (const spec of specs) {
    const tensor = source.get(spec.key);
    if (classifierDiffers && fcKeys.includes(spec.key)) {
      reinitialized.push(spec.key);
      continue;
    }
    if (tensor === undefined) {
      // Checkpoints from before PyTorch 0.4.1 (the reference's own) have no num_batches_tracked.
      if (spec.role === 'num_batches_tracked') chosen.set(spec.key, int64Tensor([], new BigInt64Array(1)));
      else missing.push(spec.key);
      continue;
    }
    // A stem for other input channels is adapted once the checks pass: compare all but dim 1.
    const otherChannels = spec.key === `${net.stem.conv.name}.weight` && tensor.dtype === 'float32' && tensor.shape.length === 4 && tensor.shape[1] !== spec.shape[1];
    const expectedShape = otherChannels ? spec.shape.map((d, i) => (i === 1 ? tensor!.shape[1] : d)) : spec.shape;
    if (tensor.dtype !== spec.dtype || !sameShape(tensor.shape, expectedShape)) {
      mismatched.push(`${theirName(spec.key)} is ${tensor.dtype} ${formatShape(tensor.shape)}, expected ${spec.dtype} ${formatShape(spec.shape)}`);
      continue;
    }
    if (otherChannels) {
      adaptStem = true;
      notes.push(`stem adapted from ${tensor.shape[1]} to ${spec.shape[1]} input channels`);
    }
    chosen.set(spec.key, tensor);
  }
  const expected = new Set(specs.map((s) => s.key));
  const unexpected = [...source.keys()].filter((k) => !expected.has(k) && !(classifierDiffers && fcKeys.includes(k))).map(theirName);
  const missingNames = missing.map(theirName);
  const report: LoadReport = { family, missing: missingNames, unexpected, mismatched, reinitialized, notes };
  if ((options.strict ?? true) && (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0)) {
    const problems = [
      ...missingNames.map((k) => `missing ${k}`),
      ...unexpected.map((k) => `unexpected ${k}`),
      ...mismatched.map((m) => `wrong shape: ${m}`),
    ];
    throw new WeightLoadError(`The ${family} checkpoint does not fit ${net.config.name} (${problems.length} problems)`, problems);
  }
  // Keys and shapes fit: read the data of the tensors taken, and nothing else.
  const budget = modelBudget(specs.reduce((sum, spec) => sum + shapeSize(spec.shape) * (spec.dtype === 'int64' ? 8 : 4), 0), net.config.name);
  for (const [key, tensor] of chosen) chosen.set(key, materialize(tensor, budget));
  const stemKey = `${net.stem.conv.name}.weight`;
  if (adaptStem) chosen.set(stemKey, adaptStemChannels(chosen.get(stemKey) as Tensor & { dtype: 'float32' }, specs.find((s) => s.key === stemKey)!.shape[1]));
  // In state-dict order, so that fresh tensors draw from the seeded generator in a fixed order.
  const random = new Random(options.seed ?? 0);
  const weights: StateDict = new Map(specs.map((spec) => [spec.key, chosen.get(spec.key) ?? initialTensor(spec, random)]));
  return { weights, report };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Adapts a pretrained stem [O, 3, k, k] to another input channel count as timm does: summed
 * over the channels for one channel, otherwise repeated and rescaled by 3 / channels so that
 * activations keep their scale.
 */
export function adaptStemChannels(weight: Tensor & { dtype: 'float32' }, channels: number): Tensor {
  const [out, inOld, kh, kw] = weight.shape;
  const plane = kh * kw;
  const data = new Float32Array(out * channels * plane);
  for (let o = 0; o < out; o++) {
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < plane; p++) {
        let value = 0;
        if (channels === 1) for (let s = 0; s < inOld; s++) value += weight.data[(o * inOld + s) * plane + p];
        else value = weight.data[(o * inOld + (c % inOld)) * plane + p] * (inOld / channels);
        data[(o * channels + c) * plane + p] = value;
      }
    }
  }
  return floatTensor([out, channels, kh, kw], data);
}

/**
 * Reads the class count, input channels and whether a classifier exists from a checkpoint.
 *
 * @example
 * checkpointShapes(tensors, 'torchvision') // { numClasses: 1000, inChannels: 3, includeTop: true }
 */
export function checkpointShapes(tensors: StateDict, family: KeyFamily): { numClasses?: number; inChannels?: number; includeTop: boolean } {
  const keys = familyKeys(family);
  const fc = tensors.get(keys.fcWeight);
  const stem = tensors.get(keys.stem);
  // Half a classifier is a damaged file, not a headless model (which has neither key).
  const fcBias = keys.fcWeight.replace(/weight$/, 'bias');
  if ((fc === undefined) !== !tensors.has(fcBias)) {
    const [present, absent] = fc === undefined ? [fcBias, keys.fcWeight] : [keys.fcWeight, fcBias];
    throw new WeightLoadError(`The ${family} checkpoint has '${present}' but not '${absent}': a classifier needs both, a headless checkpoint neither`);
  }
  return {
    numClasses: fc?.shape[0],
    inChannels: stem?.shape[1],
    includeTop: fc !== undefined,
  };
}

/**
 * The new running statistics of every training-mode batch-norm layer of a step at once,
 * PyTorch's way: new = (1 − m)·old + m·batch, the variance unbiased (·M/(M − 1), M = N·H·W).
 *
 * Layer by layer that is seven operators on [C] vectors a layer, 343 for b0. On WebGPU each is a
 * kernel dispatch (about 175 µs on an H200, README), far more than its arithmetic. Here every
 * layer's vectors are concatenated into one [ΣC], updated by the same operators in the same order
 * (so the values are bit for bit the per-layer ones), and split into the step's outputs: 58
 * operators for b0's 49 layers.
 *
 * WebGPU binds each input and output of Concat and Split as a storage buffer, and a shader may
 * bind as few as 8 (the spec's minimum; SwiftShader's adapter has no more): so each Concat takes
 * at most 7 inputs and each Split gives at most 7 outputs, in a tree.
 */
import type { LayerStatistics } from './context.js';
import type { Ops } from './ops.js';

/** Inputs of one Concat, outputs of one Split: 8 storage buffers with the other end. */
const FAN = 7;

/**
 * More than FAN `items` in at most FAN consecutive groups of a power of FAN each (the last one
 * shorter), so the tree under them is as shallow and as full as it can be: 49 items are 7 groups
 * of 7, 98 are 49 + 49.
 */
function groups<T>(items: readonly T[]): T[][] {
  let size = 1;
  while (size * FAN < items.length) size *= FAN;
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Where the update reads the old statistics and writes the new ones. */
export interface RunningStatisticsIO {
  /** The current value of a running statistic (`_bn0.running_mean`), a graph input [C]. */
  param(key: string): string;
  /** The output name of a running statistic's new value. */
  outputName(key: string): string;
  /** N, the running batch size, as a float []. */
  readonly batchSize: string;
}

/**
 * Emits the update of every layer's running mean and variance and declares the new values as
 * graph outputs; returns their keys in output order (each layer's mean, then its variance).
 *
 * @example
 * const keys = updateRunningStatistics(ops, layers, { param, outputName: (k) => `new:${k}`, batchSize: n });
 */
export function updateRunningStatistics(ops: Ops, layers: readonly LayerStatistics[], io: RunningStatisticsIO): string[] {
  if (layers.length === 0) return [];
  const g = ops.g;
  const total = layers.reduce((sum, l) => sum + l.bn.channels, 0);
  const perChannel = (prefix: string, value: (l: LayerStatistics) => number) =>
    g.floats(prefix, [total], Float32Array.from(layers.flatMap((l) => new Array<number>(l.bn.channels).fill(value(l)))));
  const concat = (values: readonly string[]): string => { // [ΣC]
    if (values.length === 1) return values[0];
    const parts = values.length <= FAN ? values : groups(values).map(concat);
    return g.node('Concat', parts, { axis: { int: 0 } });
  };
  const keep = perChannel('running.keep', (l) => 1 - l.bn.momentum); // 1 − m
  const momentum = perChannel('running.momentum', (l) => l.bn.momentum); // m
  const count = ops.mul(io.batchSize, perChannel('running.per_sample', (l) => l.perSample)); // M = N·H·W, [ΣC]
  const bessel = g.node('Div', [count, ops.sub(count, ops.scalar(1))]); // M/(M − 1), [ΣC]

  const blend = (role: string, batch: string) => {
    const old = concat(layers.map((l) => io.param(`${l.bn.name}.${role}`)));
    return ops.add(ops.mul(old, keep), ops.mul(batch, momentum)); // [ΣC]
  };
  const means = blend('running_mean', concat(layers.map((l) => l.mean)));
  const variances = blend('running_var', ops.mul(concat(layers.map((l) => l.variance)), bessel));

  // Splits `values` [Σ sizes] into the named outputs, through groups when there are more than FAN.
  const splitInto = (values: string, parts: readonly { name: string; size: number }[]) => {
    if (parts.length <= FAN) {
      const outputs = g.nodeMulti('Split', [values, ops.ints(parts.map((p) => p.size))], parts.length, { axis: { int: 0 } }, parts.map((p) => p.name));
      outputs.forEach((name) => g.output(name));
      return;
    }
    const grouped = groups(parts);
    const sizes = grouped.map((group) => group.reduce((sum, p) => sum + p.size, 0));
    const pieces = g.nodeMulti('Split', [values, ops.ints(sizes)], grouped.length, { axis: { int: 0 } });
    grouped.forEach((group, i) => splitInto(pieces[i], group));
  };
  const split = (values: string, role: string) => {
    const keys = layers.map((l) => `${l.bn.name}.${role}`);
    splitInto(values, layers.map((l, i) => ({ name: io.outputName(keys[i]), size: l.bn.channels })));
    return keys;
  };
  const meanKeys = split(means, 'running_mean');
  const varianceKeys = split(variances, 'running_var');
  return layers.flatMap((_, i) => [meanKeys[i], varianceKeys[i]]);
}

/**
 * Checkpoint key names of the three PyTorch families, as declarative tables from our modules
 * (the reference's names) to theirs. Renaming is a module-prefix substitution; the tensor role
 * (`weight`, `running_var`, ...) never changes.
 */
import type { NetworkSpec } from '../arch/network.js';
import { WeightLoadError, oneOf } from '../errors.js';
import type { StateDict } from './tensor.js';

export type KeyFamily = 'lukemelas' | 'torchvision' | 'timm';
export const KEY_FAMILIES: readonly KeyFamily[] = ['lukemelas', 'torchvision', 'timm'];

type NetSlot = 'stem.conv' | 'stem.bn' | 'head.conv' | 'head.bn' | 'fc';
type BlockSlot = 'expand.conv' | 'expand.bn' | 'depthwise.conv' | 'depthwise.bn' | 'se.reduce' | 'se.expand' | 'project.conv' | 'project.bn';

interface FamilyTable {
  readonly net: Record<NetSlot, string>;
  /** MBConv block modules when the block has an expansion convolution. */
  readonly expanded: Record<BlockSlot, string>;
  /** MBConv block modules without one (expand ratio 1); expansion slots unused. */
  readonly plain: Partial<Record<BlockSlot, string>>;
  /** Fused-MBConv block modules: the k×k expansion and the projection (ratio > 1). */
  readonly fused: Partial<Record<BlockSlot, string>>;
  /** Fused-MBConv at ratio 1: the k×k convolution alone (in the `expand` slot). */
  readonly fusedPlain: Partial<Record<BlockSlot, string>>;
}

// Placeholders: {b} global block index, {s} stage, {s1} stage + 1, {j} index within the stage,
// {head} index of torchvision's head module (stages + 1).
const LUKEMELAS_BLOCK: Record<BlockSlot, string> = {
  'expand.conv': '_blocks.{b}._expand_conv', 'expand.bn': '_blocks.{b}._bn0',
  'depthwise.conv': '_blocks.{b}._depthwise_conv', 'depthwise.bn': '_blocks.{b}._bn1',
  'se.reduce': '_blocks.{b}._se_reduce', 'se.expand': '_blocks.{b}._se_expand',
  'project.conv': '_blocks.{b}._project_conv', 'project.bn': '_blocks.{b}._bn2',
};

const TABLES: Record<KeyFamily, FamilyTable> = {
  lukemelas: {
    net: { 'stem.conv': '_conv_stem', 'stem.bn': '_bn0', 'head.conv': '_conv_head', 'head.bn': '_bn1', fc: '_fc' },
    expanded: LUKEMELAS_BLOCK,
    plain: LUKEMELAS_BLOCK,
    // The reference has no V2; our own module names stand in for it.
    fused: LUKEMELAS_BLOCK,
    fusedPlain: LUKEMELAS_BLOCK,
  },
  torchvision: {
    net: { 'stem.conv': 'features.0.0', 'stem.bn': 'features.0.1', 'head.conv': 'features.{head}.0', 'head.bn': 'features.{head}.1', fc: 'classifier.1' },
    expanded: {
      'expand.conv': 'features.{s1}.{j}.block.0.0', 'expand.bn': 'features.{s1}.{j}.block.0.1',
      'depthwise.conv': 'features.{s1}.{j}.block.1.0', 'depthwise.bn': 'features.{s1}.{j}.block.1.1',
      'se.reduce': 'features.{s1}.{j}.block.2.fc1', 'se.expand': 'features.{s1}.{j}.block.2.fc2',
      'project.conv': 'features.{s1}.{j}.block.3.0', 'project.bn': 'features.{s1}.{j}.block.3.1',
    },
    plain: {
      'depthwise.conv': 'features.{s1}.{j}.block.0.0', 'depthwise.bn': 'features.{s1}.{j}.block.0.1',
      'se.reduce': 'features.{s1}.{j}.block.1.fc1', 'se.expand': 'features.{s1}.{j}.block.1.fc2',
      'project.conv': 'features.{s1}.{j}.block.2.0', 'project.bn': 'features.{s1}.{j}.block.2.1',
    },
    // torchvision's FusedMBConv.
    fused: {
      'expand.conv': 'features.{s1}.{j}.block.0.0', 'expand.bn': 'features.{s1}.{j}.block.0.1',
      'project.conv': 'features.{s1}.{j}.block.1.0', 'project.bn': 'features.{s1}.{j}.block.1.1',
    },
    fusedPlain: { 'expand.conv': 'features.{s1}.{j}.block.0.0', 'expand.bn': 'features.{s1}.{j}.block.0.1' },
  },
  timm: {
    net: { 'stem.conv': 'conv_stem', 'stem.bn': 'bn1', 'head.conv': 'conv_head', 'head.bn': 'bn2', fc: 'classifier' },
    expanded: {
      'expand.conv': 'blocks.{s}.{j}.conv_pw', 'expand.bn': 'blocks.{s}.{j}.bn1',
      'depthwise.conv': 'blocks.{s}.{j}.conv_dw', 'depthwise.bn': 'blocks.{s}.{j}.bn2',
      'se.reduce': 'blocks.{s}.{j}.se.conv_reduce', 'se.expand': 'blocks.{s}.{j}.se.conv_expand',
      'project.conv': 'blocks.{s}.{j}.conv_pwl', 'project.bn': 'blocks.{s}.{j}.bn3',
    },
    // timm's DepthwiseSeparableConv (expand ratio 1).
    plain: {
      'depthwise.conv': 'blocks.{s}.{j}.conv_dw', 'depthwise.bn': 'blocks.{s}.{j}.bn1',
      'se.reduce': 'blocks.{s}.{j}.se.conv_reduce', 'se.expand': 'blocks.{s}.{j}.se.conv_expand',
      'project.conv': 'blocks.{s}.{j}.conv_pw', 'project.bn': 'blocks.{s}.{j}.bn2',
    },
    // timm's EdgeResidual (`er`) and ConvBnAct (`cn`).
    fused: {
      'expand.conv': 'blocks.{s}.{j}.conv_exp', 'expand.bn': 'blocks.{s}.{j}.bn1',
      'project.conv': 'blocks.{s}.{j}.conv_pwl', 'project.bn': 'blocks.{s}.{j}.bn2',
    },
    fusedPlain: { 'expand.conv': 'blocks.{s}.{j}.conv', 'expand.bn': 'blocks.{s}.{j}.bn1' },
  },
};

/** A key that only one family has: how a checkpoint's family is recognised. */
const MARKERS: Record<KeyFamily, RegExp> = {
  lukemelas: /^_conv_stem\.weight$/,
  torchvision: /^features\.0\.0\.weight$/,
  timm: /^conv_stem\.weight$/,
};

/**
 * Our module names (the reference's) → the family's module names, for one network.
 *
 * @example
 * moduleNameMap(net, 'torchvision').get('_blocks.0._depthwise_conv') // 'features.1.0.block.0.0'
 */
export function moduleNameMap(net: NetworkSpec, family: KeyFamily): Map<string, string> {
  const table = TABLES[family];
  const head = String(net.config.stages.length + 1);
  const fill = (template: string, vars: Record<string, number | string>) => template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name]));
  const map = new Map<string, string>();
  map.set(net.stem.conv.name, fill(table.net['stem.conv'], { head }));
  map.set(net.stem.bn.name, fill(table.net['stem.bn'], { head }));
  const firstInStage = new Map<number, number>();
  for (const block of net.blocks) {
    if (!firstInStage.has(block.stage)) firstInStage.set(block.stage, block.index);
    const vars = { b: block.index, s: block.stage, s1: block.stage + 1, j: block.index - firstInStage.get(block.stage)! };
    const slots = block.kind === 'fused'
      ? (block.project ? table.fused : table.fusedPlain)
      : (block.expand ? table.expanded : table.plain);
    const add = (ours: string, slot: BlockSlot) => map.set(ours, fill(slots[slot]!, vars));
    if (block.expand) { add(block.expand.conv.name, 'expand.conv'); add(block.expand.bn.name, 'expand.bn'); }
    if (block.depthwise) { add(block.depthwise.conv.name, 'depthwise.conv'); add(block.depthwise.bn.name, 'depthwise.bn'); }
    if (block.se) { add(block.se.reduce.name, 'se.reduce'); add(block.se.expand.name, 'se.expand'); }
    if (block.project) { add(block.project.conv.name, 'project.conv'); add(block.project.bn.name, 'project.bn'); }
  }
  map.set(net.head.conv.name, fill(table.net['head.conv'], { head }));
  map.set(net.head.bn.name, fill(table.net['head.bn'], { head }));
  if (net.fc) map.set(net.fc.name, table.net.fc);
  return map;
}

/** Splits `a.b.c.weight` into module `a.b.c` and role `weight`. */
function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

/**
 * A function renaming single keys between families. Keys the network does not know come back
 * unchanged (so that loading can report them as unexpected).
 *
 * @example
 * keyRenamer(net, 'lukemelas', 'timm')('_bn0.weight') // 'bn1.weight'
 */
export function keyRenamer(net: NetworkSpec, from: KeyFamily, to: KeyFamily): (key: string) => string {
  if (from === to) return (key) => key;
  const theirs = moduleNameMap(net, to);
  const fromToOurs = new Map([...moduleNameMap(net, from)].map(([o, f]) => [f, o]));
  return (key) => {
    const [module, role] = splitKey(key);
    const canonical = fromToOurs.get(module);
    return canonical !== undefined ? `${theirs.get(canonical)}.${role}` : key;
  };
}

/**
 * Renames a state dict between families (see {@link keyRenamer}).
 *
 * @example
 * const tv = renameStateDict(weights, net, 'lukemelas', 'torchvision');
 */
export function renameStateDict(tensors: StateDict, net: NetworkSpec, from: KeyFamily, to: KeyFamily): StateDict {
  const rename = keyRenamer(net, from, to);
  return new Map([...tensors].map(([key, tensor]) => [rename(key), tensor]));
}

/**
 * Recognises a checkpoint's key family from its keys.
 *
 * @example
 * detectKeyFamily(['_conv_stem.weight', '_bn0.weight']) // 'lukemelas'
 */
export function detectKeyFamily(keys: Iterable<string>): KeyFamily {
  const list = [...keys];
  for (const family of KEY_FAMILIES) if (list.some((k) => MARKERS[family].test(k))) return family;
  const sample = list.slice(0, 3).map((k) => `'${k}'`).join(', ');
  throw new WeightLoadError(`Cannot tell which EfficientNet checkpoint family these ${list.length} keys (${sample}${list.length > 3 ? ', ...' : ''}) belong to. Expected the stem key of ${oneOf(KEY_FAMILIES)}: ${oneOf(['_conv_stem.weight', 'features.0.0.weight', 'conv_stem.weight'])}`);
}

/** The family's key for the stem weight and classifier (used to read class and channel counts). */
export function familyKeys(family: KeyFamily): { stem: string; fcWeight: string } {
  return { stem: `${TABLES[family].net['stem.conv']}.weight`, fcWeight: `${TABLES[family].net.fc}.weight` };
}

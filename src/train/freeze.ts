/**
 * Which parts of the network train: everything, the classifier only, or the last N stages
 * plus the head and classifier. Frozen parts run as inference (batch norm folded) and get no
 * backward work.
 */
import type { NetworkSpec } from '../arch/network.js';
import { stateDictSpec } from '../arch/parameters.js';
import { ConfigError } from '../errors.js';

export type FreezeSpec = 'none' | 'head' | { readonly stages: number };

export interface TrainablePart {
  /** Index of the first block that trains (blocks.length when no block trains). */
  readonly firstBlock: number;
  /** Whether the stem trains (only when nothing is frozen). */
  readonly stem: boolean;
  /** Whether the head convolution and its batch norm train. */
  readonly head: boolean;
  /** Trainable parameter keys in state-dict order. */
  readonly keys: readonly string[];
}

/**
 * Resolves a freeze choice against a network.
 *
 * @example
 * trainablePart(net, { stages: 2 }).firstBlock // 11 for b0
 */
export function trainablePart(net: NetworkSpec, freeze: FreezeSpec = 'none'): TrainablePart {
  const stageCount = net.config.stages.length;
  let firstBlock = 0;
  let head = true;
  if (freeze === 'head') {
    if (!net.fc) throw new ConfigError(`freeze 'head' trains only the classifier, but ${net.config.name} was built without one`);
    firstBlock = net.blocks.length;
    head = false;
  } else if (typeof freeze === 'object') {
    const n = freeze.stages;
    if (!Number.isInteger(n) || n < 0 || n > stageCount) throw new ConfigError(`freeze stages ${n} should be an integer from 0 to ${stageCount}`);
    const firstStage = stageCount - n;
    const index = net.blocks.findIndex((b) => b.stage >= firstStage);
    firstBlock = index === -1 ? net.blocks.length : index;
  } else if (freeze !== 'none') {
    throw new ConfigError(`Invalid freeze ${JSON.stringify(freeze)}. Should be one of: 'none', 'head' or { stages: N }`);
  }
  const trainsModule = (module: string): boolean => {
    if (module === net.fc?.name) return true;
    if (module === net.head.conv.name || module === net.head.bn.name) return head;
    const match = /^_blocks\.(\d+)\./.exec(module);
    if (match) return Number(match[1]) >= firstBlock;
    return freeze === 'none'; // the stem is no stage: it trains only when nothing is frozen
  };
  const keys = stateDictSpec(net).filter((p) => p.trainable && trainsModule(p.module)).map((p) => p.key);
  return { firstBlock, stem: freeze === 'none', head, keys };
}

/**
 * Parses the CLI form: `none`, `head` or `stages:N`.
 *
 * @example
 * parseFreeze('stages:2') // { stages: 2 }
 */
export function parseFreeze(text: string): FreezeSpec {
  if (text === 'none' || text === 'head') return text;
  const match = /^stages:(\d+)$/.exec(text);
  if (!match) throw new ConfigError(`Invalid freeze '${text}'. Should be one of: 'none', 'head' or 'stages:N'`);
  return { stages: Number(match[1]) };
}

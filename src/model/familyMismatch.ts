/**
 * What a weight family's own code would compute differently from our network: torchvision
 * builds EfficientNet with symmetric padding and its own batch-norm epsilon, so weights trained
 * with TF "same" padding (or another epsilon) load there strictly yet give other logits.
 */
import type { EfficientNetConfig } from '../arch/config.js';
import { familyDefaults } from './checkpointConfig.js';
import { ConfigError } from '../errors.js';
import type { KeyFamily } from '../weights/keymaps.js';
import { V2_VARIANT_NAMES } from '../arch/variants.js';
import { hasFamilyTransform } from '../weights/families.js';

/**
 * The V2 variants torchvision 0.14 builds (`efficientnet_v2_s/m/l`): the ones its families row
 * has a transform for. The others (B0–B3, XL: timm only) have no torchvision model to load into.
 *
 * @example
 * torchvisionHasV2('efficientnet-v2-b0') // false
 */
export function torchvisionHasV2(name: string): boolean {
  return hasFamilyTransform('torchvision', name);
}

/**
 * The settings torchvision would change for a network, in words; empty when it matches.
 *
 * @example
 * torchvisionChanges(resolveConfig('efficientnet-b0')) // ['padding "same" → symmetric', 'batch-norm epsilon 0.001 → 0.00001']
 */
export function torchvisionChanges(config: EfficientNetConfig): string[] {
  const theirs = familyDefaults('torchvision', config.name);
  const changes: string[] = [];
  if (config.padding !== theirs.padding) changes.push(`padding "${config.padding}" → ${theirs.padding}`);
  if (config.batchNormEpsilon !== theirs.batchNormEpsilon) changes.push(`batch-norm epsilon ${config.batchNormEpsilon} → ${theirs.batchNormEpsilon}`);
  return changes;
}

/**
 * Refuses to write a family's key names for weights that family's code would run differently,
 * unless forced; the message says exactly what changes. torchvision names for a V2 variant
 * torchvision does not build are refused even when forced: no torchvision model takes them.
 *
 * @example
 * checkFamilyFits(net.config, 'torchvision', { force: false, flag: '--force' }); // throws for "same"-padding weights
 */
export function checkFamilyFits(config: EfficientNetConfig, family: KeyFamily, { force, flag }: { force?: boolean; flag: string }): void {
  if (family !== 'torchvision') return;
  if (V2_VARIANT_NAMES.includes(config.name) && !torchvisionHasV2(config.name)) {
    const built = V2_VARIANT_NAMES.filter(torchvisionHasV2).join(', ');
    throw new ConfigError(`torchvision has no ${config.name} (its EfficientNetV2 models are ${built}), so there are no torchvision key names for it. ` +
      `Write timm's names (tf_efficientnetv2_*) or the reference's (lukemelas) instead`);
  }
  if (force) return;
  const changes = torchvisionChanges(config);
  if (changes.length === 0) return;
  throw new ConfigError(`torchvision would load these ${config.name} weights strictly but compute different logits: its network changes ${changes.join(' and ')}. ` +
    `Write them anyway with ${flag}, or keep the reference's key names (lukemelas) or timm's (tf_ models use "same" padding)`);
}

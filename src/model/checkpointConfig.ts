/**
 * Which network a checkpoint needs: the variant (named, stored in the file, or recognised from
 * the tensor shapes), its class count and input channels, and the padding and batch-norm
 * settings that the weight family was trained with.
 */
import { type EfficientNetOptions, resolveConfig } from '../arch/config.js';
import { buildNetwork, type NetworkSpec } from '../arch/network.js';
import { getVariant, PUBLISHED_VARIANTS } from '../arch/variants.js';
import { ConfigError, WeightLoadError } from '../errors.js';
import { familyNetworkSettings, familyOf } from '../weights/families.js';
import { type KeyFamily, detectKeyFamily, familyKeys } from '../weights/keymaps.js';
import { checkpointShapes, loadStateDict } from '../weights/load.js';
import type { StateDict } from '../weights/tensor.js';
import type { ModelMetadata } from './modelFile.js';

export interface CheckpointNetworkOptions extends EfficientNetOptions {
  /** Variant name in any spelling (`efficientnet-b0`, `efficientnet_b0`, `tf_efficientnet_b0`). */
  model?: string;
  family?: KeyFamily;
}

/**
 * Padding and batch norm a checkpoint's family was trained with (the families table's row;
 * timm names decide for timm: `tf_efficientnet_bX` is a TF port, `efficientnet_bX` PyTorch).
 *
 * @example
 * familyDefaults('torchvision', 'efficientnet_b0') // { padding: 'symmetric', batchNormEpsilon: 1e-5, batchNormMomentum: 0.1 }
 */
export function familyDefaults(family: KeyFamily, modelName: string | undefined): Pick<EfficientNetOptions, 'padding' | 'batchNormEpsilon' | 'batchNormMomentum'> {
  return familyNetworkSettings(familyOf(family, modelName), modelName);
}

/**
 * The network for a checkpoint, with the user's options taking precedence over the file's
 * metadata, and both over what the shapes and the family say.
 *
 * @example
 * const { network, family } = networkForCheckpoint(tensors, { numClasses: 10 });
 */
export function networkForCheckpoint(tensors: StateDict, options: CheckpointNetworkOptions = {}, metadata?: ModelMetadata): { network: NetworkSpec; family: KeyFamily } {
  const family = options.family ?? detectKeyFamily(tensors.keys());
  const shapes = checkpointShapes(tensors, family);
  const given = definedOnly(options);
  const shapeOptions: EfficientNetOptions = { numClasses: shapes.numClasses, inChannels: shapes.inChannels, includeTop: shapes.includeTop };
  const nameHint = options.model ?? metadata?.model;
  // Lowest precedence first: the family's settings (which can depend on the variant's name),
  // the file's metadata, the tensor shapes, then what the caller gave.
  const layered = (name: string | undefined): EfficientNetOptions => ({
    ...familyDefaults(family, name), ...definedOnly(metadata?.options ?? {}), ...definedOnly(shapeOptions), ...given,
  });
  const model = nameHint !== undefined ? getVariant(nameHint).name : inferVariant(tensors, family, layered(undefined));
  const merged = layered(nameHint ?? model);
  return { network: buildNetwork(resolveConfig(model, merged)), family };
}

/** Finds the published variant whose every tensor shape matches the checkpoint. */
function inferVariant(tensors: StateDict, family: KeyFamily, options: EfficientNetOptions): string {
  for (const variant of PUBLISHED_VARIANTS) {
    const network = buildNetwork(resolveConfig(variant, { ...options, imageSize: variant.resolution }));
    try {
      loadStateDict(network, network.fc ? tensors : withoutClassifier(tensors, family), { family, strict: true });
      return variant.name;
    } catch (error) {
      if (!(error instanceof WeightLoadError)) throw error;
    }
  }
  throw new ConfigError(`The ${family} checkpoint (${tensors.size} tensors) matches none of the published variants; name one with the model option`);
}

/** The checkpoint without its classifier (for networks built with includeTop: false). */
export function withoutClassifier(tensors: StateDict, family: KeyFamily): StateDict {
  const prefix = familyKeys(family).fcWeight.replace(/weight$/, '');
  return new Map([...tensors].filter(([key]) => !key.startsWith(prefix)));
}

/** Drops keys whose value is undefined, so that spreading options never erases a default. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

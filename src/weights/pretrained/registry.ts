/**
 * Published weight sets, as data: where each file lives, how to check it, its weight family
 * (whose row in src/weights/families.ts gives its key names, padding, batch norm and evaluation
 * transform), its parameter count and published ImageNet top-1. Keyed `source:name`
 * (`lukemelas:efficientnet-b0`, `advprop:efficientnet-b8`,
 * `torchvision:efficientnet_b1.IMAGENET1K_V2`, `timm:tf_efficientnet_b0.ns_jft_in1k`).
 *
 * Hashes: every file name ends in `-<hex>.pth`, the leading digits of the file's SHA-256, as
 * torch.hub checks them; the full digest is given where it is published.
 */
import { ConfigError, oneOf } from '../../errors.js';
import type { PaddingStyle } from '../../arch/padding.js';
import type { KeyFamily } from '../keymaps.js';
import { canonicalVariantName } from '../../arch/variants.js';
import { buildNetwork } from '../../arch/network.js';
import { resolveConfig } from '../../arch/config.js';
import { countParameters } from '../../arch/parameters.js';
import type { PreprocessConfig } from '../preprocessConfig.js';
import { type WeightFamilyName, familyNetworkSettings, familyTransform, weightFamily } from '../families.js';

export const WEIGHT_SOURCES = ['lukemelas', 'advprop', 'torchvision', 'timm'] as const;
export type WeightSource = (typeof WEIGHT_SOURCES)[number];

export interface PretrainedEntry {
  /** `source:name`, the registry key. */
  readonly tag: string;
  readonly source: WeightSource;
  /** Our variant name, e.g. `efficientnet-b0`. */
  readonly arch: string;
  readonly url: string;
  /** The file's name in the cache (the URL's last segment). */
  readonly fileName: string;
  /** Lower-case hex SHA-256: the full digest, or its leading digits as published in the file name. */
  readonly sha256: string;
  /** The row of src/weights/families.ts these weights belong to; the next five fields come from it. */
  readonly family: WeightFamilyName;
  readonly keyFamily: KeyFamily;
  readonly padding: PaddingStyle;
  readonly batchNormEpsilon: number;
  /** The momentum fine-tuning updates the running statistics with (the family's, as a file of the same family loads with). */
  readonly batchNormMomentum: number;
  readonly preprocess: PreprocessConfig;
  readonly numClasses: number;
  /** Learnable parameters (PyTorch's count, as torchvision's `num_params` gives it). */
  readonly parameters: number;
  /** ImageNet-1k top-1 accuracy in percent as the source publishes it; undefined where it does not. */
  readonly top1: number | undefined;
}

const LUKEMELAS_BASE = 'https://github.com/lukemelas/EfficientNet-PyTorch/releases/download/1.0/';
const TORCHVISION_BASE = 'https://download.pytorch.org/models/';
const TIMM_BASE = 'https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights/';
/** The timm files its default_cfgs list under the repository's newer name. */
const TIMM_HF_BASE = 'https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-weights/';
const TIMM_ON_HF = /^tf_efficientnet_(b5_aa|b7_aa|b\d)-/;

interface EntryRow {
  readonly arch: string;
  readonly family: WeightFamilyName;
  /** The family's release whose transform applies (`default` unless the source published several). */
  readonly release?: string;
  readonly top1?: number;
}

function entry(source: WeightSource, name: string, url: string, { arch, family, release = 'default', top1 }: EntryRow): PretrainedEntry {
  const fileName = url.slice(url.lastIndexOf('/') + 1);
  const hash = /-([0-9a-f]{8,64})\.pth$/.exec(fileName);
  if (!hash) throw new Error(`registry URL ${url} has no hash in its file name`); // a bug in this table, caught by the tests
  const { padding, batchNormEpsilon, batchNormMomentum } = familyNetworkSettings(family, arch);
  return {
    tag: `${source}:${name}`, source, arch, url, fileName, sha256: hash[1],
    family, keyFamily: weightFamily(family).keyFamily, padding, batchNormEpsilon, batchNormMomentum, preprocess: familyTransform(family, arch, release),
    numClasses: 1000, get parameters() { return parameterCount(arch); }, top1,
  };
}

const parameterCounts = new Map<string, number>();
/** Counted from the architecture on first use (every entry has 1000 classes), not at import. */
function parameterCount(arch: string): number {
  let count = parameterCounts.get(arch);
  if (count === undefined) parameterCounts.set(arch, (count = countParameters(buildNetwork(resolveConfig(arch)))));
  return count;
}

// lukemelas/EfficientNet-PyTorch, with its README's top-1 (none published for AdvProp or b8).
//                 variant  file hash   advprop hash  top-1
const LUKEMELAS: [string, string | undefined, string, number | undefined][] = [
  ['b0', '355c32eb', 'b64d5a18', 76.3], ['b1', 'f1951068', '0f3ce85a', 78.8], ['b2', '8bb594d6', '6e9d97e5', 79.8],
  ['b3', '5fb5a3c3', 'cdd7c0f4', 81.1], ['b4', '6ed6700e', '44fb3a87', 82.6], ['b5', 'b6417697', '86493f6b', 83.3],
  ['b6', 'c76e70fd', 'ac80338e', 84.0], ['b7', 'dcc49843', '4652b6dd', 84.4], ['b8', undefined, '22a8fe65', undefined],
];

const lukemelas = LUKEMELAS.flatMap(([tag, plain, advprop, top1]) => {
  const arch = `efficientnet-${tag}`;
  return [
    ...(plain ? [entry('lukemelas', arch, `${LUKEMELAS_BASE}${arch}-${plain}.pth`, { arch, family: 'lukemelas', top1 })] : []),
    entry('advprop', arch, `${LUKEMELAS_BASE}adv-${arch}-${advprop}.pth`, { arch, family: 'advprop' }),
  ];
});

// torchvision 0.14 weight enums, with their acc@1.
//                  name                           file                                      top-1
const TORCHVISION: [string, string, number][] = [
  ['efficientnet_b0.IMAGENET1K_V1', 'efficientnet_b0_rwightman-3dd342df.pth', 77.692],
  ['efficientnet_b1.IMAGENET1K_V1', 'efficientnet_b1_rwightman-533bc792.pth', 78.642],
  ['efficientnet_b1.IMAGENET1K_V2', 'efficientnet_b1-c27df63c.pth', 79.838],
  ['efficientnet_b2.IMAGENET1K_V1', 'efficientnet_b2_rwightman-bcdf34b7.pth', 80.608],
  ['efficientnet_b3.IMAGENET1K_V1', 'efficientnet_b3_rwightman-cf984f9c.pth', 82.008],
  ['efficientnet_b4.IMAGENET1K_V1', 'efficientnet_b4_rwightman-7eb33cd5.pth', 83.384],
  ['efficientnet_b5.IMAGENET1K_V1', 'efficientnet_b5_lukemelas-b6417697.pth', 83.444],
  ['efficientnet_b6.IMAGENET1K_V1', 'efficientnet_b6_lukemelas-c76e70fd.pth', 84.008],
  ['efficientnet_b7.IMAGENET1K_V1', 'efficientnet_b7_lukemelas-dcc49843.pth', 84.122],
  ['efficientnet_v2_s.IMAGENET1K_V1', 'efficientnet_v2_s-dd5fe13b.pth', 84.228],
  ['efficientnet_v2_m.IMAGENET1K_V1', 'efficientnet_v2_m-dc08266a.pth', 85.112],
  ['efficientnet_v2_l.IMAGENET1K_V1', 'efficientnet_v2_l-59c71312.pth', 85.808],
];

const torchvision = TORCHVISION.map(([name, file, top1]) => {
  const arch = canonicalVariantName(name.split('.')[0]);
  return entry('torchvision', name, `${TORCHVISION_BASE}${file}`, { arch, family: 'torchvision', release: name.endsWith('_V2') ? 'v2' : 'default', top1 });
});

// timm's TF ports (`tf_` models); the AdvProp (`ap`) weights use mean = std = 0.5. No top-1 here:
// timm publishes its figures in result tables outside these configs.
//              weights   file suffix  variants with their hash
const TIMM: [string, string, Record<string, string>][] = [
  ['aa_in1k', '_aa', { b0: '827b6e33', b1: 'ea7a6ee0', b2: '60c94f97', b3: '84b4657e', b4: '818f208c', b5: '99018a74', b6: '80ba17e4', b7: '076e3472' }],
  ['in1k', '', { b0: '0af12548', b1: '5c1377c4', b2: 'e393ef04', b3: 'e3bd6955', b4: '74ee3bed', b5: 'c6949ce9' }],
  ['ap_in1k', '_ap', { b0: 'f262efe1', b1: '44ef0a3d', b2: '2f8e7636', b3: 'aad25bdd', b4: 'dedb23e6', b5: '9e82fae8', b6: '4ffb161f', b7: 'ddb28fec', b8: '00e169fa' }],
  ['ns_jft_in1k', '_ns', { b0: 'c0e6a31c', b1: '99dd0c41', b2: '00306e48', b3: '9d44bf68', b4: 'd6313a46', b5: '6f26d0cf', b6: '51548356', b7: '1dbc32de', l2: 'df73bb44' }],
  ['ra_in1k', '_ra', { b5: '9a3e5369', b7: '6c08e654', b8: '572d5dd9' }],
];

const timm = TIMM.flatMap(([weights, suffix, hashes]) => Object.entries(hashes).map(([tag, hash]) => {
  const file = `tf_efficientnet_${tag}${suffix}-${hash}.pth`;
  return entry('timm', `tf_efficientnet_${tag}.${weights}`, `${TIMM_ON_HF.test(file) ? TIMM_HF_BASE : TIMM_BASE}${file}`, {
    arch: `efficientnet-${tag}`, family: 'timm-tf', release: weights === 'ap_in1k' ? 'ap' : 'default',
  });
}));

// timm's `tf_efficientnetv2_*` ports with 1000 classes (the in21k ones have 21843 and are left out).
//                    weights                          file
const TIMM_V2_BASE = 'https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-effv2-weights/';
const TIMM_V2: [string, string][] = [
  ['tf_efficientnetv2_s.in21k_ft_in1k', 'tf_efficientnetv2_s_21ft1k-d7dafa41.pth'],
  ['tf_efficientnetv2_m.in21k_ft_in1k', 'tf_efficientnetv2_m_21ft1k-bf41664a.pth'],
  ['tf_efficientnetv2_l.in21k_ft_in1k', 'tf_efficientnetv2_l_21ft1k-60127a9d.pth'],
  ['tf_efficientnetv2_xl.in21k_ft_in1k', 'tf_efficientnetv2_xl_in21ft1k-06c35c48.pth'],
  ['tf_efficientnetv2_s.in1k', 'tf_efficientnetv2_s-eb54923e.pth'],
  ['tf_efficientnetv2_m.in1k', 'tf_efficientnetv2_m-cc09e0cd.pth'],
  ['tf_efficientnetv2_l.in1k', 'tf_efficientnetv2_l-d664b728.pth'],
  ['tf_efficientnetv2_b0.in1k', 'tf_efficientnetv2_b0-c7cc451f.pth'],
  ['tf_efficientnetv2_b1.in1k', 'tf_efficientnetv2_b1-be6e41b0.pth'],
  ['tf_efficientnetv2_b2.in1k', 'tf_efficientnetv2_b2-847de54e.pth'],
  ['tf_efficientnetv2_b3.in1k', 'tf_efficientnetv2_b3-57773f13.pth'],
];

const timmV2 = TIMM_V2.map(([name, file]) => entry('timm', name, `${TIMM_V2_BASE}${file}`, { arch: canonicalVariantName(name.split('.')[0]), family: 'timm-tf' }));

/** Every published weight set, by tag. */
export const PRETRAINED: ReadonlyMap<string, PretrainedEntry> = new Map([...lukemelas, ...torchvision, ...timm, ...timmV2].map((e) => [e.tag, e]));

/**
 * Looks a weight set up by tag. `lukemelas:` and `advprop:` also take any spelling of the
 * variant (`lukemelas:b0`).
 *
 * @example
 * getPretrained('lukemelas:efficientnet-b0').preprocess.crop // [224, 224]
 */
export function getPretrained(tag: string): PretrainedEntry {
  const found = PRETRAINED.get(tag);
  if (found) return found;
  const [source, name = ''] = tag.split(':', 2);
  const alias = PRETRAINED.get(`${source}:${canonicalVariantName(name)}`);
  if (alias) return alias;
  const sameSource = [...PRETRAINED.keys()].filter((t) => t.startsWith(`${source}:`));
  const sources = [...new Set([...PRETRAINED.values()].map((e) => e.source))];
  throw new ConfigError(sameSource.length > 0
    ? `Unknown pretrained weights '${tag}'. Should be one of: ${oneOf(sameSource)}`
    : `Unknown pretrained weights '${tag}': the source should be ${oneOf(sources)}, as in 'lukemelas:efficientnet-b0'`);
}

/**
 * The weight sets published for one of our variants.
 *
 * @example
 * pretrainedFor('efficientnet-b8').map((e) => e.tag) // ['advprop:efficientnet-b8', 'timm:tf_efficientnet_b8.ap_in1k', ...]
 */
export function pretrainedFor(arch: string): PretrainedEntry[] {
  const canonical = canonicalVariantName(arch);
  return [...PRETRAINED.values()].filter((e) => e.arch === canonical);
}

/**
 * Which weights a variant name means for a source whose tags name weight sets
 * (`torchvision:efficientnet_b0.IMAGENET1K_V1`): torchvision's `DEFAULT` enum member, and the
 * first weights timm's `default_cfgs` lists for the architecture (its default pretrained tag).
 */
const DEFAULT_WEIGHTS: Record<string, readonly string[]> = {
  torchvision: ['IMAGENET1K_V2', 'IMAGENET1K_V1'],
  timm: ['in21k_ft_in1k', 'ns_jft_in1k', 'ap_in1k', 'ra_in1k', 'aa_in1k', 'in1k'],
};

/**
 * The registry entry for `source:model`, where `model` is a tag of that source or a variant name.
 *
 * @example
 * resolvePretrained('efficientnet-b0', 'torchvision').tag // 'torchvision:efficientnet_b0.IMAGENET1K_V1'
 */
export function resolvePretrained(model: string, source: string): PretrainedEntry {
  const preference = DEFAULT_WEIGHTS[source];
  if (preference) {
    const candidates = pretrainedFor(model).filter((e) => e.source === source);
    const rank = (e: PretrainedEntry) => preference.indexOf(e.tag.slice(e.tag.lastIndexOf('.') + 1));
    const best = candidates.sort((a, b) => rank(a) - rank(b))[0];
    if (best) return best;
  }
  return getPretrained(`${source}:${model}`);
}

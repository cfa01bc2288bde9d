/**
 * Published weight sets, as data: where each file lives, how to check it, which key names and
 * padding it was trained with, and the evaluation transform it expects. Keyed `source:name`
 * (`lukemelas:efficientnet-b0`, `advprop:efficientnet-b8`,
 * `torchvision:efficientnet_b1.IMAGENET1K_V2`, `timm:tf_efficientnet_b0.ns_jft_in1k`).
 *
 * Hashes: every file name ends in `-<hex>.pth`, the leading digits of the file's SHA-256, as
 * torch.hub checks them; the full digest is given where it is published.
 */
import { ConfigError, oneOf } from '../../errors.js';
import type { PaddingStyle } from '../../arch/padding.js';
import type { KeyFamily } from '../keymaps.js';
import { canonicalVariantName, getVariant } from '../../arch/variants.js';
import { IMAGENET_MEAN, IMAGENET_STD, type Interpolation, type PreprocessConfig } from '../../data/preprocessConfig.js';

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
  readonly keyFamily: KeyFamily;
  readonly padding: PaddingStyle;
  readonly batchNormEpsilon: number;
  readonly numClasses: number;
  readonly preprocess: PreprocessConfig;
}

const LUKEMELAS_BASE = 'https://github.com/lukemelas/EfficientNet-PyTorch/releases/download/1.0/';
const TORCHVISION_BASE = 'https://download.pytorch.org/models/';
const TIMM_BASE = 'https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights/';
/** The timm files its default_cfgs list under the repository's newer name. */
const TIMM_HF_BASE = 'https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-weights/';
const TIMM_ON_HF = /^tf_efficientnet_(b5_aa|b7_aa|b\d)-/;
const INCEPTION_MEAN = [0.5, 0.5, 0.5] as const;
const INCEPTION_STD = [0.5, 0.5, 0.5] as const;

function entry(source: WeightSource, name: string, url: string, rest: Omit<PretrainedEntry, 'tag' | 'source' | 'url' | 'fileName' | 'sha256'>): PretrainedEntry {
  const fileName = url.slice(url.lastIndexOf('/') + 1);
  const hash = /-([0-9a-f]{8,64})\.pth$/.exec(fileName);
  if (!hash) throw new Error(`registry URL ${url} has no hash in its file name`); // a bug in this table, caught by the tests
  return { tag: `${source}:${name}`, source, url, fileName, sha256: hash[1], ...rest };
}

const preprocess = (resize: number, crop: number, interpolation: Interpolation, mean: readonly number[] = IMAGENET_MEAN, std: readonly number[] = IMAGENET_STD): PreprocessConfig => ({
  resize, crop: [crop, crop], interpolation, mean, std,
});

// lukemelas/EfficientNet-PyTorch (TF weights ported, TF "same" padding, eps 1e-3). Its ImageNet
// example evaluates with Resize(res, bicubic) + CenterCrop(res); AdvProp scales pixels to [−1, 1].
//                 variant  file hash   advprop hash
const LUKEMELAS: [string, string | undefined, string][] = [
  ['b0', '355c32eb', 'b64d5a18'], ['b1', 'f1951068', '0f3ce85a'], ['b2', '8bb594d6', '6e9d97e5'],
  ['b3', '5fb5a3c3', 'cdd7c0f4'], ['b4', '6ed6700e', '44fb3a87'], ['b5', 'b6417697', '86493f6b'],
  ['b6', 'c76e70fd', 'ac80338e'], ['b7', 'dcc49843', '4652b6dd'], ['b8', undefined, '22a8fe65'],
];

const lukemelas = LUKEMELAS.flatMap(([tag, plain, advprop]) => {
  const arch = `efficientnet-${tag}`;
  const res = getVariant(arch).resolution;
  const common = { arch, keyFamily: 'lukemelas' as const, padding: 'same' as const, batchNormEpsilon: 1e-3, numClasses: 1000 };
  return [
    ...(plain ? [entry('lukemelas', arch, `${LUKEMELAS_BASE}${arch}-${plain}.pth`, { ...common, preprocess: preprocess(res, res, 'bicubic') })] : []),
    entry('advprop', arch, `${LUKEMELAS_BASE}adv-${arch}-${advprop}.pth`, { ...common, preprocess: preprocess(res, res, 'bicubic', INCEPTION_MEAN, INCEPTION_STD) }),
  ];
});

// torchvision 0.14 weight enums: symmetric padding; batch-norm eps 1e-5 for b0–b4, 1e-3 for b5–b7.
//                  name                           file                                      resize crop interpolation
const TORCHVISION: [string, string, number, number, Interpolation][] = [
  ['efficientnet_b0.IMAGENET1K_V1', 'efficientnet_b0_rwightman-3dd342df.pth', 256, 224, 'bicubic'],
  ['efficientnet_b1.IMAGENET1K_V1', 'efficientnet_b1_rwightman-533bc792.pth', 256, 240, 'bicubic'],
  ['efficientnet_b1.IMAGENET1K_V2', 'efficientnet_b1-c27df63c.pth', 255, 240, 'bilinear'],
  ['efficientnet_b2.IMAGENET1K_V1', 'efficientnet_b2_rwightman-bcdf34b7.pth', 288, 288, 'bicubic'],
  ['efficientnet_b3.IMAGENET1K_V1', 'efficientnet_b3_rwightman-cf984f9c.pth', 320, 300, 'bicubic'],
  ['efficientnet_b4.IMAGENET1K_V1', 'efficientnet_b4_rwightman-7eb33cd5.pth', 384, 380, 'bicubic'],
  ['efficientnet_b5.IMAGENET1K_V1', 'efficientnet_b5_lukemelas-b6417697.pth', 456, 456, 'bicubic'],
  ['efficientnet_b6.IMAGENET1K_V1', 'efficientnet_b6_lukemelas-c76e70fd.pth', 528, 528, 'bicubic'],
  ['efficientnet_b7.IMAGENET1K_V1', 'efficientnet_b7_lukemelas-dcc49843.pth', 600, 600, 'bicubic'],
];

const torchvision = TORCHVISION.map(([name, file, resize, crop, interpolation]) => {
  const arch = canonicalVariantName(name.split('.')[0]);
  const eps = ['efficientnet-b5', 'efficientnet-b6', 'efficientnet-b7'].includes(arch) ? 1e-3 : 1e-5;
  return entry('torchvision', name, `${TORCHVISION_BASE}${file}`, {
    arch, keyFamily: 'torchvision', padding: 'symmetric', batchNormEpsilon: eps, numClasses: 1000, preprocess: preprocess(resize, crop, interpolation),
  });
});

// timm's TF ports (`tf_` models: "same" padding, eps 1e-3). Eval: bicubic, crop_pct = res/(res+32)
// rounded as timm lists it, resize floor(res / crop_pct); AdvProp (`ap`) weights use mean = std = 0.5.
const TIMM_CROP_PCT: Record<string, number> = { b0: 0.875, b1: 0.882, b2: 0.89, b3: 0.904, b4: 0.922, b5: 0.934, b6: 0.942, b7: 0.949, b8: 0.954, l2: 0.96 };
//              weights   file suffix  variants with their hash
const TIMM: [string, string, Record<string, string>][] = [
  ['aa_in1k', '_aa', { b0: '827b6e33', b1: 'ea7a6ee0', b2: '60c94f97', b3: '84b4657e', b4: '818f208c', b5: '99018a74', b6: '80ba17e4', b7: '076e3472' }],
  ['in1k', '', { b0: '0af12548', b1: '5c1377c4', b2: 'e393ef04', b3: 'e3bd6955', b4: '74ee3bed', b5: 'c6949ce9' }],
  ['ap_in1k', '_ap', { b0: 'f262efe1', b1: '44ef0a3d', b2: '2f8e7636', b3: 'aad25bdd', b4: 'dedb23e6', b5: '9e82fae8', b6: '4ffb161f', b7: 'ddb28fec', b8: '00e169fa' }],
  ['ns_jft_in1k', '_ns', { b0: 'c0e6a31c', b1: '99dd0c41', b2: '00306e48', b3: '9d44bf68', b4: 'd6313a46', b5: '6f26d0cf', b6: '51548356', b7: '1dbc32de', l2: 'df73bb44' }],
  ['ra_in1k', '_ra', { b5: '9a3e5369', b7: '6c08e654', b8: '572d5dd9' }],
];

const timm = TIMM.flatMap(([weights, suffix, hashes]) => Object.entries(hashes).map(([tag, hash]) => {
  const arch = `efficientnet-${tag}`;
  const res = getVariant(arch).resolution;
  const cropPct = TIMM_CROP_PCT[tag];
  const advprop = weights === 'ap_in1k';
  const file = `tf_efficientnet_${tag}${suffix}-${hash}.pth`;
  return entry('timm', `tf_efficientnet_${tag}.${weights}`, `${TIMM_ON_HF.test(file) ? TIMM_HF_BASE : TIMM_BASE}${file}`, {
    arch, keyFamily: 'timm', padding: 'same', batchNormEpsilon: 1e-3, numClasses: 1000,
    preprocess: preprocess(Math.floor(res / cropPct), res, 'bicubic', advprop ? INCEPTION_MEAN : IMAGENET_MEAN, advprop ? INCEPTION_STD : IMAGENET_STD),
  });
}));

/** Every published weight set, by tag. */
export const PRETRAINED: ReadonlyMap<string, PretrainedEntry> = new Map([...lukemelas, ...torchvision, ...timm].map((e) => [e.tag, e]));

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

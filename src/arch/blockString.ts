/**
 * Block strings in the reference format, e.g. `r1_k3_s11_e1_i32_o16_se0.25` (repeats, kernel,
 * stride per axis, expansion, in/out channels, SE ratio) with an optional `_noskip`, and timm's
 * block-type prefix for Fused-MBConv rows: `er_` (k×k expansion + 1×1 projection) or `cn_` (ratio 1:
 * one k×k convolution). `ir_` (MBConv) is the default and is not printed.
 */
import { ConfigError } from '../errors.js';
import type { BlockKind, StageSpec } from './stages.js';

const PREFIXES: Readonly<Record<string, BlockKind>> = { ir: 'mbconv', er: 'fused', cn: 'fused' };

/**
 * Parses one block string into a stage row.
 *
 * @example
 * parseBlockString('r2_k3_s22_e6_i16_o24_se0.25').repeats // 2
 * parseBlockString('er_r4_k3_s22_e4_i24_o48').block // 'fused'
 */
export function parseBlockString(text: string): StageSpec {
  const fields = new Map<string, string>();
  let idSkip = true;
  const problems: string[] = [];
  const parts = text.trim().split('_');
  const prefix = Object.hasOwn(PREFIXES, parts[0]) ? parts.shift()! : 'ir';
  for (const part of parts) {
    if (part === 'noskip') { idSkip = false; continue; }
    const match = /^(se|[rkseio])(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) { problems.push(`unknown field '${part}'`); continue; }
    fields.set(match[1], match[2]);
  }
  for (const key of ['r', 'k', 's', 'e', 'i', 'o']) if (!fields.has(key)) problems.push(`missing field '${key}'`);
  // Our ratio-1 fused block is timm's ConvBnAct (`cn`); timm's `er` with e1 keeps a projection we do not build.
  if (prefix === 'er' && fields.get('e') === '1') problems.push(`'er' with e1 is not supported; a ratio-1 fused block is 'cn'`);
  if (prefix === 'cn' && fields.has('e') && fields.get('e') !== '1') problems.push(`'cn' needs e1, not e${fields.get('e')}`);
  const stride = fields.get('s') ?? '1';
  if (stride.length === 2 && stride[0] !== stride[1]) problems.push(`stride 's${stride}' differs per axis; only square strides are supported`);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid block string '${text}': ${problems.join('; ')}. Expected e.g. 'r1_k3_s11_e1_i32_o16_se0.25'`);
  }
  const int = (key: string) => Number.parseInt(fields.get(key)!, 10);
  return {
    block: PREFIXES[prefix],
    repeats: int('r'),
    kernel: int('k'),
    stride: Number.parseInt(stride[0], 10),
    expandRatio: Number(fields.get('e')),
    inChannels: int('i'),
    outChannels: int('o'),
    seRatio: fields.has('se') ? Number(fields.get('se')) : 0,
    idSkip,
  };
}

/**
 * Prints a stage row as a block string (the inverse of {@link parseBlockString}).
 *
 * @example
 * formatBlockString(B0_STAGES[0]) // 'r1_k3_s11_e1_i32_o16_se0.25'
 * formatBlockString(V2_S.stages[1]) // 'er_r4_k3_s22_e4_i24_o48'
 */
export function formatBlockString(stage: StageSpec): string {
  const fields = [`r${stage.repeats}`, `k${stage.kernel}`, `s${stage.stride}${stage.stride}`, `e${stage.expandRatio}`, `i${stage.inChannels}`, `o${stage.outChannels}`];
  if (stage.seRatio > 0) fields.push(`se${stage.seRatio}`);
  if (!stage.idSkip) fields.push('noskip');
  if (stage.block === 'fused') fields.unshift(stage.expandRatio === 1 ? 'cn' : 'er');
  return fields.join('_');
}

/**
 * Block strings in the reference format, e.g. `r1_k3_s11_e1_i32_o16_se0.25` (repeats, kernel,
 * stride per axis, expansion, in/out channels, SE ratio) with an optional `_noskip`.
 */
import { ConfigError } from '../errors.js';
import type { StageSpec } from './stages.js';

/**
 * Parses one block string into a stage row.
 *
 * @example
 * parseBlockString('r2_k3_s22_e6_i16_o24_se0.25').repeats // 2
 */
export function parseBlockString(text: string): StageSpec {
  const fields = new Map<string, string>();
  let idSkip = true;
  const problems: string[] = [];
  for (const part of text.trim().split('_')) {
    if (part === 'noskip') { idSkip = false; continue; }
    const match = /^(se|[rkseio])(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) { problems.push(`unknown field '${part}'`); continue; }
    fields.set(match[1], match[2]);
  }
  for (const key of ['r', 'k', 's', 'e', 'i', 'o']) if (!fields.has(key)) problems.push(`missing field '${key}'`);
  const stride = fields.get('s') ?? '1';
  if (stride.length === 2 && stride[0] !== stride[1]) problems.push(`stride 's${stride}' differs per axis; only square strides are supported`);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid block string '${text}': ${problems.join('; ')}. Expected e.g. 'r1_k3_s11_e1_i32_o16_se0.25'`);
  }
  const int = (key: string) => Number.parseInt(fields.get(key)!, 10);
  return {
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
 */
export function formatBlockString(stage: StageSpec): string {
  const parts = [`r${stage.repeats}`, `k${stage.kernel}`, `s${stage.stride}${stage.stride}`, `e${stage.expandRatio}`, `i${stage.inChannels}`, `o${stage.outChannels}`];
  if (stage.seRatio > 0) parts.push(`se${stage.seRatio}`);
  if (!stage.idSkip) parts.push('noskip');
  return parts.join('_');
}

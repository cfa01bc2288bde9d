/**
 * The resume file: everything a killed run needs to continue bit for bit (trainer weights,
 * optimizer slots, EMA, generator state) as safetensors tensors, and where it stood (epoch,
 * batch, running metrics, history) as JSON in the metadata, written atomically in one file so
 * the two always agree.
 */
import { EfficientNetError, FileFormatError, FileSystemError, fileSystemReason, type SystemError } from '../errors.js';
import type { TrainerState } from '../train/trainer.js';
import { readSafetensors, writeSafetensors } from '../weights/formats/safetensors.js';
import { floatTensor, int64Tensor, type StateDict } from '../weights/tensor.js';

/** A write that failed (disk full, no permission); the file that was there before is intact. */
export class CheckpointWriteError extends EfficientNetError {
  override name = 'CheckpointWriteError';
}

/** One finished epoch's figures. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly validationLoss?: number;
  readonly validationAccuracy?: number;
  readonly seconds: number;
}

/** Where a run stands. */
export interface RunProgress {
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Items of this epoch's order already used (batches end on these boundaries). */
  readonly position: number;
  /** Running sums over this epoch's trained batches. */
  readonly seen: number;
  readonly lossSum: number;
  readonly correct: number;
  readonly history: readonly EpochRecord[];
  /** Best validation accuracy so far and its epoch (0-based). */
  readonly best?: { readonly epoch: number; readonly accuracy: number };
}

export interface RunState {
  /** The options and data the run was started with; a resume must match. */
  readonly fingerprint: string;
  readonly progress: RunProgress;
  readonly trainer: TrainerState;
}

const KEY = 'efficientnet-ts-run';

/**
 * Writes the run state atomically; a failed write throws {@link CheckpointWriteError} and leaves
 * the previous state file as it was.
 *
 * @example
 * await saveRunState('model.state.safetensors', { fingerprint, progress, trainer: trainer.state() });
 */
export async function saveRunState(path: string, state: RunState): Promise<void> {
  const { trainer } = state;
  const tensors: StateDict = new Map();
  for (const [key, values] of trainer.weights) {
    tensors.set(`w:${key}`, values instanceof BigInt64Array ? int64Tensor([values.length], values) : floatTensor([values.length], values));
  }
  for (const [slot, byKey] of Object.entries(trainer.optimizer.slots)) {
    for (const [key, values] of Object.entries(byKey)) tensors.set(`opt:${slot}:${key}`, floatTensor([values.length], values));
  }
  for (const [key, values] of trainer.ema ?? []) tensors.set(`ema:${key}`, floatTensor([values.length], values));
  const meta = { fingerprint: state.fingerprint, progress: state.progress, step: trainer.step, random: trainer.random, optimizer: { kind: trainer.optimizer.kind, steps: trainer.optimizer.steps } };
  await guardWrite(path, 'training state', () => writeSafetensors(path, tensors, { [KEY]: JSON.stringify(meta) }));
}

/**
 * Reads a state file written by {@link saveRunState}. A file that cannot be one (truncated, not
 * safetensors, metadata that is not JSON or lacks fields) is a {@link FileFormatError} naming the
 * file and every problem at once.
 *
 * @example
 * const state = await loadRunState('model.state.safetensors');
 */
export async function loadRunState(path: string): Promise<RunState> {
  const damaged = (why: string) => damagedState(path, why);
  let file;
  try {
    file = await readSafetensors(path);
  } catch (error) {
    if (!(error instanceof FileFormatError)) throw error;
    throw damaged(error.message.replace(`${path} is `, 'it is '));
  }
  const { tensors, metadata } = file;
  const text = metadata[KEY];
  if (text === undefined) throw damaged(`it has no '${KEY}' metadata (not a training state file)`);
  let meta: StateMeta;
  try {
    meta = JSON.parse(text) as StateMeta;
  } catch (error) {
    throw damaged(`its '${KEY}' metadata is not JSON (${(error as Error).message.slice(0, 80)})`);
  }
  const problems = metaProblems(meta);
  if (problems.length > 0) throw damaged(problems.join('; '));
  const weights = new Map<string, Float32Array | BigInt64Array>();
  const slots: Record<string, Record<string, Float32Array>> = {};
  const ema = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    const [kind, ...rest] = name.split(':');
    if (kind === 'w') weights.set(rest.join(':'), t.data);
    else if (kind === 'opt' && t.dtype === 'float32') (slots[rest[0]] ??= {})[rest.slice(1).join(':')] = t.data;
    else if (kind === 'ema' && t.dtype === 'float32') ema.set(rest.join(':'), t.data);
  }
  if (weights.size === 0) throw damaged('it holds no weights');
  return {
    fingerprint: meta.fingerprint,
    progress: meta.progress,
    trainer: { step: meta.step, weights, optimizer: { ...meta.optimizer, slots }, ema: ema.size > 0 ? ema : undefined, random: meta.random },
  };
}

/**
 * The error for a state file that cannot be resumed from, naming it and what is wrong.
 *
 * @example
 * throw damagedState('m.state.safetensors', "'progress.epoch' is missing");
 */
export function damagedState(path: string, why: string): FileFormatError {
  return new FileFormatError(`Training state '${path}' is damaged: ${why}; delete it (or run without resume) to start afresh`);
}

interface StateMeta {
  fingerprint: string;
  progress: RunProgress;
  step: number;
  random: number[];
  optimizer: { kind: TrainerState['optimizer']['kind']; steps: number };
}

/** Every field of the metadata that is missing or of the wrong kind, by its dotted name. */
function metaProblems(meta: unknown): string[] {
  const problems: string[] = [];
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const number = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const object = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!object(meta)) return ['its metadata is not an object'];
  const expect = (name: string, value: unknown, ok: boolean, what: string) => {
    if (!ok) problems.push(value === undefined ? `'${name}' is missing` : `'${name}' is ${JSON.stringify(value)?.slice(0, 40)}, expected ${what}`);
  };
  const progress = object(meta.progress) ? meta.progress : {};
  const optimizer = object(meta.optimizer) ? meta.optimizer : {};
  expect('fingerprint', meta.fingerprint, typeof meta.fingerprint === 'string', 'a string');
  expect('step', meta.step, count(meta.step), 'a whole number');
  expect('random', meta.random, Array.isArray(meta.random) && meta.random.every(number), 'a list of numbers');
  expect('optimizer', meta.optimizer, object(meta.optimizer), 'an object');
  expect('optimizer.kind', optimizer.kind, typeof optimizer.kind === 'string', 'a string');
  expect('optimizer.steps', optimizer.steps, count(optimizer.steps), 'a whole number');
  expect('progress', meta.progress, object(meta.progress), 'an object');
  for (const key of ['epoch', 'position', 'seen', 'correct']) expect(`progress.${key}`, progress[key], count(progress[key]), 'a whole number');
  expect('progress.lossSum', progress.lossSum, number(progress.lossSum), 'a number');
  expect('progress.history', progress.history, Array.isArray(progress.history) && progress.history.every((r) => object(r) && count(r.epoch) && number(r.loss)), 'a list of epoch records');
  return problems;
}

/**
 * Runs a write and turns file-system failures into one clear line that says nothing was lost.
 *
 * @example
 * await guardWrite('model.safetensors', 'model', () => net.save('model.safetensors'));
 */
export async function guardWrite(path: string, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as SystemError).code;
    if (typeof code !== 'string') throw error;
    const reason = error instanceof FileSystemError ? error.reason : fileSystemReason(error as SystemError);
    throw new CheckpointWriteError(`Cannot write ${what} '${path}': ${reason}; the previous file, if any, is intact`);
  }
}

/**
 * Whether a saved run state can continue this run: written with the same options and data (else
 * the error names each setting that changed) and standing somewhere inside this run (an epoch
 * within it, as many history records as epochs done, a position within the data).
 */
import { ConfigError } from '../errors.js';
import { damagedState, loadRunState, type RunState } from './runState.js';

/**
 * Loads `path` for resuming a run with fingerprint `print` over `samples` training images.
 *
 * @example
 * const state = await loadResumableState('m.state.safetensors', print, { epochs: 5, samples: 1000 });
 */
export async function loadResumableState(path: string, print: string, run: { readonly epochs: number; readonly samples: number }): Promise<RunState> {
  const state = await loadRunState(path);
  const changed = changedSettings(state.fingerprint, print);
  if (changed.length > 0) {
    throw new ConfigError(`Cannot resume from '${path}': it was written by a run with other settings (${changed.join('; ')}); rerun with the same ones, or without resume to start afresh`);
  }
  const { epoch, position, seen, correct, history } = state.progress;
  const problems: string[] = [];
  if (epoch > run.epochs) problems.push(`it stands at epoch ${epoch} of a ${run.epochs}-epoch run`);
  if (history.length !== epoch) problems.push(`it records ${history.length} finished epoch(s) but stands at epoch ${epoch}`);
  if (position > run.samples) problems.push(`its position ${position} is beyond the ${run.samples} training images`);
  if (correct > seen) problems.push(`it counts ${correct} correct of ${seen} seen`);
  if (problems.length > 0) throw damagedState(path, problems.join('; '));
  return state;
}

/**
 * The settings that differ between two fingerprints (JSON objects of the run's settings), as
 * `name old → new`; the training files are named as one setting.
 *
 * @example
 * changedSettings('{"epochs":3,"seed":0}', '{"epochs":5,"seed":0}') // ['epochs 3 → 5']
 */
export function changedSettings(saved: string, current: string): string[] {
  let before: Record<string, unknown>;
  let after: Record<string, unknown>;
  try {
    [before, after] = [JSON.parse(saved) as Record<string, unknown>, JSON.parse(current) as Record<string, unknown>];
  } catch {
    return ['unreadable settings'];
  }
  const show = (value: unknown) => (value === undefined ? 'default' : JSON.stringify(value).slice(0, 60));
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'hash' || JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changed.push(key === 'files' ? `training files ${show(before.files)} → ${show(after.files)}` : `${key} ${show(before[key])} → ${show(after[key])}`);
  }
  // Same number of files, other names or order.
  if (before.hash !== after.hash && before.files === after.files) changed.push('training files (same count, other names)');
  return changed;
}

/**
 * Reads back the profile a session wrote: onnxruntime-node does not return the file name, which
 * is `<prefix>_<timestamp>.json` in the temporary folder; read into an account and removed.
 */
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OperatorAccount, operatorAccount } from '../src/runtime/profile.js';

/** A profile file prefix in the temporary folder, unique to this process and `what`. */
export function profilePrefix(what: string): string {
  return join(tmpdir(), `efficientnet-${what}-profile-${process.pid}`);
}

/**
 * The account of the profile written under `prefix` (after `session.endProfiling()`), the
 * first `skipRuns` runs left out, with the `topNodes` slowest nodes; undefined when no file was written.
 *
 * @example
 * const account = await readProfile(profilePrefix('int8'), 1, Infinity); // every node
 */
export async function readProfile(prefix: string, skipRuns: number, topNodes = 0): Promise<OperatorAccount | undefined> {
  const base = prefix.slice(tmpdir().length + 1);
  const file = (await readdir(tmpdir())).find((f) => f.startsWith(`${base}_`));
  if (!file) return undefined;
  const account = await operatorAccount(join(tmpdir(), file), skipRuns, topNodes);
  await rm(join(tmpdir(), file), { force: true });
  return account;
}

/** Paths and expected values of the checkpoint fixtures (made by scripts/make_checkpoint_fixtures.py). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/checkpoints/, from dist/test/weights/ where the compiled tests run. */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/checkpoints/', import.meta.url));

export interface ExpectedTensor {
  readonly dtype: 'float32' | 'int64';
  readonly shape: number[];
  /** Floats exactly as float32 values; int64 as decimal strings. */
  readonly values: (number | string)[];
}

/** expected.json: fixture name (`file.pth` or `file.pth#ema`) → key → tensor. */
export function expectedTensors(): Record<string, Record<string, ExpectedTensor>> {
  return JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8'));
}

export function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

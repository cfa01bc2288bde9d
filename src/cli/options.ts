/** Argument parsers for commander that reject bad values with the value and what was expected. */
import { InvalidArgumentError } from 'commander';

/** A positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return n;
}

/** A finite number. */
export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return n;
}

/** `224` or `240x320` (height × width). */
export function imageSize(value: string): number | [number, number] {
  const match = /^(\d+)(?:[x×,](\d+))?$/.exec(value.trim());
  if (!match || Number(match[1]) <= 0 || (match[2] !== undefined && Number(match[2]) <= 0)) {
    throw new InvalidArgumentError(`'${value}' is not an image size; expected N or HxW, e.g. 224 or 240x320.`);
  }
  return match[2] === undefined ? Number(match[1]) : [Number(match[1]), Number(match[2])];
}

/** Comma-separated execution providers. */
export function providerList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Conversions from the narrow and wide float formats checkpoints use to float32. */

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 half precision (bits in a uint16) to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * A number to IEEE 754 half precision bits (a uint16), rounded to nearest even; past ±65504 it
 * becomes ±infinity, as in every IEEE conversion (clamp first where that matters).
 *
 * @example
 * floatToHalf(1) // 0x3c00
 * halfToFloat(floatToHalf(0.1)) // 0.0999755859375
 */
export function floatToHalf(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15; // rebiased for half
  const mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // infinity, NaN
  if (exponent >= 0x1f) return sign | 0x7c00;
  // Normal halves keep 10 of the 23 mantissa bits; subnormals shift the implicit 1 in as well.
  const source = exponent > 0 ? mantissa : mantissa | 0x800000;
  const shift = exponent > 0 ? 13 : Math.min(25, 14 - exponent);
  const kept = (exponent > 0 ? exponent << 10 : 0) | (source >> shift);
  const rest = source & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  // A carry out of the mantissa lands in the exponent, which is the right next value.
  return sign | (kept + (rest > half || (rest === half && kept & 1) ? 1 : 0));
}

/** bfloat16 (the top 16 bits of a float32) to a number. */
export function bfloat16ToFloat(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

export type SourceDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Record<SourceDType, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** True for the float formats that become float32 tensors. */
export function isFloatDType(dtype: SourceDType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

/**
 * Reads `count` little-endian elements of `dtype` starting at byte `offset`, element i taken from
 * position `index(i)` (contiguous when omitted; called once per element, in order), into float32.
 */
export function readFloats(bytes: Uint8Array, offset: number, dtype: SourceDType, count: number, index?: (i: number) => number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const size = DTYPE_BYTES[dtype];
  if (dtype === 'float32' && !index) {
    // One memcpy whatever the alignment (legacy .pth records start at odd offsets); little-endian hosts only, as PyTorch files are.
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
    return out;
  }
  const at = (i: number) => offset + (index ? index(i) : i) * size;
  switch (dtype) {
    case 'float32': for (let i = 0; i < count; i++) out[i] = view.getFloat32(at(i), true); break;
    case 'float64': for (let i = 0; i < count; i++) out[i] = view.getFloat64(at(i), true); break;
    case 'float16': for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(at(i), true)); break;
    case 'bfloat16': for (let i = 0; i < count; i++) out[i] = bfloat16ToFloat(view.getUint16(at(i), true)); break;
    default: throw new TypeError(`${dtype} is not a float dtype`);
  }
  return out;
}

/** Reads integer elements (any integer dtype or bool) into int64. */
export function readInts(bytes: Uint8Array, offset: number, dtype: SourceDType, count: number, index?: (i: number) => number): BigInt64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new BigInt64Array(count);
  const size = DTYPE_BYTES[dtype];
  if (dtype === 'int64' && !index) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 8));
    return out;
  }
  const at = (i: number) => offset + (index ? index(i) : i) * size;
  for (let i = 0; i < count; i++) {
    const p = at(i);
    switch (dtype) {
      case 'int64': out[i] = view.getBigInt64(p, true); break;
      case 'int32': out[i] = BigInt(view.getInt32(p, true)); break;
      case 'int16': out[i] = BigInt(view.getInt16(p, true)); break;
      case 'int8': out[i] = BigInt(view.getInt8(p)); break;
      case 'uint8': case 'bool': out[i] = BigInt(view.getUint8(p)); break;
      default: throw new TypeError(`${dtype} is not an integer dtype`);
    }
  }
  return out;
}

/**
 * NumPy `.npy` arrays (format versions 1–3): the interchange format of the `forward` and
 * `gradients` commands, so anyone can compare us with PyTorch in a few lines of Python.
 */
import { FileFormatError } from '../errors.js';
import { shapeSize } from '../arch/parameters.js';
import { platform } from '../platform/index.js';
import { latin1Bytes, latin1Text } from '../util/bytes.js';
import { readFloats, readInts, type SourceDType } from '../weights/formats/dtypes.js';
import type { Tensor } from '../weights/tensor.js';

const MAGIC = '\x93NUMPY';
const DESCRS: Record<string, SourceDType> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16', '<i8': 'int64', '<i4': 'int32', '<i2': 'int16',
  '|i1': 'int8', '|u1': 'uint8', '|b1': 'bool',
};

/**
 * Parses `.npy` bytes: floats become float32, integers int64.
 *
 * @example
 * const x = parseNpy(await readFile('x.npy')); // { dtype: 'float32', shape: [1, 3, 224, 224], data }
 */
export function parseNpy(bytes: Uint8Array, source = 'npy data'): Tensor {
  const fail = (why: string): never => { throw new FileFormatError(`${source} is not a valid .npy file: ${why}`); };
  if (bytes.byteLength < 10 || latin1Text(bytes.subarray(0, 6)) !== MAGIC) fail('it does not start with \\x93NUMPY');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`format version ${major} is not 1, 2 or 3`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLength > bytes.byteLength) fail(`the header claims ${headerLength} bytes but the file is shorter`);
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength);
  const header = major === 3 ? new TextDecoder().decode(headerBytes) : latin1Text(headerBytes);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`the header ${JSON.stringify(header.trim())} lacks descr, fortran_order or shape`);
  const dtype = DESCRS[descr!];
  if (!dtype) fail(`dtype '${descr}' is not supported; expected one of ${Object.keys(DESCRS).join(', ')}`);
  if (fortran === 'True') fail('Fortran-ordered arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText!.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`shape (${shapeText}) is not a tuple of non-negative integers`);
  const count = shapeSize(shape);
  const dataStart = headerStart + headerLength;
  const itemSize = Number(descr!.slice(2));
  if (bytes.byteLength - dataStart < count * itemSize) fail(`shape (${shape.join(', ')}) needs ${count * itemSize} data bytes but the file has ${bytes.byteLength - dataStart}`);
  return dtype.startsWith('float')
    ? { dtype: 'float32', shape, data: readFloats(bytes, dataStart, dtype, count) }
    : { dtype: 'int64', shape, data: readInts(bytes, dataStart, dtype, count) };
}

/**
 * Reads a `.npy` file.
 *
 * @example
 * const x = await readNpy('x.npy');
 */
export async function readNpy(path: string): Promise<Tensor> {
  return parseNpy(await platform().files.read(path), path);
}

/** Serialises a float32 or int64 tensor as `.npy` (version 1.0) bytes. */
export function serializeNpy(tensor: Tensor): Uint8Array[] {
  const descr = tensor.dtype === 'float32' ? '<f4' : '<i8';
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary, ending in a newline.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = latin1Bytes(`${MAGIC}\x01\x00\0\0`); // magic, version 1.0, header length
  new DataView(prefix.buffer).setUint16(8, header.length, true);
  return [prefix, latin1Bytes(header), new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)];
}

/**
 * Writes a `.npy` file atomically.
 *
 * @example
 * await writeNpy('y.npy', { dtype: 'float32', shape: [1, 1000], data: logits });
 */
export async function writeNpy(path: string, tensor: Tensor): Promise<void> {
  await platform().files.write(path, serializeNpy(tensor));
}

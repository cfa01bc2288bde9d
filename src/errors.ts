/**
 * Typed errors. Each carries a one-line message naming the bad value and what was expected;
 * errors that can find several problems at once list all of them in `problems`.
 */

/** Base class of every error this library throws on purpose (user mistakes, bad files). */
export class EfficientNetError extends Error {
  override name = 'EfficientNetError';
}

/** A model name, option or scaling parameter that is not allowed. */
export class ConfigError extends EfficientNetError {
  override name = 'ConfigError';
}

/** A checkpoint that does not fit the model: every missing, unexpected and wrong-shaped key at once. */
export class WeightLoadError extends EfficientNetError {
  override name = 'WeightLoadError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message);
  }
}

/** A file whose bytes are not what its format promises (bad magic, lying header, truncation). */
export class FileFormatError extends EfficientNetError {
  override name = 'FileFormatError';
}

/** An input tensor whose rank, channels, size or dtype the model cannot take. */
export class InputShapeError extends EfficientNetError {
  override name = 'InputShapeError';
}

/** A failure inside the compute engine, reported with the shapes and dtypes that were fed. */
export class RuntimeError extends EfficientNetError {
  override name = 'RuntimeError';
}

/** An error from a file-system call: Node's carry an errno `code` such as 'ENOENT'. */
export type SystemError = Error & { readonly code?: string };

/** errno codes in words, the one table every file-system message uses. */
const FILE_SYSTEM_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder', ENOTDIR: 'a folder in the path is a file', EISDIR: 'it is a folder', EACCES: 'permission denied',
  EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded',
  EPIPE: 'the reading end of the pipe closed',
};

/**
 * An errno code in words, or undefined for a code the table does not know.
 *
 * @example
 * fileSystemWords('ENOENT') // 'no such file or folder'
 */
export function fileSystemWords(code: string | undefined): string | undefined {
  return code === undefined ? undefined : FILE_SYSTEM_WORDS[code];
}

/** Why a file-system call failed, in words, without the path Node puts in its messages: `no space left on device (ENOSPC)`. */
export function fileSystemReason(error: SystemError): string {
  const code = error.code ?? 'EIO';
  const reason = fileSystemWords(code) ?? /^[A-Z0-9]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message;
  return `${reason} (${code})`;
}

/** A file that cannot be read or written; the message names the user's path (never a temporary file) and the reason. */
export class FileSystemError extends EfficientNetError {
  override name = 'FileSystemError';
  constructor(
    readonly path: string,
    readonly code: string,
    /** `no space left on device (ENOSPC)` */
    readonly reason: string,
    verb: string,
  ) {
    super(`Cannot ${verb} '${path}': ${reason}`);
  }
}

/** An output that could not be written: what was at the path before is intact (device nodes aside). */
export class FileWriteError extends FileSystemError {
  override name = 'FileWriteError';
  /** Wraps a file-system failure met while writing `path`; other errors (bugs, typed errors) pass unchanged. */
  static from(error: unknown, path: string): unknown {
    const code = (error as SystemError | undefined)?.code;
    if (error instanceof EfficientNetError || typeof code !== 'string') return error;
    return new FileWriteError(path, code, fileSystemReason(error as SystemError), 'write');
  }
}

/** Formats a list of allowed values for error messages: `'a', 'b' or 'c'`. */
export function oneOf(values: readonly (string | number)[]): string {
  const quoted = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** An image that cannot be decoded (empty, truncated, not an image); `source` names the file or buffer. */
export class ImageDecodeError extends FileFormatError {
  override name = 'ImageDecodeError';
  constructor(
    readonly source: string,
    /** Why, without the file name (for callers that name the file themselves). */
    readonly reason: string,
    message = `Cannot decode image '${source}': ${reason}`,
  ) {
    super(message);
  }

  /** One error for several failures (each named once with its reason); a single one is returned as is. */
  static several(errors: readonly Error[]): Error {
    if (errors.length === 1) return errors[0];
    const parts = errors.map((e) => (e instanceof ImageDecodeError ? `'${e.source}' (${e.reason})` : e.message));
    return new ImageDecodeError(`${errors.length} images`, parts.join('; '), `Cannot decode ${errors.length} images: ${parts.join('; ')}`);
  }
}

/** A dataset folder that cannot be used as laid out (no classes, empty classes, a single class for training). */
export class DatasetError extends EfficientNetError {
  override name = 'DatasetError';
}

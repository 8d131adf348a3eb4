// File-system failures as InvalidArgumentErrors that name the path and say why, whatever the error code: a
// path that cannot be read is a bad argument, never an untyped Node error escaping the library.
import { InvalidArgumentError } from '../../errors.js';
import { describeText } from '../../describe.js';

/** The reason for the codes a reader is likely to meet; others are given by their code and Node's message. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a directory, expected a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links (a loop?)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
  EBUSY: 'the file is busy',
  ENXIO: 'no such device',
  EINVAL: 'invalid path',
  ERR_INVALID_ARG_TYPE: 'the path must be a string',
  ERR_INVALID_ARG_VALUE: 'the path must be a string without NUL characters',
  ERR_FS_FILE_TOO_LARGE: 'the file is too large to read',
};

/** A path for a message: bounded, control characters escaped (a path is a string the caller gave). */
export const pathText = (path: unknown): string =>
  typeof path === 'string' ? describeText(path, 200) : `(${typeof path})`;

/** The InvalidArgumentError for a failed fs call on `path` (`what` is "file" or "folder", for ENOENT). */
export function fsError(path: unknown, error: unknown, what: 'file' | 'folder' = 'file'): InvalidArgumentError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  let reason = code === undefined ? undefined : REASONS[code];
  if (code === 'ENOENT') reason = `no such ${what}`;
  if (reason === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    reason = `cannot be read (${describeText(code === undefined ? message : `${code}: ${message}`, 120)})`;
  }
  return new InvalidArgumentError(`${pathText(path)}: ${reason}`);
}

/** Runs an fs call on `path`; whatever it throws becomes fsError's InvalidArgumentError. */
export async function onPath<T>(path: unknown, what: 'file' | 'folder', call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw fsError(path, e, what);
  }
}

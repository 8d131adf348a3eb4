// An --out file, opened (created or truncated) before the work starts: a path that cannot be written (a folder,
// a missing directory, no permission) is a one-line UsageError at once, not after minutes of evaluation.
import { open, type FileHandle } from 'node:fs/promises';
import { UsageError } from './command.js';

export interface Output {
  /** Writes the text and closes the file. */
  write(text: string): Promise<void>;
}

const REASONS: Record<string, string> = {
  EISDIR: 'is a directory',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
};

/** The --out file opened for writing, or undefined when no --out was given. */
export async function openOutput(path: string | undefined, option = '--out'): Promise<Output | undefined> {
  if (path === undefined) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new UsageError(`${option} ${path.slice(0, 200)}: ${REASONS[code] ?? `cannot be written (${code})`}`);
  }
  return {
    async write(text) {
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    },
  };
}

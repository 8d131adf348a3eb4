// A Hugging Face model folder read from disk: the files the library may need (see folderFilesToRead), by base
// name. Weights are read as they are (safetensors only); other files in the folder are never opened.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, InvalidArgumentError } from '../../errors.js';
import { describeKind } from '../../describe.js';
import {
  folderFilesToRead,
  parseSafetensorsIndex,
  SAFETENSORS_INDEX_FILE,
  type FolderFile,
  type FolderFiles,
} from '../hf/folder.js';
import { readFileBytes } from './files.js';
import { onPath, pathText } from './fs-errors.js';

/**
 * The model folder `dir`: config.json, generation_config.json, the tokenizer files, preprocessor_config.json,
 * and its safetensors weights (the index and the shards it names, or every *.safetensors without an index), in
 * name order. A missing path or one that is not a directory is an InvalidArgumentError naming it (as
 * readFileBytes does for files); a folder without config.json is a FormatError naming the folder. A shard the
 * index names but the folder lacks is left to readFolderTensors, which names it.
 */
export async function readModelFolder(dir: string): Promise<FolderFiles> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new InvalidArgumentError(`dir must be a non-empty string, got ${describeKind(dir)}`);
  }
  const isDirectory = (await onPath(dir, 'folder', () => stat(dir))).isDirectory();
  if (!isDirectory) throw new InvalidArgumentError(`${pathText(dir)}: is a file, expected a model folder`);
  // files and symbolic links (the Hugging Face cache's snapshot folders link to its blobs)
  const entries = await onPath(dir, 'folder', () => readdir(dir, { withFileTypes: true }));
  const names = entries.filter((entry) => entry.isFile() || entry.isSymbolicLink()).map((entry) => entry.name);
  if (!names.includes('config.json')) {
    throw new FormatError(dir, 'has no config.json: a Hugging Face model folder needs config.json and its weights');
  }
  const read = async (name: string): Promise<[string, FolderFile]> => {
    const path = join(dir, name);
    return [name, { name: path, bytes: await readFileBytes(path) }];
  };
  const files = new Map(await Promise.all(folderFilesToRead(names).map(read)));
  const index = files.get(SAFETENSORS_INDEX_FILE);
  if (index !== undefined) {
    const shards = folderFilesToRead(names, parseSafetensorsIndex(index.bytes, index.name));
    for (const [name, file] of await Promise.all(shards.filter((n) => !files.has(n)).map(read))) files.set(name, file);
  }
  // name order whether or not the shards came in a second pass
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// A Hugging Face model folder from a page's directory picker (<input type="file" webkitdirectory> or a drop):
// File objects, keyed by base name. Browser-safe. Only the files folderFilesToRead selects are read, so the
// PyTorch, TensorFlow, Flax or ONNX weights a cloned repository also holds never take memory.
import { FormatError } from '../../errors.js';
import {
  folderFilesToRead,
  parseSafetensorsIndex,
  SAFETENSORS_INDEX_FILE,
  type FolderFile,
  type FolderFiles,
} from './folder.js';

/** What folderFromFiles needs of a File. */
export interface PickedFile {
  /** The base name (File.name) or a path. */
  readonly name: string;
  /** The path under the picked folder ("gpt2/config.json"), when the picker gives one. */
  readonly webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/**
 * The model folder among `files`, keyed by base name. A picked folder lists its subfolders' files too: for a
 * base name found more than once the file nearest the top wins, and two at the same depth are a FormatError
 * naming both (only if that name is read). Files are read (arrayBuffer) only when folderFilesToRead selects them.
 */
export async function folderFromFiles(files: Iterable<PickedFile>): Promise<FolderFiles> {
  /** base name -> the file nearest the top of the picked folder; `tie`: another file at that depth */
  const byName = new Map<string, { file: PickedFile; path: string; depth: number; tie?: string }>();
  for (const file of files) {
    const path = file.webkitRelativePath || file.name;
    const name = baseName(path);
    const depth = path.split(/[/\\]/).length;
    const other = byName.get(name);
    if (other === undefined || depth < other.depth) byName.set(name, { file, path, depth });
    else if (depth === other.depth) other.tie = path;
  }
  const read = async (name: string): Promise<[string, FolderFile]> => {
    const { file, path, tie } = byName.get(name) as { file: PickedFile; path: string; tie?: string };
    if (tie !== undefined) throw new FormatError(path, `has the same name as ${tie}: pick the model's own folder`);
    return [name, { name: path, bytes: new Uint8Array(await file.arrayBuffer()) }];
  };
  const names = [...byName.keys()];
  const folder = new Map(await Promise.all(folderFilesToRead(names).map(read)));
  const index = folder.get(SAFETENSORS_INDEX_FILE);
  if (index !== undefined) {
    const shards = folderFilesToRead(names, parseSafetensorsIndex(index.bytes, index.name));
    for (const [name, file] of await Promise.all(shards.filter((n) => !folder.has(n)).map(read)))
      folder.set(name, file);
  }
  return new Map([...folder].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

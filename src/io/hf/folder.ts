// A Hugging Face model folder's weights: `model.safetensors`, or the shards `model.safetensors.index.json`
// lists (its weight_map: tensor name -> shard file name). Browser-safe: the folder is a map of files already
// read (src/io/node/folder.ts reads one from disk, src/io/hf/file-list.ts from a page's directory picker).
//
// Memory: each file is parsed in place (see src/io/safetensors.ts): F32 tensors are views into their file's
// bytes, F16/BF16 tensors are widened one at a time into their own Float32Array. The peak is the files
// themselves + 4 bytes per F16/BF16 element; no file is copied whole, and shards are not concatenated.
import { FormatError, InvalidArgumentError } from '../../errors.js';
import { describeKind, describeText } from '../../describe.js';
import { parseSafetensors, type SafetensorsTensor } from '../safetensors.js';
import { isObject, parseJsonFile } from './json.js';

export interface FolderFile {
  /** A path or File name, for messages. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A model folder's files by base name ("config.json", "model-00001-of-00003.safetensors", ...). */
export type FolderFiles = ReadonlyMap<string, FolderFile>;

export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** Index files list a few thousand tensors (a few hundred kB); anything past this is not an index. */
const MAX_INDEX_BYTES = 64 << 20;
/** Shard names are short base names ("model-00001-of-00030.safetensors"). */
const MAX_SHARD_NAME = 255;

/** A name for a message: at most 64 characters, control characters escaped. */
const brief = (name: string): string => describeText(name);

/** Throws InvalidArgumentError unless `files` is a map of base name -> file (a Map, as the folder readers give). */
export function checkFolderFiles(files: unknown): asserts files is ReadonlyMap<string, FolderFile> {
  if (!(files instanceof Map)) {
    throw new InvalidArgumentError(`files must be a Map of base name -> { name, bytes }, got ${describeKind(files)}`);
  }
}

/**
 * The weight_map of a `model.safetensors.index.json` (tensor name -> shard base name), checked: a JSON object
 * of bounded size whose `weight_map` is an object of non-empty shard names. `file` names it in messages.
 */
export function parseSafetensorsIndex(bytes: Uint8Array, file = SAFETENSORS_INDEX_FILE): ReadonlyMap<string, string> {
  const json = parseJsonFile(bytes, file, MAX_INDEX_BYTES, 'an index');
  const weightMap = json['weight_map'];
  if (!isObject(weightMap)) {
    throw new FormatError(file, `field "weight_map" must be an object of tensor name -> shard file name`);
  }
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard.length === 0 || shard.length > MAX_SHARD_NAME) {
      throw new FormatError(
        file,
        `weight_map["${brief(tensor)}"] must be a shard file name (a string of 1 to ${MAX_SHARD_NAME} characters)`,
      );
    }
    map.set(tensor, shard);
  }
  return map;
}

/** The files other than weights that a model folder may need: config, generation, tokenizer, preprocessor. */
export const MODEL_FOLDER_FILES: readonly string[] = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
  'vocab.txt',
  'preprocessor_config.json',
];

/**
 * Which of a folder's files (base names) a reader should read: MODEL_FOLDER_FILES and the index with the
 * shards `weightMap` names (the parsed index, once read), or, when the folder has no index, every `*.safetensors`
 * (model.safetensors among them). Other files (pytorch_model.bin, tf_model.h5, onnx/...) are never read. Sorted.
 */
export function folderFilesToRead(names: Iterable<string>, weightMap?: ReadonlyMap<string, string>): string[] {
  const all = new Set(names);
  const wanted = new Set([...MODEL_FOLDER_FILES, SAFETENSORS_INDEX_FILE]);
  if (weightMap !== undefined) for (const shard of weightMap.values()) wanted.add(shard);
  const noIndex = !all.has(SAFETENSORS_INDEX_FILE);
  return [...all].filter((n) => wanted.has(n) || (noIndex && n.endsWith('.safetensors'))).sort();
}

/** The error for a folder with no safetensors weights: what it needs, and why a .bin does not count. */
function noWeights(files: FolderFiles, folder: string): FormatError {
  const names = [...files.keys()];
  const bins = names.filter((n) => n.endsWith('.bin')).sort();
  const shards = names.filter((n) => n.endsWith('.safetensors')).sort();
  let message =
    `has no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE}: a Hugging Face model folder needs config.json and ` +
    `${SAFETENSORS_FILE}, or the shards listed by ${SAFETENSORS_INDEX_FILE}`;
  if (shards.length > 0) {
    message += `; found ${brief(shards[0] ?? '')}${shards.length > 1 ? ` and ${shards.length - 1} more` : ''} but no index`;
  }
  if (bins.length > 0) {
    message +=
      `; found ${brief(bins[0] ?? '')}${bins.length > 1 ? ` and ${bins.length - 1} more .bin files` : ''}, ` +
      'but only safetensors weights are read (save the model with safe_serialization=True, or convert it)';
  }
  return new FormatError(folder, message);
}

/**
 * Every tensor of the folder's checkpoint. With `model.safetensors.index.json`: the shards its weight_map names,
 * each holding exactly the tensors the index puts in it (a missing shard, a tensor in two shards, a tensor the
 * index puts elsewhere or does not list, and a listed tensor its shard lacks are FormatErrors naming the file and
 * the tensor); the tensors come shard by shard in shard-name order, each shard's in its header order. Without an
 * index: `model.safetensors`, in header order. With neither, a FormatError on `folder` saying what it needs.
 */
export function readFolderTensors(files: FolderFiles, folder: string): ReadonlyMap<string, SafetensorsTensor> {
  checkFolderFiles(files);
  const indexFile = files.get(SAFETENSORS_INDEX_FILE);
  if (indexFile === undefined) {
    const single = files.get(SAFETENSORS_FILE);
    if (single === undefined) throw noWeights(files, folder);
    return parseSafetensors(single.bytes, single.name).tensors;
  }
  const index = indexFile.name;
  const weightMap = parseSafetensorsIndex(indexFile.bytes, index);
  const shardNames = [...new Set(weightMap.values())].sort();
  if (shardNames.length === 0) throw new FormatError(index, 'weight_map lists no tensors');

  // every shard parsed first, so that a tensor in two shards is reported as such whichever comes first
  const shards = shardNames.map((shard) => {
    const file = files.get(shard);
    if (file === undefined) {
      const example = [...weightMap].find(([, s]) => s === shard)?.[0] ?? '';
      throw new FormatError(
        index,
        `weight_map puts tensor "${brief(example)}" in shard "${brief(shard)}", which is not in the folder ${folder}`,
      );
    }
    return { shard, file: file.name, tensors: parseSafetensors(file.bytes, file.name).tensors };
  });
  /** tensor name -> the file it was first found in */
  const foundIn = new Map<string, string>();
  for (const { file, tensors } of shards) {
    for (const name of tensors.keys()) {
      const previous = foundIn.get(name);
      if (previous !== undefined) {
        throw new FormatError(file, `tensor "${brief(name)}" is in two shards: ${previous} and this one`);
      }
      foundIn.set(name, file);
    }
  }
  const merged = new Map<string, SafetensorsTensor>();
  for (const { shard, file, tensors } of shards) {
    for (const [name, tensor] of tensors) {
      const where = `tensor "${brief(name)}"`;
      const listed = weightMap.get(name);
      if (listed === undefined) throw new FormatError(file, `${where} is not listed in the weight_map of ${index}`);
      if (listed !== shard) {
        throw new FormatError(file, `${where} is in this shard, but ${index} puts it in "${brief(listed)}"`);
      }
      merged.set(name, tensor);
    }
  }
  for (const [name, shard] of weightMap) {
    if (!merged.has(name)) {
      const file = files.get(shard)?.name ?? shard;
      throw new FormatError(file, `has no tensor "${brief(name)}", which the weight_map of ${index} puts in it`);
    }
  }
  return merged;
}

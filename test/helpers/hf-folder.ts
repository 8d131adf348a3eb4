// Hugging Face model folders built in memory for the io tests: a checkpoint's float tensors re-written with
// writeSafetensors (in another dtype, or split into shards with a model.safetensors.index.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FolderFiles } from '../../src/io/hf/folder.js';
import type { FloatDtype, Safetensors } from '../../src/io/safetensors.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';

/** The float tensors of a parsed file, in its header order, as `dtype` (their own dtype by default). */
export function writableTensors(st: Safetensors, dtype?: FloatDtype): WritableTensor[] {
  const out: WritableTensor[] = [];
  for (const t of st.tensors.values()) {
    if (!('data' in t)) throw new Error(`${t.name} is ${t.dtype}, not a float tensor`);
    out.push({ name: t.name, dtype: dtype ?? t.dtype, shape: t.shape, data: t.data });
  }
  return out;
}

export const shardName = (i: number, count: number): string =>
  `model-${String(i + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`;

/** Index JSON bytes for a weight map, in the form transformers writes it. */
export function indexJson(weightMap: Readonly<Record<string, string>>, totalSize = 0): Uint8Array {
  const sorted = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : 1)));
  return new TextEncoder().encode(JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sorted }, null, 2));
}

/**
 * `tensors` split into `count` shards of consecutive tensors (as even as the tensor count allows) plus
 * model.safetensors.index.json: file base name -> bytes.
 */
export function shardFiles(
  tensors: readonly WritableTensor[],
  count: number,
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (let i = 0; i < count; i++) {
    const part = tensors.slice(
      Math.round((i * tensors.length) / count),
      Math.round(((i + 1) * tensors.length) / count),
    );
    const name = shardName(i, count);
    for (const t of part) {
      weightMap[t.name] = name;
      totalSize += t.data.length * (t.dtype === 'F32' ? 4 : 2);
    }
    files.set(name, writeSafetensors(part, metadata));
  }
  files.set('model.safetensors.index.json', indexJson(weightMap, totalSize));
  return files;
}

/** FolderFiles from base name -> bytes; each file's `name` is `${folder}/${base name}`. */
export function folderOf(files: ReadonlyMap<string, Uint8Array>, folder = 'mem'): FolderFiles {
  return new Map([...files].map(([name, bytes]) => [name, { name: `${folder}/${name}`, bytes }]));
}

/** Writes base name -> bytes into `dir` (created if needed). */
export function writeFolder(dir: string, files: ReadonlyMap<string, Uint8Array | string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
}

import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { folderFromFiles, type PickedFile } from '../../src/io/hf/file-list.js';
import { readFolderTensors } from '../../src/io/hf/folder.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { shardFiles } from '../helpers/hf-folder.js';

const TENSORS: WritableTensor[] = ['a', 'b', 'c'].map((name, i) => ({
  name,
  dtype: 'F32',
  shape: [1],
  data: Float32Array.of(i),
}));

/** Fake File objects at `path`s under a picked folder; `reads` lists the paths whose bytes were asked for. */
function picked(files: ReadonlyMap<string, Uint8Array | string>): { files: PickedFile[]; reads: string[] } {
  const reads: string[] = [];
  const list = [...files].map(([path, content]): PickedFile => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return {
      name: path.slice(path.lastIndexOf('/') + 1),
      webkitRelativePath: path,
      arrayBuffer: () => {
        reads.push(path);
        return Promise.resolve(bytes.slice().buffer);
      },
    };
  });
  return { files: list, reads };
}

describe('folderFromFiles', () => {
  it('keys by base name, reads only what a model folder needs, and the files load', async () => {
    const { files, reads } = picked(
      new Map<string, Uint8Array | string>([
        ['gpt2/config.json', '{}'],
        ['gpt2/vocab.json', '{}'],
        ['gpt2/model.safetensors', writeSafetensors(TENSORS)],
        ['gpt2/pytorch_model.bin', 'never read'],
        ['gpt2/onnx/model.onnx', 'never read'],
        ['gpt2/onnx/config.json', 'deeper: loses to gpt2/config.json'],
      ]),
    );
    const folder = await folderFromFiles(files);
    expect([...folder.keys()]).toEqual(['config.json', 'model.safetensors', 'vocab.json']);
    expect(folder.get('config.json')?.name).toBe('gpt2/config.json');
    expect(reads.sort()).toEqual(['gpt2/config.json', 'gpt2/model.safetensors', 'gpt2/vocab.json']);
    expect([...readFolderTensors(folder, 'gpt2').keys()]).toEqual(['a', 'b', 'c']);
  });

  it('reads the index, then only the shards it names', async () => {
    const shards = [...shardFiles(TENSORS, 2)].map(([name, bytes]) => [`m/${name}`, bytes] as const);
    const { files, reads } = picked(
      new Map<string, Uint8Array | string>([...shards, ['m/config.json', '{}'], ['m/old.safetensors', 'x']]),
    );
    const folder = await folderFromFiles(files);
    expect(reads).not.toContain('m/old.safetensors');
    expect(readFolderTensors(folder, 'm').size).toBe(3);
  });

  it('works with plain names (no relative path), and names two same-depth files of a name it reads', async () => {
    const plain: PickedFile = { name: 'config.json', arrayBuffer: () => Promise.resolve(new ArrayBuffer(2)) };
    expect([...(await folderFromFiles([plain])).keys()]).toEqual(['config.json']);
    const { files } = picked(
      new Map([
        ['a/config.json', '{}'],
        ['b/config.json', '{}'],
        ['a/README.md', ''],
        ['b/README.md', ''], // not read, so not a conflict
      ]),
    );
    const e = await folderFromFiles(files).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).message).toBe(
      "a/config.json: has the same name as b/config.json: pick the model's own folder",
    );
  });
});

import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, InvalidArgumentError } from '../../src/errors.js';
import { readFolderTensors } from '../../src/io/hf/folder.js';
import { readModelFolder } from '../../src/io/node/folder.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { shardFiles, writeFolder } from '../helpers/hf-folder.js';

const root = mkdtempSync(join(tmpdir(), 'mbe-snn-hf-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TENSORS: WritableTensor[] = ['a', 'b', 'c', 'd'].map((name, i) => ({
  name,
  dtype: 'F32',
  shape: [1],
  data: Float32Array.of(i),
}));

describe('readModelFolder', () => {
  it('reads the config, tokenizer files, index and the shards it names; nothing else', async () => {
    const dir = join(root, 'sharded');
    const files = new Map<string, Uint8Array | string>([
      ...shardFiles(TENSORS, 2),
      ['config.json', '{}'],
      ['tokenizer.json', '{}'],
      ['merges.txt', ''],
      ['pytorch_model.bin', 'not read'],
      ['model.safetensors', 'not read: the index wins'],
      ['stray.safetensors', 'not read: not in the index'],
      ['README.md', 'not read'],
    ]);
    writeFolder(dir, files);
    const folder = await readModelFolder(dir);
    expect([...folder.keys()]).toEqual([
      'config.json',
      'merges.txt',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
      'tokenizer.json',
    ]);
    expect(folder.get('config.json')?.name).toBe(join(dir, 'config.json'));
    expect([...readFolderTensors(folder, dir).keys()]).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads every *.safetensors when there is no index, and follows symbolic links', async () => {
    const dir = join(root, 'plain');
    writeFolder(
      dir,
      new Map<string, Uint8Array | string>([
        ['config.json', '{}'],
        ['extra.safetensors', writeSafetensors(TENSORS)],
      ]),
    );
    const blob = join(root, 'blob');
    writeFileSync(blob, writeSafetensors(TENSORS));
    symlinkSync(blob, join(dir, 'model.safetensors'));
    const folder = await readModelFolder(dir);
    expect([...folder.keys()]).toEqual(['config.json', 'extra.safetensors', 'model.safetensors']);
    expect(readFolderTensors(folder, dir).size).toBe(4);
  });

  it('rejects a path that is not a folder, a missing one, and a folder with no config.json', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(readModelFolder(file)).rejects.toThrow(InvalidArgumentError);
    await expect(readModelFolder(file)).rejects.toThrow(`${file}: is a file, expected a model folder`);
    const missing = join(root, 'nope');
    await expect(readModelFolder(missing)).rejects.toThrow(`${missing}: no such folder`);
    const empty = join(root, 'no-config');
    writeFolder(empty, new Map([['model.safetensors', writeSafetensors(TENSORS)]]));
    await expect(readModelFolder(empty)).rejects.toThrow(FormatError);
    await expect(readModelFolder(empty)).rejects.toThrow(`${empty}: has no config.json`);
  });

  it('leaves a shard the index names but the folder lacks to readFolderTensors, which names it', async () => {
    const dir = join(root, 'missing-shard');
    const files = shardFiles(TENSORS, 2);
    files.delete('model-00002-of-00002.safetensors');
    writeFolder(dir, new Map<string, Uint8Array | string>([...files, ['config.json', '{}']]));
    const folder = await readModelFolder(dir);
    expect(() => readFolderTensors(folder, dir)).toThrow(
      'shard "model-00002-of-00002.safetensors", which is not in the folder',
    );
  });
});

describeFixtures('readModelFolder on hf-tiny', () => {
  it('returns config.json and model.safetensors of gpt2-tiny (not golden.json)', async () => {
    const dir = fixture('hf-tiny', 'gpt2-tiny');
    const folder = await readModelFolder(dir);
    expect([...folder.keys()]).toEqual(['config.json', 'model.safetensors']);
    expect(folder.get('model.safetensors')?.bytes.length).toBe(675_400);
    expect(readFolderTensors(folder, dir).size).toBe(28);
  });

  it('reads preprocessor_config.json of vit-tiny-cls, and rejects the model.safetensors file itself', async () => {
    const folder = await readModelFolder(fixture('hf-tiny', 'vit-tiny-cls'));
    expect([...folder.keys()]).toEqual(['config.json', 'model.safetensors', 'preprocessor_config.json']);
    const file = fixture('hf-tiny', 'vit-tiny-cls', 'model.safetensors');
    await expect(readModelFolder(file)).rejects.toThrow(InvalidArgumentError);
  });
});

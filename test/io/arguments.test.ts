// The readers' public entry points on arguments of the wrong type (issue 13): null, undefined, a plain Array or a
// string where bytes or a folder's files are expected is an InvalidArgumentError naming the argument, not a TypeError.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { HfConfig } from '../../src/io/hf/config.js';
import { parseSafetensorsIndex, readFolderTensors } from '../../src/io/hf/folder.js';
import { parsePreprocessorConfig } from '../../src/io/hf/preprocessor.js';
import { hfTokenizer } from '../../src/io/hf/tokenizer.js';
import { gunzip, parseIdxImages, parseIdxLabels } from '../../src/io/idx.js';
import { checkImage, resizeImage, toGrey } from '../../src/io/images/index.js';
import { parseLlama2c, parseLlama2cConfig } from '../../src/io/llama2c.js';
import { llama2cTokenizerJson } from '../../src/io/llama2c-tokenizer-json.js';
import { decodeImage, readImageFile, readImageFolder } from '../../src/io/node/images.js';
import { loadSafetensors, readFileBytes } from '../../src/io/node/files.js';
import { readModelFolder } from '../../src/io/node/folder.js';
import { floatTensor, floatTensorMap, parseSafetensors } from '../../src/io/safetensors.js';
import { writeSafetensors } from '../../src/io/safetensors-writer.js';
import { parseTokenizer } from '../../src/io/tokenizer.js';

type Loose = (...args: unknown[]) => unknown;
const BAD_BYTES: unknown[] = [null, undefined, [1, 2, 3], 'bytes', 42, { byteLength: 8 }];

describe('reader arguments of the wrong type', () => {
  const byteReaders: [string, Loose][] = [
    ['parseSafetensors', parseSafetensors as Loose],
    ['parseLlama2c', parseLlama2c as Loose],
    ['parseLlama2cConfig', parseLlama2cConfig as Loose],
    ['parseTokenizer', (data) => parseTokenizer(data as Uint8Array, 3)],
    ['parseIdxImages', parseIdxImages as Loose],
    ['parseIdxLabels', parseIdxLabels as Loose],
    ['parseSafetensorsIndex', parseSafetensorsIndex as Loose],
    ['HfConfig.parse', (data) => HfConfig.parse(data as Uint8Array)],
    ['parsePreprocessorConfig', parsePreprocessorConfig as Loose],
    ['decodeImage', decodeImage as Loose],
  ];
  it.each(byteReaders)('%s rejects data that is not bytes with InvalidArgumentError', (_, read) => {
    for (const data of BAD_BYTES) expect(() => read(data), String(data)).toThrow(InvalidArgumentError);
    expect(() => read(null)).toThrow(/must be a Uint8Array or an ArrayBuffer, got null/);
    expect(() => read([1])).toThrow(/got an Array/);
  });

  it('gunzip rejects data that is not bytes', async () => {
    for (const data of BAD_BYTES) await expect((gunzip as Loose)(data)).rejects.toThrow(InvalidArgumentError);
  });

  it('the folder readers reject files that are not a Map, and a file whose bytes are not bytes', () => {
    for (const files of [null, undefined, [], {}]) {
      expect(() => (readFolderTensors as Loose)(files, 'f')).toThrow(InvalidArgumentError);
      expect(() => (hfTokenizer as Loose)(files, 'f')).toThrow(InvalidArgumentError);
    }
    const broken = new Map([['model.safetensors', { name: 'f/model.safetensors', bytes: null }]]);
    expect(() => (readFolderTensors as Loose)(broken, 'f')).toThrow(InvalidArgumentError);
    const tokenizer = new Map([['tokenizer.json', { name: 'f/tokenizer.json', bytes: [123, 125] }]]);
    expect(() => (hfTokenizer as Loose)(tokenizer, 'f')).toThrow(InvalidArgumentError);
  });

  it('the tensor accessors and the writer reject what is not a parsed file or a tensor list', () => {
    for (const st of [null, undefined, {}, []]) {
      expect(() => (floatTensor as Loose)(st, 'a')).toThrow(InvalidArgumentError);
      expect(() => (floatTensorMap as Loose)(st)).toThrow(InvalidArgumentError);
    }
    for (const tensors of [null, {}]) expect(() => (writeSafetensors as Loose)(tensors)).toThrow(InvalidArgumentError);
    expect(() => (writeSafetensors as Loose)([null])).toThrow(InvalidArgumentError);
    expect(() => (writeSafetensors as Loose)([{ name: 'a', dtype: 'F32', shape: [1], data: [1] }])).toThrow(
      InvalidArgumentError,
    );
    expect(() => (llama2cTokenizerJson as Loose)(null)).toThrow(InvalidArgumentError);
  });

  it('the image helpers reject what is not a decoded image', () => {
    for (const image of [null, undefined, [], { width: 1, height: 1, channels: 1, data: [0] }]) {
      expect(() => (checkImage as Loose)(image)).toThrow(InvalidArgumentError);
      expect(() => (toGrey as Loose)(image)).toThrow(InvalidArgumentError);
      expect(() => (resizeImage as Loose)(image, { width: 1, height: 1, resample: 'nearest' })).toThrow(
        InvalidArgumentError,
      );
    }
    const image = { width: 1, height: 1, channels: 1, data: new Uint8Array(1) };
    expect(() => (resizeImage as Loose)(image, null)).toThrow(InvalidArgumentError);
  });

  it('the Node readers reject a path that is not a string', async () => {
    const readers = [readFileBytes, loadSafetensors, readModelFolder, readImageFolder, readImageFile] as Loose[];
    for (const read of readers) {
      for (const path of [null, undefined, 42, ['a'], '']) {
        await expect((async () => read(path))()).rejects.toThrow(InvalidArgumentError);
      }
    }
  });
});

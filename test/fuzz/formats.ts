// Every format the library reads, for the fuzzer: small valid files built here (the seeds a case mutates) and how
// the library reads them. A format is a set of files by name, so that folders (an index and its shards, a tokenizer
// and its configs) are fuzzed one file at a time.
import { gzipSync } from 'node:zlib';
import { HfConfig } from '../../src/io/hf/config.js';
import { readFolderTensors } from '../../src/io/hf/folder.js';
import { imageNormalization, parsePreprocessorConfig } from '../../src/io/hf/preprocessor.js';
import { hfTokenizer } from '../../src/io/hf/tokenizer.js';
import { gunzip, parseIdxImages, parseIdxLabels } from '../../src/io/idx.js';
import { parseLlama2c } from '../../src/io/llama2c.js';
import { llama2cTokenizerJson } from '../../src/io/llama2c-tokenizer-json.js';
import { decodeImage } from '../../src/io/node/images.js';
import { floatTensorMap, parseSafetensors } from '../../src/io/safetensors.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { parseTokenizer } from '../../src/io/tokenizer.js';
import { Weights } from '../../src/models/weights.js';
import { paragraphRows, sentenceRows } from '../../src/tasks/encoder-similarity.js';
import { checkIdLines, parseIdLines, splitParagraphs } from '../../src/tasks/language-model.js';
import { parseLabelledTsv, prepareRows } from '../../src/tasks/sequence-classification.js';
import { seededRandom } from '../../src/random.js';
import { folderOf, shardFiles } from '../helpers/hf-folder.js';
import { GREY_JPEG, jpegBytes, palettePngBytes, pngBytes } from '../helpers/images.js';
import { llama2cVocabulary, tokenizerBin } from '../helpers/llama2c.js';
import { normal } from '../helpers/random.js';
import { idxFile } from '../helpers/idx.js';

/** A format's files by name. */
export type Files = ReadonlyMap<string, Uint8Array>;

export interface FuzzFormat {
  readonly name: string;
  /** Valid inputs a case starts from. */
  readonly seeds: readonly Files[];
  /** Reads the files as the library does (and uses what it read a little); returns, or throws. */
  readonly read: (files: Files) => unknown;
}

const text = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
/** One file; a plain copy, so that no Buffer of an encoder is shared. */
const one = (name: string, bytes: Uint8Array): Files => new Map([[name, new Uint8Array(bytes)]]);
const file = (files: Files, name: string): Uint8Array => files.get(name) ?? new Uint8Array(0);
/** A text file as the CLI reads it (UTF-8, bad bytes replaced). */
const textOf = (files: Files, name: string): string => new TextDecoder().decode(file(files, name));
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value);
/** The model the data files are checked against: its vocabulary and context. */
const DATA_MODEL = { vocabSize: 128, contextLength: 8 };
/** The files as a folder of FolderFile (name `m/<base name>`). */
const folder = (files: Files) => folderOf(new Map(files), 'm');

/** A llama2.c v0 checkpoint: dim 4, hidden 6, 2 layers, 2 heads, `kvHeads` kv heads, vocab 5 (shared or not), seq 3. */
function checkpoint(signedVocab: number, kvHeads: number): Uint8Array {
  const header = [4, 6, 2, 2, kvHeads, signedVocab, 3];
  const kvDim = 2 * kvHeads;
  const floats = 20 + 8 + 32 + 2 * (2 * kvDim * 4) + 32 + 8 + 3 * 48 + 4 + 6 + (signedVocab < 0 ? 20 : 0);
  const bytes = new Uint8Array(28 + 4 * floats);
  const view = new DataView(bytes.buffer);
  header.forEach((v, i) => view.setInt32(4 * i, v, true));
  normal(seededRandom(3), floats, 0.1).forEach((v, k) => view.setFloat32(28 + 4 * k, v, true));
  return bytes;
}

const PIECES = [' the', ' cat', 'th', 'he', 'the', ' c', 'at', 'ca', ' t'].map((p, i): [string, number] => [p, -i]);
const VOCABULARY = llama2cVocabulary(PIECES);

function tensors(): WritableTensor[] {
  const random = seededRandom(5);
  return [
    { name: 'emb.weight', dtype: 'F32', shape: [3, 4], data: normal(random, 12) },
    { name: 'ln.bias', dtype: 'F32', shape: [4], data: normal(random, 4) },
    { name: 'proj.weight', dtype: 'F16', shape: [2, 2], data: normal(random, 4) },
    { name: 'head.weight', dtype: 'BF16', shape: [2, 3], data: normal(random, 6) },
  ];
}

/** An IDX file whose elements are a varied byte pattern. */
function idx(magic: number, dims: number[]): Uint8Array {
  const count = dims.reduce((p, d) => p * d, 1);
  return idxFile(
    magic,
    dims,
    Uint8Array.from({ length: count }, (_, i) => (i * 37) & 0xff),
  );
}

const GPT2_CONFIG = {
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  n_embd: 64,
  n_head: 4,
  n_layer: 2,
  n_positions: 128,
  vocab_size: 512,
  layer_norm_epsilon: 1e-5,
  activation_function: 'gelu_new',
  bos_token_id: 1,
  eos_token_id: [2],
  tie_word_embeddings: true,
};

const PREPROCESSOR = {
  do_resize: true,
  size: { height: 224, width: 224 },
  resample: 2,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
};

const BERT_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', '##s', 'sat', ',', '.'].join('\n');
const GPT2_VOCAB = { '<|endoftext|>': 0, h: 1, e: 2, l: 3, o: 4, he: 5, ll: 6, hell: 7, hello: 8, Ġ: 9 };

const SAMPLE = 'the cat sat, hello';

/** A small picture (height, width, channels) of a gradient. */
const picture = (w: number, h: number, c: number) => Uint8Array.from({ length: w * h * c }, (_, i) => (i * 29) & 0xff);

export const FORMATS: readonly FuzzFormat[] = [
  {
    name: 'llama2c checkpoint',
    seeds: [one('model.bin', checkpoint(5, 1)), one('model.bin', checkpoint(-5, 2))],
    read: (files) => parseLlama2c(file(files, 'model.bin'), 'model.bin'),
  },
  {
    name: 'llama2c tokenizer.bin',
    seeds: [one('tokenizer.bin', tokenizerBin(VOCABULARY))],
    read: (files) => {
      const tokenizer = parseTokenizer(file(files, 'tokenizer.bin'), VOCABULARY.length, 'tokenizer.bin');
      tokenizer.decodeAll(tokenizer.encode(SAMPLE, { bos: true }));
      return llama2cTokenizerJson(tokenizer, { file: 'tokenizer.bin' });
    },
  },
  {
    name: 'safetensors',
    seeds: [one('model.safetensors', writeSafetensors(tensors(), { format: 'pt' }))],
    read: (files) => floatTensorMap(parseSafetensors(file(files, 'model.safetensors'), 'model.safetensors')),
  },
  {
    name: 'safetensors index + shards',
    seeds: [shardFiles(tensors(), 2)],
    read: (files) => {
      const read = readFolderTensors(folder(files), 'm');
      const weights = new Weights(new Map([...read].flatMap(([n, t]) => ('data' in t ? [[n, t] as const] : []))), 'm');
      for (const [name, t] of weights.tensors) weights.tensor(name, t.shape);
      return read;
    },
  },
  {
    name: 'IDX images',
    seeds: [one('images.idx', idx(0x803, [3, 4, 4]))],
    read: (files) => parseIdxImages(file(files, 'images.idx'), 'images.idx'),
  },
  {
    name: 'IDX labels',
    seeds: [one('labels.idx', idx(0x801, [5]))],
    read: (files) => parseIdxLabels(file(files, 'labels.idx'), 'labels.idx'),
  },
  {
    name: 'IDX gzip',
    seeds: [one('images.gz', new Uint8Array(gzipSync(idx(0x803, [3, 4, 4]))))],
    read: async (files) => parseIdxImages(await gunzip(file(files, 'images.gz'), 'images.gz', { maxBytes: 1 << 20 })),
  },
  {
    name: 'config.json',
    seeds: [one('config.json', text(GPT2_CONFIG))],
    read: (files) => {
      const config = HfConfig.parse(file(files, 'config.json'), 'config.json');
      const sizes = ['n_embd', 'n_head', 'n_layer', 'n_positions', 'vocab_size'].map((f) => config.int(f));
      config.number('layer_norm_epsilon', { fallback: 1e-5 });
      config.string('activation_function', ['gelu_new', 'gelu', 'relu'], 'gelu_new');
      config.boolean('tie_word_embeddings', true);
      return [sizes, config.architectures, config.modelType];
    },
  },
  {
    name: 'preprocessor_config.json',
    seeds: [one('preprocessor_config.json', text(PREPROCESSOR))],
    read: (files) => {
      const p = parsePreprocessorConfig(file(files, 'preprocessor_config.json'), 'preprocessor_config.json');
      return imageNormalization(p, { height: p.resize?.height ?? 224, width: p.resize?.width ?? 224, channels: 3 });
    },
  },
  {
    name: 'tokenizer.json',
    seeds: [
      (() => {
        const tokenizer = parseTokenizer(tokenizerBin(VOCABULARY), VOCABULARY.length);
        const { tokenizerJson, tokenizerConfig } = llama2cTokenizerJson(tokenizer);
        return new Map([
          ['tokenizer.json', text(tokenizerJson)],
          ['tokenizer_config.json', text(tokenizerConfig)],
          ['config.json', text({ model_type: 'llama', bos_token_id: 1, eos_token_id: 2 })],
        ]);
      })(),
    ],
    read: (files) => {
      const tokenizer = hfTokenizer(folder(files), 'm');
      return tokenizer.decode(tokenizer.encode(SAMPLE).filter((id) => id < tokenizer.vocabSize));
    },
  },
  {
    name: 'tokenizer vocabulary files',
    seeds: [
      new Map([
        ['vocab.txt', new TextEncoder().encode(BERT_VOCAB)],
        ['tokenizer_config.json', text({ do_lower_case: true, tokenizer_class: 'BertTokenizer' })],
      ]),
      new Map([
        ['vocab.json', text(GPT2_VOCAB)],
        ['merges.txt', new TextEncoder().encode('#version: 0.2\nh e\nl l\nhe ll\nhell o\n')],
        ['special_tokens_map.json', text({ eos_token: '<|endoftext|>' })],
      ]),
    ],
    read: (files) => {
      const tokenizer = hfTokenizer(folder(files), 'm');
      return tokenizer.encodePair(SAMPLE, 'hello');
    },
  },
  {
    name: 'token-id lines',
    seeds: [one('ids.txt', utf8('1 2 3\n4 5\n\n6 7 8 9 10 11 12 13 14\n'))],
    read: (files) => {
      const lines = parseIdLines(textOf(files, 'ids.txt'), 'ids.txt');
      checkIdLines(lines, 'ids.txt', DATA_MODEL.vocabSize);
      return lines;
    },
  },
  {
    name: 'labelled TSV',
    seeds: [
      one('dev.tsv', utf8('sentence\tlabel\nthe cat sat\t1\na dull film .\tNEGATIVE\n\nhello\t0\n')),
      one('ids.tsv', utf8('1 2 3\t0\n4 5 6 7 8 9 10 11 12\t1\n')),
    ],
    read: (files) => {
      const ids = files.has('ids.tsv');
      const name = ids ? 'ids.tsv' : 'dev.tsv';
      const set = parseLabelledTsv(textOf(files, name), name, { ids });
      // text rows need a tokenizer: one id per character, outside the vocabulary past ASCII
      const perCharacter = { encode: (text: string) => Array.from(text, (c) => c.charCodeAt(0)) };
      return prepareRows(set, DATA_MODEL, ids ? undefined : (perCharacter as never));
    },
  },
  {
    name: 'sentences and paragraphs',
    seeds: [one('text.txt', utf8('Once upon a time.\nThere was a cat.\n\nThe end.\n'))],
    read: (files) => {
      const text = textOf(files, 'text.txt');
      return [sentenceRows(text, 'text.txt'), paragraphRows(text, 'text.txt'), splitParagraphs(text)];
    },
  },
  {
    name: 'PNG',
    seeds: [
      one('image.png', pngBytes(4, 3, 2, picture(4, 3, 3))),
      one('image.png', pngBytes(3, 2, 6, picture(3, 2, 4))),
      one('image.png', pngBytes(2, 2, 0, Uint16Array.from([0, 1000, 40000, 65535]), 16)),
      one('image.png', palettePngBytes(3, 2, Uint8Array.of(0, 1, 2, 1, 0, 2), picture(3, 1, 3), Uint8Array.of(128))),
    ],
    read: (files) => decodeImage(file(files, 'image.png'), 'image.png'),
  },
  {
    name: 'JPEG',
    seeds: [one('image.jpg', jpegBytes(8, 8, picture(8, 8, 3), 90)), one('image.jpg', GREY_JPEG)],
    read: (files) => decodeImage(file(files, 'image.jpg'), 'image.jpg'),
  },
];

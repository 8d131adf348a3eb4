// hfTokenizer on a BERT vocab.txt written here (WordPiece, worked by hand), on tokenizer.json files, and on every kind
// of malformed file: each a FormatError naming the file, with a bounded message.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type FormatError } from '../../src/errors.js';
import { hfTokenizer, hasHfTokenizer, tokenizerJsonFromVocabulary } from '../../src/io/hf/tokenizer.js';
import { formatError } from '../helpers/format-error.js';
import { folderFiles, type FileContent } from '../helpers/tokenizer-files.js';

/** A WordPiece vocabulary, one token a line: the id is the line number. */
const VOCAB = [
  '[PAD]', // 0
  '[unused0]',
  '[UNK]', // 2
  '[CLS]', // 3
  '[SEP]', // 4
  '[MASK]', // 5
  'the', // 6
  'cafe', // 7
  'is', // 8
  'open', // 9
  'un', // 10
  '##aff', // 11
  '##able', // 12
  'hello', // 13
  ',', // 14
  '!', // 15
  '.', // 16
  'world', // 17
  '##s', // 18
  "'", // 19
  's', // 20
  'naive', // 21
  'play', // 22
  '##ing', // 23
  'he', // 24
  '##llo', // 25
  'a', // 26
  'b', // 27
  '?', // 28
  'Hello', // 29
  'café', // 30
  '中', // 31
  '##中', // 32
];
const VOCAB_TXT = VOCAB.join('\n') + '\n';
const [PAD, UNK, CLS, SEP] = [0, 2, 3, 4];

const bert = (extra: Readonly<Record<string, FileContent>> = {}) =>
  hfTokenizer(folderFiles('bert', { 'vocab.txt': VOCAB_TXT, ...extra }), 'bert');

describe('hfTokenizer: BERT from vocab.txt (WordPiece)', () => {
  const tokenizer = bert();

  it('has [PAD] and no bos or eos (so no stop token), and the vocabulary size', () => {
    expect(tokenizer.pad).toBe(PAD);
    expect(tokenizer.bos).toBeUndefined();
    expect(tokenizer.eos).toBeUndefined();
    expect(tokenizer.stopTokens).toEqual([]);
    expect(tokenizer.vocabSize).toBe(VOCAB.length);
  });

  it('lower-cases, strips accents and splits punctuation (do_lower_case defaults to true)', () => {
    // [CLS] hello , world ! [SEP]
    expect(tokenizer.encode('Hello, World!')).toEqual([CLS, 13, 14, 17, 15, SEP]);
    // "Café" -> "cafe"; "OPEN." -> "open" "."
    expect(tokenizer.encode('The Café is OPEN.')).toEqual([CLS, 6, 7, 8, 9, 16, SEP]);
    expect(tokenizer.encode('NAÏVE')).toEqual([CLS, 21, SEP]);
    // "world's" -> world ' s: the apostrophe is punctuation
    expect(tokenizer.encode("world's")).toEqual([CLS, 17, 19, 20, SEP]);
    // whitespace of any kind separates; control characters are dropped
    expect(tokenizer.encode(' a\tb\n\u0000the ')).toEqual([CLS, 26, 27, 6, SEP]);
    expect(tokenizer.encode('')).toEqual([CLS, SEP]);
  });

  it('splits words into the longest pieces first, continuations marked ##', () => {
    expect(tokenizer.encode('unaffable')).toEqual([CLS, 10, 11, 12, SEP]);
    expect(tokenizer.encode('playing worlds')).toEqual([CLS, 22, 23, 17, 18, SEP]);
    // "hello" is a whole token: longest match first, not he ##llo
    expect(tokenizer.encode('hello')).toEqual([CLS, 13, SEP]);
  });

  it('makes a word [UNK] when any of its pieces is not in the vocabulary', () => {
    expect(tokenizer.encode('xyz')).toEqual([CLS, UNK, SEP]);
    // "hello" matches, then "##x" does not: the whole word is unknown
    expect(tokenizer.encode('hellox world')).toEqual([CLS, UNK, 17, SEP]);
  });

  it('puts spaces around CJK characters (tokenize_chinese_chars defaults to true)', () => {
    expect(tokenizer.encode('中中')).toEqual([CLS, 31, 31, SEP]);
  });

  it('encodes a pair as [CLS] a [SEP] b [SEP] with type ids 0 for a and 1 for b', () => {
    expect(tokenizer.encodePair('Hello!', 'the world')).toEqual({
      ids: [CLS, 13, 15, SEP, 6, 17, SEP],
      typeIds: [0, 0, 0, 0, 1, 1, 1],
    });
  });

  it('treats its special tokens in the text as those tokens', () => {
    expect(tokenizer.encode('a [SEP] b [MASK]')).toEqual([CLS, 26, SEP, 27, 5, SEP]);
  });

  it('decodes without the special tokens, joining ## pieces and punctuation', () => {
    expect(tokenizer.decode(tokenizer.encode('Hello, World!'))).toBe('hello, world!');
    expect(tokenizer.decode([10, 11, 12, 22, 23])).toBe('unaffable playing');
    expect(tokenizer.decode([CLS, 6, UNK, SEP])).toBe('the');
    // clean_up_tokenization_spaces, true for BERT unless tokenizer_config.json says otherwise
    expect(tokenizer.decode([17, 19, 20, 8])).toBe("world's is");
    expect(bert({ 'tokenizer_config.json': { clean_up_tokenization_spaces: false } }).decode([17, 19, 20, 8])).toBe(
      "world ' s is",
    );
    expect(() => tokenizer.decode([VOCAB.length])).toThrow(InvalidArgumentError);
  });

  it('keeps case and accents with do_lower_case false, and strips accents alone with strip_accents true', () => {
    const cased = bert({ 'tokenizer_config.json': { do_lower_case: false } });
    expect(cased.encode('Hello hello café Café')).toEqual([CLS, 29, 13, 30, UNK, SEP]);
    const stripped = bert({ 'tokenizer_config.json': { do_lower_case: false, strip_accents: true } });
    expect(stripped.encode('Hello café')).toEqual([CLS, 29, 7, SEP]);
  });

  it('takes its special tokens from special_tokens_map.json over tokenizer_config.json', () => {
    const renamed = bert({
      'tokenizer_config.json': { cls_token: '[SEP]', sep_token: '[SEP]' },
      'special_tokens_map.json': { cls_token: { content: '[MASK]' }, pad_token: '[unused0]' },
    });
    expect(renamed.encode('a')).toEqual([5, 26, SEP]);
    expect(renamed.pad).toBe(1);
  });

  it('is the same tokenizer from the tokenizer.json it stands for (BertNormalizer, BertPreTokenizer, WordPiece)', () => {
    const files = folderFiles('bert', { 'vocab.txt': VOCAB_TXT });
    const json = tokenizerJsonFromVocabulary(files, 'bert')!;
    expect(json.normalizer).toEqual({
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    });
    expect(json.pre_tokenizer).toEqual({ type: 'BertPreTokenizer' });
    expect(json.model).toMatchObject({ type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##' });
    expect(json.added_tokens.map((t) => [t.id, t.content, t.special])).toEqual([
      [0, '[PAD]', true],
      [2, '[UNK]', true],
      [3, '[CLS]', true],
      [4, '[SEP]', true],
      [5, '[MASK]', true],
    ]);
    const fromJson = hfTokenizer(
      folderFiles('bert-json', { 'tokenizer.json': json, 'config.json': { model_type: 'bert' } }),
      'bert-json',
    );
    for (const text of ['The Café is OPEN.', 'unaffable hellox', 'a [SEP] b']) {
      expect(fromJson.encode(text)).toEqual(tokenizer.encode(text));
    }
    expect(fromJson.encodePair('Hello!', 'the world')).toEqual(tokenizer.encodePair('Hello!', 'the world'));
    expect(fromJson.pad).toBe(PAD);
  });
});

describe('hfTokenizer: tokenizer.json and the configs', () => {
  /** A small byte-level-free BPE tokenizer.json: characters merge to "ab", "abc"; <s> and </s> added. */
  const bpeJson = (changes: Readonly<Record<string, unknown>> = {}) => ({
    version: '1.0',
    added_tokens: [
      { id: 0, content: '<s>', special: true },
      { id: 1, content: '</s>', special: true },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] } },
    },
    decoder: null,
    model: {
      type: 'BPE',
      unk_token: '<unk>',
      vocab: { '<s>': 0, '</s>': 1, '<unk>': 2, a: 3, b: 4, c: 5, ab: 6, abc: 7 },
      merges: [
        ['a', 'b'],
        ['ab', 'c'],
      ],
    },
    ...changes,
  });

  it('adds the special tokens its post-processor says, and takes bos/eos/pad from tokenizer_config.json', () => {
    const tokenizer = hfTokenizer(
      folderFiles('llama', {
        'tokenizer.json': bpeJson(),
        'tokenizer_config.json': { bos_token: '<s>', eos_token: { content: '</s>', __type: 'AddedToken' } },
      }),
      'llama',
    );
    expect(tokenizer.encode('abc ab cab x')).toEqual([0, 7, 6, 5, 6, 2]);
    expect(tokenizer.encodePair('abc', 'c')).toEqual({ ids: [0, 7, 5], typeIds: [0, 0, 1] });
    expect([tokenizer.bos, tokenizer.eos, tokenizer.pad, tokenizer.stopTokens]).toEqual([0, 1, undefined, [1]]);
    expect(tokenizer.vocabSize).toBe(8);
  });

  it("falls back to config.json's token ids when no tokenizer file names the tokens", () => {
    const files = folderFiles('m', {
      'tokenizer.json': bpeJson(),
      'config.json': { eos_token_id: [1, 0], pad_token_id: 2 },
    });
    const tokenizer = hfTokenizer(files, 'm');
    expect([tokenizer.bos, tokenizer.eos, tokenizer.pad, tokenizer.stopTokens]).toEqual([undefined, 1, 2, [1]]);
  });

  it('prefers tokenizer.json over the vocabulary files, and says which folders have a tokenizer', () => {
    const both = folderFiles('m', { 'tokenizer.json': bpeJson(), 'vocab.txt': VOCAB_TXT });
    expect(hfTokenizer(both, 'm').encode('abc')).toEqual([0, 7]);
    expect(hasHfTokenizer(both)).toBe(true);
    expect(hasHfTokenizer(folderFiles('m', { 'vocab.json': {}, 'config.json': {} }))).toBe(false);
    expect(hasHfTokenizer(folderFiles('m', { 'vocab.json': {}, 'merges.txt': '' }))).toBe(true);
  });

  it('rejects text that is not a string', () => {
    const tokenizer = hfTokenizer(folderFiles('m', { 'tokenizer.json': bpeJson() }), 'm');
    expect(() => tokenizer.encode(3 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('hfTokenizer: errors', () => {
  /** The FormatError of loading a folder of these files. */
  const loadError = (contents: Readonly<Record<string, FileContent>>): FormatError =>
    formatError(() => hfTokenizer(folderFiles('models/m', contents), 'models/m'));

  /** Expects a FormatError on `base` (as models/m/<base>) matching `message`, at most 300 characters long. */
  function expectFileError(contents: Readonly<Record<string, FileContent>>, base: string, message: RegExp): void {
    const error = loadError(contents);
    expect(error.file).toBe(`models/m/${base}`);
    expect(error.message).toMatch(message);
    expect(error.message.length).toBeLessThanOrEqual(300);
  }

  const LONG = 'x'.repeat(10_000);
  const bpeModel = {
    type: 'BPE',
    vocab: { a: 0, b: 1, ab: 2 },
    merges: ['a b'],
  };
  const tokenizerJson = (changes: Readonly<Record<string, unknown>>) => ({
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: bpeModel,
    ...changes,
  });

  it('names the folder and what it needs when there is no tokenizer', () => {
    const none = loadError({ 'config.json': {} });
    expect(none.file).toBe('models/m');
    expect(none.message).toMatch(
      /has no tokenizer: it needs tokenizer\.json, or vocab\.json and merges\.txt .*vocab\.txt/,
    );
    expect(loadError({ 'vocab.json': { a: 0 } }).message).toMatch(/has vocab\.json but no merges\.txt/);
    expect(loadError({ 'merges.txt': 'a b\n' }).message).toMatch(/has merges\.txt but no vocab\.json/);
  });

  it('rejects a tokenizer.json that is not JSON, not an object, or not a tokenizer', () => {
    expectFileError({ 'tokenizer.json': '{"model": ' + LONG }, 'tokenizer.json', /is not valid JSON/);
    expectFileError({ 'tokenizer.json': new Uint8Array([0x7b, 0xff, 0x7d]) }, 'tokenizer.json', /not valid UTF-8/);
    expectFileError({ 'tokenizer.json': [] }, 'tokenizer.json', /must hold a JSON object/);
    expectFileError({ 'tokenizer.json': tokenizerJson({ model: undefined }) }, 'tokenizer.json', /field "model"/);
    expectFileError(
      { 'tokenizer.json': tokenizerJson({ model: { ...bpeModel, type: 'WordLevel' } }) },
      'tokenizer.json',
      /model\.type must be one of BPE, WordPiece, Unigram; got "WordLevel"/,
    );
  });

  it('rejects a tokenizer.json whose vocabulary, merges or added tokens have the wrong types', () => {
    const json = (model: object) => ({ 'tokenizer.json': tokenizerJson({ model: { ...bpeModel, ...model } }) });
    expectFileError(json({ vocab: [] }), 'tokenizer.json', /model\.vocab must be an object of token -> id/);
    expectFileError(json({ vocab: { a: 0, b: '1' } }), 'tokenizer.json', /model\.vocab\["b"\] must be a non-negative/);
    expectFileError(json({ vocab: { [LONG]: -1 } }), 'tokenizer.json', /model\.vocab\["x+\.\.\."\]/);
    expectFileError(json({ merges: 'a b' }), 'tokenizer.json', /model\.merges must be an array/);
    expectFileError(json({ merges: ['a b c'] }), 'tokenizer.json', /model\.merges\[0\] must be "a b"/);
    expectFileError(json({ merges: ['a b', ['a', 'b']] }), 'tokenizer.json', /model\.merges\[1\] must be "a b" \(as/);
    expectFileError(json({ merges: [['a', 'b'], 'a b'] }), 'tokenizer.json', /model\.merges\[1\] must be \["a", "b"\]/);
    expectFileError(
      json({ merges: [['a', 'c']] }),
      'tokenizer.json',
      /model\.merges\[0\] .* needs "c", not in model\.vocab/,
    );
    expectFileError(json({ unk_token: 7 }), 'tokenizer.json', /model\.unk_token must be null or a token/);
    const wordPiece = { type: 'WordPiece', vocab: { a: 0 }, unk_token: '[UNK]' };
    expectFileError(
      json(wordPiece),
      'tokenizer.json',
      /unk_token of a WordPiece model must be a token of model\.vocab/,
    );
    expectFileError(
      json({ type: 'Unigram', vocab: [['a', 'x']] }),
      'tokenizer.json',
      /model\.vocab\[0\] must be \[token, score\]/,
    );
    const added = (tokens: unknown) => ({ 'tokenizer.json': tokenizerJson({ added_tokens: tokens }) });
    expectFileError(added({}), 'tokenizer.json', /added_tokens must be an array/);
    expectFileError(added([{ id: 'a', content: 'x' }]), 'tokenizer.json', /added_tokens\[0\]\.id must be/);
    expectFileError(added([{ id: 1, content: '' }]), 'tokenizer.json', /added_tokens\[0\]\.content must be/);
    expectFileError(
      added([{ id: 1, content: 'x', special: 'yes' }]),
      'tokenizer.json',
      /\.special must be true or false/,
    );
  });

  it('rejects a tokenizer.json the package cannot run, with its reason', () => {
    expectFileError(
      { 'tokenizer.json': tokenizerJson({ normalizer: 'NFC' }) },
      'tokenizer.json',
      /field "normalizer" must be null or an object with a string "type"/,
    );
    expectFileError(
      { 'tokenizer.json': tokenizerJson({ normalizer: { type: 'Frobnicate' } }) },
      'tokenizer.json',
      /is not a tokenizer @huggingface\/tokenizers can run \(Unknown Normalizer type: Frobnicate\)/,
    );
    expectFileError(
      { 'tokenizer.json': tokenizerJson({ pre_tokenizer: { type: LONG } }) },
      'tokenizer.json',
      /can run \(Unknown PreTokenizer type: x+\.\.\.\)/,
    );
  });

  it('rejects malformed vocab.json, merges.txt and vocab.txt', () => {
    const merges = 'a b\n';
    expectFileError({ 'vocab.json': '[1, 2]', 'merges.txt': merges }, 'vocab.json', /must hold a JSON object/);
    expectFileError({ 'vocab.json': '{"a": 0,', 'merges.txt': merges }, 'vocab.json', /is not valid JSON/);
    expectFileError({ 'vocab.json': { a: 1.5 }, 'merges.txt': merges }, 'vocab.json', /\["a"\] must be a non-negative/);
    expectFileError({ 'vocab.json': {}, 'merges.txt': merges }, 'vocab.json', /holds no tokens/);
    const vocab = { a: 0, b: 1, ab: 2, '<|endoftext|>': 3 };
    expectFileError(
      { 'vocab.json': vocab, 'merges.txt': '#version: 0.2\na b\nab\n' },
      'merges.txt',
      /line 3 must be a merge "a b"; got "ab"/,
    );
    expectFileError(
      { 'vocab.json': vocab, 'merges.txt': '#version: 0.2\nb a\n' },
      'merges.txt',
      /line 2 \("b a"\) needs "ba", not in models\/m\/vocab\.json/,
    );
    expectFileError({ 'vocab.txt': new Uint8Array([0x61, 0x0a, 0xc3]) }, 'vocab.txt', /is not valid UTF-8 text/);
    expectFileError({ 'vocab.txt': '' }, 'vocab.txt', /holds no tokens/);
    expectFileError(
      { 'vocab.txt': '[UNK]\n[SEP]\nhello\n' },
      'vocab.txt',
      /has no token "\[CLS\]", the cls_token a BERT tokenizer/,
    );
  });

  it('rejects malformed tokenizer_config.json, special_tokens_map.json and config.json', () => {
    const vocab = { 'vocab.txt': VOCAB_TXT };
    expectFileError({ ...vocab, 'tokenizer_config.json': '{' }, 'tokenizer_config.json', /is not valid JSON/);
    expectFileError({ ...vocab, 'tokenizer_config.json': '"x"' }, 'tokenizer_config.json', /must hold a JSON object/);
    expectFileError(
      { ...vocab, 'tokenizer_config.json': { do_lower_case: 'yes' } },
      'tokenizer_config.json',
      /field "do_lower_case" must be true or false; got "yes"/,
    );
    expectFileError(
      { ...vocab, 'tokenizer_config.json': { eos_token: 5 } },
      'tokenizer_config.json',
      /field "eos_token" must be a token/,
    );
    expectFileError(
      { ...vocab, 'tokenizer_config.json': { eos_token: '</s>' } },
      'tokenizer_config.json',
      /eos_token "<\/s>" is not in the vocabulary \(models\/m\/vocab\.txt\)/,
    );
    expectFileError(
      { ...vocab, 'tokenizer_config.json': { tokenizer_class: ['BertTokenizer'] } },
      'tokenizer_config.json',
      /field "tokenizer_class" must be a string/,
    );
    expectFileError(
      { ...vocab, 'tokenizer_config.json': { added_tokens_decoder: { x: { content: 'a' } } } },
      'tokenizer_config.json',
      /added_tokens_decoder key "x" must be an id/,
    );
    expectFileError(
      { ...vocab, 'special_tokens_map.json': { additional_special_tokens: [LONG, 3] } },
      'special_tokens_map.json',
      /additional_special_tokens\[1\]" must be a token/,
    );
    expectFileError(
      { ...vocab, 'special_tokens_map.json': 'null' },
      'special_tokens_map.json',
      /must hold a JSON object/,
    );
    expectFileError({ ...vocab, 'config.json': { eos_token_id: 'x' } }, 'config.json', /field "eos_token_id"/);
    expectFileError({ ...vocab, 'config.json': '{' }, 'config.json', /is not valid JSON/);
  });
});

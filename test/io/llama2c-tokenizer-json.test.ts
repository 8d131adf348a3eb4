import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { parseTokenizerJson } from '../../src/io/hf/tokenizer-json.js';
import { hfTokenizer, type HfTokenizer } from '../../src/io/hf/tokenizer.js';
import { llama2cTokenizerJson, type Llama2cHfTokenizer } from '../../src/io/llama2c-tokenizer-json.js';
import { parseTokenizer, type Llama2cTokenizer } from '../../src/io/tokenizer.js';
import { describeFixtures } from '../helpers/fixtures.js';
import {
  bytePieces,
  llama2cVocabulary,
  loadTok512,
  tinyStoriesParagraphs,
  tokenizerBin,
  type ScoredPiece,
} from '../helpers/llama2c.js';

/** A tokenizer as llama2.c's tokenizer.py writes one, with `pieces` (in order, or as an object's entries) from id 259. */
function llama2cTokenizer(pieces: readonly ScoredPiece[] | Readonly<Record<string, number>>): Llama2cTokenizer {
  const all = llama2cVocabulary(Array.isArray(pieces) ? pieces : Object.entries(pieces));
  return parseTokenizer(tokenizerBin(all), all.length, 'test.bin');
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The folder tokenizer the converted files load as. */
function loaded({ tokenizerJson, tokenizerConfig }: Llama2cHfTokenizer): HfTokenizer {
  const files = new Map([
    ['tokenizer.json', { name: 'out/tokenizer.json', bytes: json(tokenizerJson) }],
    ['tokenizer_config.json', { name: 'out/tokenizer_config.json', bytes: json(tokenizerConfig) }],
  ]);
  return hfTokenizer(files, 'out');
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('llama2cTokenizerJson', () => {
  // pieces by id from 259: ' ' 259, 'a' 260, 'b' 261, 'c' 262, 'ab' 263, ' a' 264, 'abc' 265, 'bc' 266, 'aa' 267
  const tokenizer = llama2cTokenizer({
    ' ': -100,
    a: -100,
    b: -100,
    c: -100,
    ab: -1,
    ' a': -2,
    abc: -3,
    bc: -4,
    aa: -5,
  });
  const converted = llama2cTokenizerJson(tokenizer, { modelMaxLength: 64 });
  const model = converted.tokenizerJson['model'] as Record<string, unknown>;

  it('names the control pieces as SentencePiece does, keeps the byte pieces and ids, and writes spaces as ▁', () => {
    const vocab = model['vocab'] as Record<string, number>;
    expect(Object.keys(vocab)).toHaveLength(tokenizer.vocabSize);
    expect([vocab['<unk>'], vocab['<s>'], vocab['</s>'], vocab['<0x00>'], vocab['<0x0A>'], vocab['<0xFF>']]).toEqual([
      0, 1, 2, 3, 13, 258,
    ]);
    expect([vocab['▁'], vocab['▁a'], vocab['abc']]).toEqual([259, 264, 265]);
    expect(model).toMatchObject({ type: 'BPE', byte_fallback: true, fuse_unk: true, unk_token: '<unk>' });
    expect(converted.tokenizerConfig).toMatchObject({
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      add_bos_token: true,
      add_eos_token: false,
      model_max_length: 64,
    });
    // the package-side checks (merges in the vocabulary, added tokens, parts) accept it
    expect(() => parseTokenizerJson({ name: 'tokenizer.json', bytes: json(converted.tokenizerJson) })).not.toThrow();
  });

  it("ranks merges as transformers' generate_merges: by the merged piece's score, then longer left, longer right", () => {
    // 'abc' has two splits: ('ab', 'c') before ('a', 'bc') (longer left part), both at abc's score -3
    expect(converted.merges).toEqual([
      ['a', 'b'],
      ['▁', 'a'],
      ['ab', 'c'],
      ['a', 'bc'],
      ['b', 'c'],
      ['a', 'a'],
    ]);
    expect(converted.tiedScores).toEqual([]);
    expect(model['merges']).toEqual(converted.merges);
  });

  it('encodes and decodes as run.c', () => {
    const hf = loaded(converted);
    expect(hf.bos).toBe(1);
    expect(hf.eos).toBe(2);
    const texts = ['', 'a', 'abc', 'aaa', 'a bc', ' ab', 'ab ', 'cab\nab', 'é€😀', 'bcabcaab ab c', '\t'];
    for (const text of texts) {
      const ids = tokenizer.encode(text, { bos: true });
      expect(hf.encode(text), JSON.stringify(text)).toEqual(ids);
      expect(hf.decode(ids), JSON.stringify(text)).toBe(tokenizer.decodeAll(ids));
      expect(hf.decode(ids)).toBe(text);
    }
  });

  it('reports merged pieces that share a score', () => {
    const tied = llama2cTokenizer({ a: -100, b: -100, ab: -1, ba: -1 });
    expect(llama2cTokenizerJson(tied).tiedScores).toEqual([261, 262]);
  });

  it('rejects a tokenizer.bin a tokenizer.json cannot stand for, naming the file and the token', () => {
    const cases: [Llama2cTokenizer, RegExp][] = [
      [parseTokenizer(tokenizerBin([['<unk>', 0]]), 1), /has 1 tokens; a llama2\.c vocabulary has <unk>/],
      [
        llama2cTokenizer([
          ['a', -1],
          ['a', -2],
        ]),
        /tokens 259 and 260 are both "a"/,
      ],
      [llama2cTokenizer([['\u2581x', -1]]), /token 259 holds "▁"/],
      [llama2cTokenizer([[Uint8Array.of(0xc3), -1]]), /token 259 is not valid UTF-8/],
      [llama2cTokenizer([['', -1]]), /token 259 is empty/],
    ];
    for (const [bad, message] of cases) {
      expect(() => llama2cTokenizerJson(bad, { file: 'tok.bin' })).toThrow(FormatError);
      expect(() => llama2cTokenizerJson(bad, { file: 'tok.bin' })).toThrow(message);
    }
    const bytes = bytePieces();
    bytes[10] = ['\n', 0];
    const noByte = parseTokenizer(tokenizerBin([['<unk>', 0], ['<s>', 0], ['</s>', 0], ...bytes]), 259);
    expect(() => llama2cTokenizerJson(noByte, { file: 'tok.bin' })).toThrow(
      /tok\.bin: token 13 is "\\n", expected the byte piece "<0x0A>"/,
    );
  });
});

describeFixtures('llama2cTokenizerJson on tok512.bin', () => {
  it('encodes the first 200 TinyStories paragraphs to run.c ids and decodes them back to its text', async () => {
    const tokenizer = await loadTok512();
    const converted = llama2cTokenizerJson(tokenizer);
    // tokenizer.bin's pieces: plain spaces, control pieces "\n<s>\n" / "\n</s>\n", byte pieces <0x00>.. at 3..
    expect(new TextDecoder().decode(tokenizer.pieceBytes(259))).toBe(' t');
    expect(new TextDecoder().decode(tokenizer.pieceBytes(1))).toBe('\n<s>\n');
    expect(new TextDecoder().decode(tokenizer.pieceBytes(13))).toBe('<0x0A>');
    expect(converted.tiedScores).toEqual([]);
    const hf = loaded(converted);
    const paragraphs = tinyStoriesParagraphs(0, 200);
    expect(paragraphs).toHaveLength(200);
    let encoded = 0;
    let decoded = 0;
    const differing: number[] = [];
    for (const [i, p] of paragraphs.entries()) {
      const ids = tokenizer.encode(p, { bos: true });
      if (same(hf.encode(p), ids)) encoded++;
      else differing.push(i);
      if (hf.decode(ids) === tokenizer.decodeAll(ids)) decoded++;
    }
    console.log(`tok512 tokenizer.json: ${encoded}/200 paragraphs encode to run.c ids, ${decoded}/200 decode alike`);
    expect(differing).toEqual([]);
    expect(decoded).toBe(200);
  });

  it('differs from run.c only where the text spells a special token, which the HF tokenizer matches', async () => {
    const tokenizer = await loadTok512();
    const hf = loaded(llama2cTokenizerJson(tokenizer));
    expect(hf.encode('a <s> b')).toContain(1);
    expect(tokenizer.encode('a <s> b', { bos: true }).slice(1)).not.toContain(1);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { parseTokenizerJson } from '../../src/io/hf/tokenizer-json.js';
import { hfTokenizer, type HfTokenizer } from '../../src/io/hf/tokenizer.js';
import { llama2cTokenizerJson, type Llama2cHfTokenizer } from '../../src/io/llama2c-tokenizer-json.js';
import { loadTokenizer } from '../../src/io/node/files.js';
import { parseTokenizer, type Llama2cTokenizer } from '../../src/io/tokenizer.js';
import { splitParagraphs } from '../../src/tasks/language-model.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';

/** tokenizer.bin bytes for (piece, score) pairs; a piece given as bytes is written as it is. */
function tokenizerBin(tokens: readonly (readonly [string | Uint8Array, number])[]): Uint8Array {
  const encoded = tokens.map(([p, s]) => [typeof p === 'string' ? new TextEncoder().encode(p) : p, s] as const);
  const out = new Uint8Array(4 + encoded.reduce((n, [b]) => n + 8 + b.length, 0));
  const view = new DataView(out.buffer);
  view.setInt32(0, Math.max(...encoded.map(([b]) => b.length)), true);
  let at = 4;
  for (const [bytes, score] of encoded) {
    view.setFloat32(at, score, true);
    view.setInt32(at + 4, bytes.length, true);
    out.set(bytes, at + 8);
    at += 8 + bytes.length;
  }
  return out;
}

const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
/** As llama2.c's tokenizer.py writes a SentencePiece model: <unk>, the control pieces, the 256 byte pieces, then `pieces`. */
function llama2cTokenizer(pieces: readonly (readonly [string | Uint8Array, number])[]): Llama2cTokenizer {
  const bytes = Array.from({ length: 256 }, (_, b) => [`<0x${hex(b)}>`, 0] as const);
  const all = [['<unk>', 0], ['\n<s>\n', 0], ['\n</s>\n', 0], ...bytes, ...pieces] as const;
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
  const tokenizer = llama2cTokenizer([
    [' ', -100],
    ['a', -100],
    ['b', -100],
    ['c', -100],
    ['ab', -1],
    [' a', -2],
    ['abc', -3],
    ['bc', -4],
    ['aa', -5],
  ]);
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
    const tied = llama2cTokenizer([
      ['a', -100],
      ['b', -100],
      ['ab', -1],
      ['ba', -1],
    ]);
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
    const bytes = Array.from({ length: 256 }, (_, b): [string, number] => [`<0x${hex(b)}>`, 0]);
    bytes[10] = ['\n', 0];
    const noByte = parseTokenizer(tokenizerBin([['<unk>', 0], ['<s>', 0], ['</s>', 0], ...bytes]), 259);
    expect(() => llama2cTokenizerJson(noByte, { file: 'tok.bin' })).toThrow(
      /tok\.bin: token 13 is "\\n", expected the byte piece "<0x0A>"/,
    );
  });
});

describeFixtures('llama2cTokenizerJson on tok512.bin', () => {
  it('encodes the first 200 TinyStories paragraphs to run.c ids and decodes them back to its text', async () => {
    const tokenizer = await loadTokenizer(fixture('llama2c', 'tok512.bin'), 512);
    const converted = llama2cTokenizerJson(tokenizer);
    // tokenizer.bin's pieces: plain spaces, control pieces "\n<s>\n" / "\n</s>\n", byte pieces <0x00>.. at 3..
    expect(new TextDecoder().decode(tokenizer.pieceBytes(259))).toBe(' t');
    expect(new TextDecoder().decode(tokenizer.pieceBytes(1))).toBe('\n<s>\n');
    expect(new TextDecoder().decode(tokenizer.pieceBytes(13))).toBe('<0x0A>');
    expect(converted.tiedScores).toEqual([]);
    const hf = loaded(converted);
    const text = readFileSync(fixture('text', 'tinystories_valid_part1.txt'), 'utf8');
    const paragraphs = splitParagraphs(text).slice(0, 200);
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
    const tokenizer = await loadTokenizer(fixture('llama2c', 'tok512.bin'), 512);
    const hf = loaded(llama2cTokenizerJson(tokenizer));
    expect(hf.encode('a <s> b')).toContain(1);
    expect(tokenizer.encode('a <s> b', { bos: true }).slice(1)).not.toContain(1);
  });
});

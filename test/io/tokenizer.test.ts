import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { mergeTokens } from '../../src/io/bpe.js';
import { BOS, EOS, parseTokenizer, type Llama2cTokenizer } from '../../src/io/tokenizer.js';
import { seededRandom } from '../../src/random.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { llama2cVocabulary, loadTok512, tinyStoriesParagraphs, tokenizerBin } from '../helpers/llama2c.js';

const PIECES = [
  [' ', -1],
  ['a', -1],
  ['b', -1],
  ['c', -1],
  ['é', -1],
  ['ab', -5],
  ['bc', -2],
  ['abc', -3],
  ['aa', -4],
  [' a', -6],
  ['cc', -2e10], // at or below run.c's -1e10 floor: never merged
] as const;
const tokenizer = parseTokenizer(tokenizerBin(llama2cVocabulary(PIECES)), 259 + PIECES.length, 'test.bin');
const id = (piece: string) => tokenizer.lookup(piece);

/** run.c's merge loop, transcribed: rescan all pairs, merge the best, repeat. The reference for mergeTokens. */
function naiveMerge(tokens: number[], mergedId: (a: number, b: number) => number, scores: Float32Array): number[] {
  for (;;) {
    let best = -1e10;
    let bestIdx = -1;
    let bestId = -1;
    for (let i = 0; i + 1 < tokens.length; i++) {
      const m = mergedId(tokens[i]!, tokens[i + 1]!);
      if (m !== -1 && scores[m]! > best) [best, bestIdx, bestId] = [scores[m]!, i, m];
    }
    if (bestIdx === -1) return tokens;
    tokens.splice(bestIdx, 2, bestId);
  }
}

describe('Llama2cTokenizer.encode', () => {
  it('prepends the dummy-prefix space and BOS/EOS as asked', () => {
    expect(tokenizer.encode('')).toEqual([]);
    expect(tokenizer.encode('', { bos: true, eos: true })).toEqual([BOS, EOS]);
    expect(tokenizer.encode('c', { bos: true })).toEqual([BOS, id(' '), id('c')]);
    expect(tokenizer.encode('c', { eos: true })).toEqual([id(' '), id('c'), EOS]);
  });

  it('merges the highest-scoring pair first, the leftmost on ties', () => {
    // " a b c": bc (-2) before ab (-5), then a+bc = abc (-3); " " + abc is no piece
    expect(tokenizer.encode('abc')).toEqual([id(' '), id('abc')]);
    // " a a a": (a, a) ties at positions 1 and 2; the first one merges, then " " + aa is no piece
    expect(tokenizer.encode('aaa')).toEqual([id(' '), id('aa'), id('a')]);
    // " a": " a" (-6) merges when nothing better competes
    expect(tokenizer.encode('a')).toEqual([id(' a')]);
    // scores at or below -1e10 never merge
    expect(tokenizer.encode('cc')).toEqual([id(' '), id('c'), id('c')]);
  });

  it('looks whole UTF-8 codepoints up and falls back to byte tokens', () => {
    expect(tokenizer.encode('é')).toEqual([id(' '), id('é')]);
    // "ü" = c3 bc and "€" = e2 82 ac are not pieces: byte + 3 each
    expect(tokenizer.encode('ü€')).toEqual([id(' '), 0xc3 + 3, 0xbc + 3, 0xe2 + 3, 0x82 + 3, 0xac + 3]);
    expect(tokenizer.encode('😀')).toEqual([id(' '), 0xf0 + 3, 0x9f + 3, 0x98 + 3, 0x80 + 3]);
  });

  it('uses the byte token for the prefix when " " is no piece, and refuses bytes past the vocabulary', () => {
    const small = parseTokenizer(
      tokenizerBin([
        ['<unk>', 0],
        ['\n<s>\n', 0],
        ['\n</s>\n', 0],
        ['x', 0],
      ]),
      4,
    );
    expect(() => small.encode('x')).toThrow(InvalidArgumentError);
    expect(() => small.encode('x')).toThrow('byte 0x20 is not in the vocabulary and its fallback token 35');
  });

  it('mergeTokens matches the transcribed run.c loop on random text', () => {
    const random = seededRandom(5);
    const alphabet = ['a', 'b', 'c', ' ', 'é', 'ü', 'x'];
    const binary = (t: number) => String.fromCharCode(...tokenizer.pieceBytes(t));
    const mergedId = (a: number, b: number) =>
      tokenizer.lookup(Uint8Array.from(binary(a) + binary(b), (ch) => ch.charCodeAt(0)));
    const codepoint = (ch: string) => (id(ch) >= 0 ? [id(ch)] : Array.from(new TextEncoder().encode(ch), (b) => b + 3));
    for (let trial = 0; trial < 300; trial++) {
      const length = 1 + Math.floor(random() * 40);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
      // the sequence before merging: BOS, the dummy prefix, one token (or its bytes) per codepoint
      const unmerged = [BOS, id(' '), ...Array.from(text).flatMap(codepoint)];
      const expected = naiveMerge(unmerged.slice(), mergedId, tokenizer.scores);
      expect(mergeTokens(unmerged.slice(), mergedId, tokenizer.scores)).toEqual(expected);
      expect(tokenizer.encode(text, { bos: true })).toEqual(expected);
    }
  });
});

describe('Llama2cTokenizer.decode', () => {
  it('strips the space after BOS and prints byte tokens as bytes', () => {
    expect(tokenizer.decode(BOS, id(' a'))).toEqual(new TextEncoder().encode('a'));
    expect(tokenizer.decode(id('b'), id(' a'))).toEqual(new TextEncoder().encode(' a'));
    expect(tokenizer.decode(id('b'), 0x41 + 3)).toEqual(Uint8Array.of(0x41));
    expect(tokenizer.decode(BOS, id('abc'))).toEqual(new TextEncoder().encode('abc'));
    expect(() => tokenizer.decode(BOS, 9999)).toThrow('token id 9999 is outside the vocabulary');
  });

  it('decodeAll joins the bytes, so byte-fallback codepoints come back whole', () => {
    for (const text of ['abc', 'a aa  cb', 'ü€😀 é', ' leading space', 'x\ny']) {
      expect(tokenizer.decodeAll(tokenizer.encode(text, { bos: true, eos: true }))).toBe(text);
      expect(tokenizer.decodeAll(tokenizer.encode(text))).toBe(` ${text}`);
    }
  });
});

describe('parseTokenizer', () => {
  const three = [
    ['<unk>', 0],
    ['ab', -1],
    ['c', -2],
  ] as const;

  it('reads pieces, scores and max_token_length', () => {
    const t = parseTokenizer(tokenizerBin(three), 3, 'three.bin');
    expect(t.vocabSize).toBe(3);
    expect(t.maxTokenLength).toBe(5);
    expect(Array.from(t.scores)).toEqual([0, -1, -2]);
    expect(t.pieceBytes(1)).toEqual(new TextEncoder().encode('ab'));
    expect(t.lookup('c')).toBe(2);
    expect(t.lookup('zz')).toBe(-1);
  });

  it('rejects malformed files', () => {
    const good = tokenizerBin(three);
    const at = (bytes: Uint8Array, offset: number, value: number) => {
      const copy = bytes.slice();
      new DataView(copy.buffer).setInt32(offset, value, true);
      return copy;
    };
    expect(formatError(() => parseTokenizer(good.subarray(0, 3), 3, 't.bin')).message).toBe(
      't.bin: file is 3 bytes, shorter than the int32 max_token_length',
    );
    expect(formatError(() => parseTokenizer(at(good, 0, 0), 3)).message).toContain('max_token_length = 0');
    // token 2 starts at byte 4 + (8 + 5) + (8 + 2) = 27
    expect(formatError(() => parseTokenizer(good.subarray(0, 30), 3)).message).toContain(
      'truncated in the score and length of token 2',
    );
    expect(formatError(() => parseTokenizer(good.subarray(0, 20), 3, 't.bin')).message).toBe(
      't.bin: file is 20 bytes, too short for vocab_size = 3 tokens (at least 28 bytes)',
    );
    const negative = formatError(() => parseTokenizer(at(good, 21, -2), 3, 't.bin'));
    expect(negative.message).toBe('t.bin at byte 21: token 1 has negative length -2');
    expect(formatError(() => parseTokenizer(at(good, 21, 6), 3)).message).toContain(
      'token 1 has length 6 > max_token_length 5',
    );
    expect(formatError(() => parseTokenizer(at(at(good, 0, 100), 21, 50), 3)).message).toContain(
      'token 1 has length 50, running past the end of the file (36 bytes)',
    );
    expect(formatError(() => parseTokenizer(good, 4)).message).toContain('holds 3 tokens, expected 4');
    expect(formatError(() => parseTokenizer(good, 2)).message).toContain(
      '9 bytes after token 1: the file holds more than vocab_size = 2 tokens',
    );
    expect(() => parseTokenizer(good, 0)).toThrow(InvalidArgumentError);
  });

  it('checks vocabSize against the file before allocating its scores (issue 13)', () => {
    // 2^31 scores would reserve 8 GiB; 8 bytes a token is the least the file must hold
    const e = formatError(() => parseTokenizer(tokenizerBin(three), 2 ** 31, 't.bin'));
    expect(e.message).toBe(
      't.bin: file is 36 bytes, too short for vocab_size = 2147483648 tokens (at least 17,179,869,188 bytes)',
    );
  });

  it('rejects data that is not bytes, and a vocabSize that is not a number, with InvalidArgumentError', () => {
    const parse = parseTokenizer as (...args: unknown[]) => unknown;
    for (const data of [null, undefined, [1, 2, 3, 4], 'tokenizer.bin', new Float32Array(4)]) {
      expect(() => parse(data, 3), String(data)).toThrow(InvalidArgumentError);
    }
    expect(() => parse(tokenizerBin(three), null)).toThrow('vocabSize must be a positive integer, got null');
    expect(() => parse(tokenizerBin(three), '3')).toThrow('vocabSize must be a positive integer, got "3"');
  });
});

describeFixtures('tok512.bin (real tokenizer)', () => {
  let tok: Llama2cTokenizer;
  const load = async () => (tok ??= await loadTok512());

  it('loads 512 tokens', async () => {
    const t = await load();
    expect(t.vocabSize).toBe(512);
    expect(t.maxTokenLength).toBe(7);
    expect(t.lookup(' ')).toBeGreaterThan(258);
  });

  it('encodes the golden prompt as llama2.c does', async () => {
    const t = await load();
    const golden = JSON.parse(readFileSync(fixture('llama2c', 'golden_logits.json'), 'utf8')) as {
      prompt_ids: number[];
    };
    const ids = t.encode('Once upon a time, there was a little girl named Lily.', { bos: true });
    expect(ids).toEqual(golden.prompt_ids);
  });

  it('gives 29,256 tokens after BOS over the first 300 TinyStories paragraphs, and decodes them back', async () => {
    const t = await load();
    const paras = tinyStoriesParagraphs(0, 300);
    expect(paras.length).toBe(300);
    let total = 0;
    for (const p of paras) {
      const ids = t.encode(p, { bos: true });
      total += ids.length - 1;
      expect(t.decodeAll(ids)).toBe(p);
    }
    expect(total).toBe(29_256);
  });
});

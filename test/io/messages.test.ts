// Error messages stay bounded whatever the input holds (issue 13): every value a reader quotes is summarised
// (describeValue: at most a few hundred characters, never recursing deeper than a few levels) and control
// characters are escaped.
import { describe, expect, it } from 'vitest';
import { type FormatError } from '../../src/errors.js';
import { describeShape, describeText, describeValue } from '../../src/describe.js';
import { HfConfig } from '../../src/io/hf/config.js';
import { parsePreprocessorConfig } from '../../src/io/hf/preprocessor.js';
import { hfTokenizer } from '../../src/io/hf/tokenizer.js';
import { formatError } from '../helpers/format-error.js';
import { folderFiles } from '../helpers/tokenizer-files.js';

const deep = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('describeValue', () => {
  it('is the compact JSON of small plain values', () => {
    expect(describeValue({ a: [1, 'b'], c: null })).toBe('{"a":[1,"b"],"c":null}');
    expect(describeValue('x"y')).toBe('"x\\"y"');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(NaN)).toBe('NaN');
  });

  it('cuts long and deep values without reading all of them', () => {
    expect(describeValue(deep(100_000))).toBe('[[[[...]]]]');
    expect(describeValue('x'.repeat(10_000_000))).toBe(`"${'x'.repeat(59)}..."`);
    expect(describeValue(new Array(1_000_000).fill(7), 20)).toBe('[7,7,7,7,7,7,7,7,...');
    expect(describeValue(10n ** 1000n).length).toBe(64);
  });

  it('escapes control characters and lone surrogates', () => {
    expect(describeValue('a\u0000b\n\u007f\ud800')).toBe('"a\\u0000b\\n\\u007f\\ud800"');
    expect(describeText('a\u0000b')).toBe('a\\u0000b');
  });

  it('describes what is not plain data by its kind, and survives a throwing proxy', () => {
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
    expect(describeValue(new Map())).toBe('a Map object');
    const hostile = new Proxy([], {
      get: () => {
        throw new Error('no');
      },
    });
    expect(describeValue(hostile)).toBe('a value that cannot be shown');
  });

  it('describeShape shows at most 8 dimensions', () => {
    expect(describeShape([64, 192])).toBe('[64, 192]');
    expect(describeShape(new Array(1_000_000).fill(1))).toBe('[1, 1, 1, 1, 1, 1, 1, 1, ... (1000000 dimensions)]');
  });
});

describe('bounded messages of the Hugging Face readers', () => {
  const short = (e: FormatError) => {
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).not.toMatch(/\p{Cc}/u);
    return e.message;
  };

  it('config.json fields that are deep, long or hold control characters', () => {
    const config = (value: unknown) =>
      HfConfig.parse(bytes(`{"hidden_size": ${JSON.stringify(value) ?? ''}}`), 'config.json');
    expect(short(formatError(() => config(deep(4000)).int('hidden_size')))).toContain('got [[[[...]]]]');
    expect(short(formatError(() => config('x'.repeat(500_000)).int('hidden_size')))).toContain('got "xxx');
    expect(short(formatError(() => config('\u0000\u0001').int('hidden_size')))).toContain('got "\\u0000\\u0001"');
  });

  it('preprocessor_config.json fields that are deep or long', () => {
    const parse = (field: string, value: string) =>
      parsePreprocessorConfig(bytes(`{"${field}": ${value}}`), 'preprocessor_config.json');
    short(formatError(() => parse('image_mean', '['.repeat(4000) + ']'.repeat(4000))));
    short(formatError(() => parse('size', `"${'x'.repeat(1_000_000)}"`)));
    short(formatError(() => parse('image_std', `[${'"a",'.repeat(1_000_000)}0]`)));
  });

  it('tokenizer.json parts that are deep or long, and a binary file given as tokenizer.json', () => {
    const tokenizer = (json: string | Uint8Array) => hfTokenizer(folderFiles('m', { 'tokenizer.json': json }), 'm');
    const model = (type: string) => `{"model": {"type": ${type}, "vocab": {}}}`;
    expect(short(formatError(() => tokenizer(model('['.repeat(4000) + ']'.repeat(4000)))))).toContain('[[[[...]]]]');
    short(formatError(() => tokenizer(model(`"${'\\u0000'.repeat(100_000)}"`))));
    short(formatError(() => tokenizer(Uint8Array.from({ length: 4096 }, (_, i) => i % 32))));
  });
});

describe('errors of the tokenizer package', () => {
  it('a post-processor template the package cannot run is a FormatError at load, not a TypeError (issue 13)', () => {
    const json = {
      model: { type: 'WordPiece', unk_token: '[UNK]', vocab: { '[UNK]': 0, a: 1 } },
      post_processor: { type: 'TemplateProcessing', single: 0, pair: [{ Sequence: { id: 'A', type_id: 0 } }] },
    };
    const e = formatError(() => hfTokenizer(folderFiles('m', { 'tokenizer.json': json }), 'm'));
    expect(e.message).toMatch(/^m\/tokenizer\.json: is not a tokenizer @huggingface\/tokenizers can run \(/);
  });
});

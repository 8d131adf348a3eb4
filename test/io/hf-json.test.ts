// parseJsonFile and utf8Text (src/io/hf/json.ts): the size bound, UTF-8, JSON and object checks, each a short
// FormatError naming the file.
import { describe, expect, it } from 'vitest';
import { brief, parseJsonFile, utf8Text } from '../../src/io/hf/json.js';
import { formatError } from '../helpers/format-error.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseJsonFile', () => {
  it('returns the JSON object a file holds', () => {
    expect(parseJsonFile(bytes('{"a": [1, "b"]}'), 'x.json', 100, 'a config')).toEqual({ a: [1, 'b'] });
  });

  it.each([
    ['too many bytes', bytes('{}'.padEnd(101, ' ')), 'is 101 bytes, more than a config can be (100)'],
    ['bytes that are not UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d), 'is not valid UTF-8 text'],
    ['text that is not JSON', bytes('{"a": '), 'is not valid JSON ('],
    ['an array', bytes('[1]'), 'must hold a JSON object'],
    ['null', bytes('null'), 'must hold a JSON object'],
  ])('rejects %s with a FormatError naming the file', (_, input, message) => {
    const e = formatError(() => parseJsonFile(input, 'dir/x.json', 100, 'a config'));
    expect(e.file).toBe('dir/x.json');
    expect(e.message).toContain(`dir/x.json: ${message}`);
  });

  it('keeps the message short whatever the file holds', () => {
    const long = `{"${'\n'.repeat(10)}${'x'.repeat(100_000)}`;
    const e = formatError(() => parseJsonFile(bytes(long), 'x.json', 1 << 20, 'a config'));
    expect(e.message).toMatch(/^x\.json: is not valid JSON \(/);
    expect(e.message.length).toBeLessThan(120);
    expect(e.message).not.toMatch(/\n/);
  });

  it('escapes the control bytes of a binary file in the JSON error (issue 13)', () => {
    const binary = Uint8Array.from({ length: 1000 }, (_, i) => i % 32);
    const e = formatError(() => parseJsonFile(binary, 'model.bin', 1 << 20, 'a config'));
    expect(e.message).toMatch(/^model\.bin: is not valid JSON \(.*\\u0000/);
    expect(e.message).not.toMatch(/\p{Cc}/u);
    expect(e.message.length).toBeLessThan(120);
  });
});

describe('utf8Text and brief', () => {
  it('decodes text within the bound', () => {
    expect(utf8Text(bytes('héllo'), 'x.txt', 6, 'a file')).toBe('héllo');
    expect(() => utf8Text(bytes('héllo'), 'x.txt', 5, 'a vocabulary')).toThrow(
      'x.txt: is 6 bytes, more than a vocabulary can be (5)',
    );
  });

  it('cuts text to 64 characters and escapes control characters', () => {
    expect(brief('a\tb\u0000\u007fc')).toBe('a\\tb\\u0000\\u007fc');
    expect(brief('x'.repeat(100))).toBe(`${'x'.repeat(61)}...`);
  });
});

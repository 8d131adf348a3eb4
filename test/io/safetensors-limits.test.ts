// Bounds of parseSafetensors: the header size limit, messages that stay short whatever the header holds, and
// F16/BF16 tensors widened each into its own f32 array.
import { describe, expect, it } from 'vitest';
import { floatTensor, parseSafetensors } from '../../src/io/safetensors.js';
import { writeSafetensors } from '../../src/io/safetensors-writer.js';
import { formatError } from '../helpers/format-error.js';
import { everyHalfFile, safetensorsFile } from '../helpers/safetensors-bytes.js';

describe('parseSafetensors limits', () => {
  it('rejects a header length over 100 MB before looking further', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 100_000_001n, true);
    const e = formatError(() => parseSafetensors(bytes, 'huge.safetensors'));
    expect(e.message).toBe('huge.safetensors at byte 0: header length 100000001 is over the 100,000,000 bytes limit');
  });

  const long = 'x'.repeat(100_000);
  it.each([
    ['a long name', `{"${long}": 3}`, `tensor "${'x'.repeat(61)}..." is not an object`],
    ['a long dtype', `{"a": {"dtype": "${long}", "shape": [], "data_offsets": [0, 0]}}`, 'has unknown dtype "xxx'],
    [
      'a long shape',
      `{"a": {"dtype": "F32", "shape": [${'1,'.repeat(50_000)}-1], "data_offsets": [0, 0]}}`,
      'has shape [1,1',
    ],
    [
      'long offsets',
      `{"a": {"dtype": "F32", "shape": [], "data_offsets": [${'0,'.repeat(50_000)}0]}}`,
      'has data_offsets [0,0',
    ],
    ['a long metadata key', `{"__metadata__": {"${long}": 1}}`, '__metadata__.xxx'],
    ['a control character in a name', '{"a\\nb": 3}', 'tensor "a\\nb" is not an object'],
  ])('keeps the message short for %s', (_, header, message) => {
    const e = formatError(() => parseSafetensors(safetensorsFile(header), 'long.safetensors'));
    expect(e.message).toContain(message);
    expect(e.message.length).toBeLessThan(300);
  });

  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  it.each([
    ['dtype', 4000, (v: string) => `{"dtype": ${v}, "shape": [], "data_offsets": [0, 0]}`],
    ['shape', 4000, (v: string) => `{"dtype": "F32", "shape": ${v}, "data_offsets": [0, 0]}`],
    ['data_offsets', 4000, (v: string) => `{"dtype": "F32", "shape": [], "data_offsets": ${v}}`],
    ['data_offsets', 100_000, (v: string) => `{"dtype": "F32", "shape": [], "data_offsets": ${v}}`],
  ])('describes a %s nested %i levels deep in a short FormatError (issue 13)', (field, depth, entry) => {
    const e = formatError(() => parseSafetensors(safetensorsFile(`{"a": ${entry(deep(depth))}}`), 'deep.st'));
    expect(e.message).toContain(`${field} [[[[...]]]]`);
    expect(e.message.length).toBeLessThan(300);
  });

  it.each([
    ['a 10 MB dtype', `{"a": {"dtype": "${'x'.repeat(10_000_000)}", "shape": [], "data_offsets": [0, 0]}}`],
    [
      'a shape of a million entries',
      `{"a": {"dtype": "F32", "shape": [${'1,'.repeat(1_000_000)}-1], "data_offsets": [0, 0]}}`,
    ],
    [
      'a shape of a million valid entries',
      `{"a": {"dtype": "F32", "shape": [${'1,'.repeat(1_000_000)}2], "data_offsets": [0, 4]}}`,
    ],
  ])('keeps the message short for %s (issue 13)', (_, header) => {
    const e = formatError(() => parseSafetensors(safetensorsFile(header), 'big.st'));
    expect(e.message.length).toBeLessThan(300);
  });

  it('escapes the control bytes of a binary header in the JSON error (issue 13)', () => {
    const header = new Uint8Array(64).map((_, i) => i % 8);
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    const e = formatError(() => parseSafetensors(bytes, 'model.bin'));
    expect(e.message).toMatch(/^model\.bin at byte 8: header is not valid UTF-8 JSON \(.*\\u0000/);
    expect(e.message).not.toMatch(/\p{Cc}/u);
  });

  it('widens every F16 bit pattern to its value', () => {
    const values = floatTensor(parseSafetensors(everyHalfFile()), 'h', [65536], { allowNonFinite: true }).data;
    let wrong = 0;
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const [e, m] = [(h >> 10) & 0x1f, h & 0x3ff];
      const expected =
        e === 0
          ? sign * m * 2 ** -24
          : e === 0x1f
            ? m
              ? NaN
              : sign * Infinity
            : sign * (1 + m / 1024) * 2 ** (e - 15);
      if (!Object.is(values[h], expected) && wrong++ < 5) expect(values[h], `0x${h.toString(16)}`).toBe(expected);
    }
    expect(wrong).toBe(0);
  });

  it('widens F16 and BF16 tensors each into its own f32 array; F32 stays a view of the file', () => {
    const data = Float32Array.of(1, -2, 0.5);
    const bytes = writeSafetensors([
      { name: 'f32', dtype: 'F32', shape: [3], data },
      { name: 'f16', dtype: 'F16', shape: [3], data },
      { name: 'bf16', dtype: 'BF16', shape: [3], data },
    ]);
    const st = parseSafetensors(bytes);
    expect(floatTensor(st, 'f32').data.buffer).toBe(bytes.buffer);
    for (const name of ['f16', 'bf16']) {
      const widened = floatTensor(st, name).data;
      expect(widened.buffer).not.toBe(bytes.buffer);
      expect(widened.buffer.byteLength).toBe(3 * 4);
      expect(Array.from(widened)).toEqual([1, -2, 0.5]);
    }
  });
});

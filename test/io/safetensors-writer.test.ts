import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { readFileBytes } from '../../src/io/node/files.js';
import { floatTensor, parseSafetensors, type FloatTensor } from '../../src/io/safetensors.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { writableTensors } from '../helpers/hf-folder.js';
import { everyHalfFile } from '../helpers/safetensors-bytes.js';

/** The header text and data start of a written file. */
function layout(bytes: Uint8Array): { header: string; dataStart: number } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: new TextDecoder().decode(bytes.subarray(8, 8 + n)), dataStart: 8 + n };
}

/** (n) f32 values with the given bit patterns */
const fromBits = (bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

/** Writes `data` as one tensor of `dtype` and reads it back widened to f32. */
function roundTrip(data: Float32Array, dtype: 'F16' | 'BF16'): Float32Array {
  const bytes = writeSafetensors([{ name: 'x', dtype, shape: [data.length], data }]);
  return floatTensor(parseSafetensors(bytes), 'x', undefined, { allowNonFinite: true }).data;
}

/** (65536) every half bit pattern widened to f32, read from a hand-made F16 file */
function allHalves(): Float32Array {
  return floatTensor(parseSafetensors(everyHalfFile()), 'h', undefined, { allowNonFinite: true }).data;
}

describe('writeSafetensors', () => {
  const tensors: WritableTensor[] = [
    { name: 'w', dtype: 'F32', shape: [2, 2], data: Float32Array.of(1.5, -2, 3.25, 0) },
    { name: '10', dtype: 'F16', shape: [3], data: Float32Array.of(1, -0.5, 65504) },
    { name: 'b', dtype: 'BF16', shape: [1, 2], data: Float32Array.of(1, -3.5) },
    { name: 'e', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  ];

  it('round-trips through parseSafetensors, keeping order, shapes, dtypes and metadata', () => {
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'x' });
    const { header, dataStart } = layout(bytes);
    expect(header.startsWith('{"__metadata__":{"format":"pt","note":"x"},"w":{"dtype":"F32","shape":[2,2],')).toBe(
      true,
    );
    expect(dataStart % 8).toBe(0);
    expect(header.trimEnd().endsWith('}')).toBe(true);
    expect(bytes.length).toBe(dataStart + 16 + 6 + 4);
    const st = parseSafetensors(bytes, 'written.safetensors');
    expect(st.metadata).toEqual({ format: 'pt', note: 'x' });
    expect([...st.tensors.keys()]).toEqual(['w', '10', 'b', 'e']);
    for (const t of tensors) {
      const read = st.tensors.get(t.name) as FloatTensor;
      expect(read.dtype).toBe(t.dtype);
      expect(read.shape).toEqual(t.shape);
      expect(Array.from(read.data)).toEqual(Array.from(t.data));
    }
  });

  it('leaves __metadata__ out when there is none, and writes an empty file for no tensors', () => {
    expect(layout(writeSafetensors(tensors.slice(0, 1))).header).not.toContain('__metadata__');
    const empty = writeSafetensors([]);
    expect(layout(empty).header.trimEnd()).toBe('{}');
    expect(parseSafetensors(empty).tensors.size).toBe(0);
  });

  it('F16: every half value survives f32 -> F16 exactly (NaNs stay NaN)', () => {
    const halves = allHalves();
    const back = roundTrip(halves, 'F16');
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(halves[h])) expect(back[h], `0x${h.toString(16)}`).toBeNaN();
      else if (!Object.is(back[h], halves[h])) expect(back[h], `0x${h.toString(16)}`).toBe(halves[h]);
    }
  });

  it('F16: rounds to nearest, ties to even, subnormals and overflow included', () => {
    const halves = allHalves();
    // each pair of neighbouring positive halves: the midpoint (exact in f32) and the f32 values either side of it
    const inputs: number[] = [];
    const expected: number[] = [];
    for (let h = 0; h < 0x7bff; h++) {
      const [a, b] = [halves[h] ?? 0, halves[h + 1] ?? 0];
      const midBits = bitsOf(Float32Array.of((a + b) / 2))[0] ?? 0;
      inputs.push(...fromBits([midBits, midBits - 1, midBits + 1]));
      expected.push(h % 2 === 0 ? a : b, a, b);
    }
    inputs.push(65519, 65520, 1e6, -1e6, 2 ** -25, 2 ** -26, -(2 ** -25) * 1.5);
    expected.push(65504, Infinity, Infinity, -Infinity, 0, 0, -(2 ** -24));
    const back = roundTrip(Float32Array.from(inputs), 'F16');
    let wrong = 0;
    back.forEach((v, i) => {
      if (!Object.is(v, expected[i]) && wrong++ < 5) expect(v, `input ${inputs[i]}`).toBe(expected[i]);
    });
    expect(wrong).toBe(0);
    expect(Object.is(roundTrip(Float32Array.of(-0, -(2 ** -30)), 'F16')[1], -0)).toBe(true);
  });

  it('BF16: rounds to nearest, ties to even, keeps NaN and infinities', () => {
    // x = bf16 pattern b (top half) plus a low half: below, at and above the tie
    const cases: [number, number, number][] = [
      [0x3f80_0000, 0x7fff, 0x3f80],
      [0x3f80_8000, 0, 0x3f80], // tie, even stays
      [0x3f81_8000, 0, 0x3f82], // tie, odd goes up
      [0x3f80_8001, 0, 0x3f81],
      [0xbf81_8000, 0, 0xbf82],
      [0x7f7f_ffff, 0, 0x7f80], // largest finite -> infinity
      [0x7f80_0000, 0, 0x7f80],
      [0xff80_0000, 0, 0xff80],
      [0x0000_8000, 0, 0x0000], // subnormal tie to even zero
    ];
    const back = roundTrip(fromBits(cases.map(([x, low]) => x + low)), 'BF16');
    expect(bitsOf(back)).toEqual(cases.map(([, , b]) => (b << 16) >>> 0));
    expect(roundTrip(Float32Array.of(NaN, -NaN), 'BF16').every(Number.isNaN)).toBe(true);
    expect(roundTrip(fromBits([0x7f80_0001]), 'BF16')[0]).toBeNaN(); // a NaN whose payload is all in the low half
  });

  it('rejects duplicate or reserved names, bad shapes and data of the wrong length', () => {
    const t = { name: 'a', dtype: 'F32' as const, shape: [2], data: new Float32Array(2) };
    expect(() => writeSafetensors([t, t])).toThrow(InvalidArgumentError);
    expect(() => writeSafetensors([t, t])).toThrow('tensor "a": name given twice');
    expect(() => writeSafetensors([{ ...t, name: '__metadata__' }])).toThrow('reserved name');
    expect(() => writeSafetensors([{ ...t, shape: [-2] }])).toThrow('shape must be non-negative integers');
    expect(() => writeSafetensors([{ ...t, shape: [3] }])).toThrow('data has 2 values, shape [3] needs 3');
    expect(() => writeSafetensors([{ ...t, name: 'n'.repeat(10_000), shape: [3] }])).toThrow(/^.{0,200}$/);
  });
});

describeFixtures('writeSafetensors on hf-tiny', () => {
  it('reproduces gpt2-tiny/model.safetensors byte for byte', async () => {
    const original = await readFileBytes(fixture('hf-tiny', 'gpt2-tiny', 'model.safetensors'));
    const st = parseSafetensors(original);
    const tensors = writableTensors(st);
    // the file's order is safetensors' order: dtype alignment (all F32 here), then name
    expect(tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name).sort());
    const written = writeSafetensors(tensors, st.metadata);
    expect(written.length).toBe(original.length);
    expect(Buffer.from(written).equals(Buffer.from(original))).toBe(true);
  });
});

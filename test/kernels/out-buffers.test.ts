// Caller-given output buffers: each kernel method writes its result into the buffers it is given (and
// returns them), with the same bits as a call that makes new arrays; wrong lengths are rejected by name.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Kernels,
  type FrexpOptions,
  type LdexpOptions,
  type MembraneOptions,
  type MembraneSpikesOptions,
  type MembraneTables,
} from '../../src/index.js';
import { normal, seededRandom, uniform } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';
import { randomTables } from '../reference/membrane.js';

/** The raw 32-bit patterns, so NaN, -0 and subnormals compare exactly. */
function bitsOf(array: Float32Array | Int32Array | Uint32Array): number[] {
  return Array.from(new Uint32Array(array.buffer, array.byteOffset, array.length));
}

/** A buffer of `n` elements already holding garbage, so a result that is not fully written shows. */
function dirty<A extends Float32Array | Int32Array | Uint32Array>(make: new (n: number) => A, n: number): A {
  const buffer = new make(n);
  buffer.fill(0x7fc00001); // a NaN pattern in f32, a large integer in i32/u32
  return buffer;
}

const SIZES = [0, 3, 17, 1029];

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`caller-given output buffers, ${title}`, () => {
    let kernels: Kernels;
    let tables: MembraneTables;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
      tables = randomTables(seededRandom(3), 3, 12);
    });

    for (const n of SIZES) {
      it(`frexp, frexpEven and their twins write mantissa and exponent into the given buffers (n = ${n})`, () => {
        const x = normal(seededRandom(n + 5), n, 1e3);
        for (const run of [
          (v: Float32Array, o: FrexpOptions = {}) => kernels.frexp(v, o),
          (v: Float32Array, o: FrexpOptions = {}) => kernels.frexpRef(v, o),
          (v: Float32Array, o: FrexpOptions = {}) => kernels.frexpEven(v, o),
          (v: Float32Array, o: FrexpOptions = {}) => kernels.frexpEvenRef(v, o),
        ]) {
          const fresh = run(x);
          const out = { mantissa: dirty(Float32Array, n), exponent: dirty(Int32Array, n) };
          const got = run(x, { out });
          expect(got.mantissa).toBe(out.mantissa);
          expect(got.exponent).toBe(out.exponent);
          expect(bitsOf(got.mantissa)).toEqual(bitsOf(fresh.mantissa));
          expect(bitsOf(got.exponent)).toEqual(bitsOf(fresh.exponent));
          // One buffer given, the other made; the mantissa may overwrite x itself.
          const inPlace = x.slice();
          const partial = run(inPlace, { out: { mantissa: inPlace } });
          expect(partial.mantissa).toBe(inPlace);
          expect(bitsOf(partial.mantissa)).toEqual(bitsOf(fresh.mantissa));
          expect(bitsOf(partial.exponent)).toEqual(bitsOf(fresh.exponent));
        }
      });

      it(`ldexp and ldexpRef write y into the given buffer, x itself included (n = ${n})`, () => {
        const random = seededRandom(n + 9);
        const x = normal(random, n, 10);
        const k = Int32Array.from({ length: n }, () => Math.round((random() - 0.5) * 300));
        for (const run of [
          (a: Float32Array, o: LdexpOptions = {}) => kernels.ldexp(a, k, o),
          (a: Float32Array, o: LdexpOptions = {}) => kernels.ldexpRef(a, k, o),
        ]) {
          const fresh = run(x);
          const out = dirty(Float32Array, n);
          expect(run(x, { out })).toBe(out);
          expect(bitsOf(out)).toEqual(bitsOf(fresh));
          const inPlace = x.slice();
          expect(run(inPlace, { out: inPlace })).toBe(inPlace);
          expect(bitsOf(inPlace)).toEqual(bitsOf(fresh));
        }
      });

      it(`membrane and membraneRef write y into the given buffer (n = ${n})`, () => {
        const x = uniform(seededRandom(n + 1), n, -6, 6);
        for (const run of [
          (o: MembraneOptions) => kernels.membrane(x, tables, { signMagnitude: true, ...o }),
          (o: MembraneOptions) => kernels.membraneRef(x, tables, { signMagnitude: true, ...o }),
        ]) {
          const out = dirty(Float32Array, n);
          expect(run({ out })).toBe(out);
          expect(bitsOf(out)).toEqual(bitsOf(run({})));
        }
      });
    }

    for (const [rows, rowLen] of [
      [1, 0],
      [1, 5],
      [3, 37],
      [4, 64],
    ] as Array<[number, number]>) {
      it(`membraneSpikes and its twin write y, bits, counts and signs into the given buffers (${rows} x ${rowLen})`, () => {
        const x = uniform(seededRandom(rows * 100 + rowLen), rows * rowLen, -6, 6);
        const words = Math.ceil(rowLen / 32);
        const P = tables.N * tables.T;
        for (const run of [
          (o: MembraneSpikesOptions = {}) => kernels.membraneSpikes(x, tables, { rows, signMagnitude: true, ...o }),
          (o: MembraneSpikesOptions = {}) => kernels.membraneSpikesRef(x, tables, { rows, signMagnitude: true, ...o }),
        ]) {
          const fresh = run();
          const out = {
            y: dirty(Float32Array, rows * rowLen),
            bits: dirty(Uint32Array, P * rows * words),
            counts: dirty(Uint32Array, P),
            signs: dirty(Uint32Array, rows * words),
          };
          const got = run({ out });
          expect(got.y).toBe(out.y);
          expect(got.planes.bits).toBe(out.bits);
          expect(got.counts).toBe(out.counts);
          expect(got.signs).toBe(out.signs);
          expect(bitsOf(got.y)).toEqual(bitsOf(fresh.y));
          expect(bitsOf(got.planes.bits)).toEqual(bitsOf(fresh.planes.bits));
          expect(bitsOf(got.counts)).toEqual(bitsOf(fresh.counts));
          expect(bitsOf(got.signs)).toEqual(bitsOf(fresh.signs));
          expect({ ...got.planes, bits: undefined }).toEqual({ ...fresh.planes, bits: undefined });
          // Only the planes given: the rest are new arrays with the same values.
          const bits = dirty(Uint32Array, P * rows * words);
          const partial = run({ out: { bits } });
          expect(partial.planes.bits).toBe(bits);
          expect(bitsOf(bits)).toEqual(bitsOf(fresh.planes.bits));
          expect(bitsOf(partial.y)).toEqual(bitsOf(fresh.y));
        }
      });
    }

    it('spikemm and spikemmRef accumulate into the given buffer and return it; without one they start at zero', () => {
      const random = seededRandom(17);
      const [M, K, Nout] = [3, 40, 37];
      const spikes = kernels.membraneSpikes(normal(random, M * K, 2), tables, { rows: M });
      const scale = normal(random, spikes.planes.planes);
      const weight = kernels.upload(normal(random, K * Nout), K, Nout);
      const out0 = normal(random, M * Nout);
      for (const run of [
        (out?: Float32Array) => kernels.spikemm(spikes.planes, scale, weight, out),
        (out?: Float32Array) => kernels.spikemmRef(spikes.planes, scale, weight, out),
      ]) {
        const fromZero = run();
        const out = out0.slice();
        expect(run(out)).toBe(out);
        // The same sums added to out0 (each element's sum is independent of where it starts).
        const again = run(new Float32Array(M * Nout));
        expect(bitsOf(again)).toEqual(bitsOf(fromZero));
        for (let i = 0; i < out.length; i++) {
          expect(out[i]).toBeCloseTo((out0[i] as number) + (fromZero[i] as number), 4);
        }
      }
      weight.free();
    });
  });
}

describe('output buffer checks', () => {
  it('rejects buffers of the wrong length, naming the argument and the expected shape', async () => {
    const kernels = await Kernels.load({ variant: 'scalar' });
    const tables = randomTables(seededRandom(1), 2, 4);
    const x = new Float32Array(6);
    expect(() => kernels.frexp(x, { out: { mantissa: new Float32Array(5) } })).toThrow(
      /out.mantissa must have 6 elements \(n, like x\), got 5/,
    );
    expect(() => kernels.frexpEven(x, { out: { exponent: new Int32Array(7) } })).toThrow(
      /out.exponent must have 6 elements \(n, like x\), got 7/,
    );
    expect(() => kernels.frexpRef(x, { out: { exponent: new Int32Array(0) } })).toThrow(/out.exponent must have 6/);
    expect(() => kernels.ldexp(x, new Int32Array(6), { out: new Float32Array(5) })).toThrow(
      /out must have 6 elements \(n, like x\), got 5/,
    );
    expect(() => kernels.membraneSpikes(x, tables, { rows: 2, out: { y: new Float32Array(5) } })).toThrow(
      /out.y must have 6 elements \(rows, rowLen, like x\), got 5/,
    );
    expect(() => kernels.membraneSpikes(x, tables, { rows: 2, out: { bits: new Uint32Array(8) } })).toThrow(
      /out.bits must have 16 elements \(N \* T, rows, words\) = \(8, 2, 1\), got 8/,
    );
    expect(() => kernels.membraneSpikes(x, tables, { rows: 2, out: { counts: new Uint32Array(4) } })).toThrow(
      /out.counts must have 8 elements \(N, T\) = \(2, 4\), got 4/,
    );
    expect(() => kernels.membraneSpikesRef(x, tables, { rows: 2, out: { signs: new Uint32Array(1) } })).toThrow(
      /out.signs must have 2 elements \(rows, words\) = \(2, 1\), got 1/,
    );
    try {
      kernels.ldexp(x, new Int32Array(6), { out: new Float32Array(1) });
      expect.fail('should throw');
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

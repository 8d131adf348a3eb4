import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels, type MembraneSpikes, type MembraneTables } from '../../src/index.js';
import { MEMBRANE_TABLE_LAYOUT } from '../../src/kernels/membrane-table.js';
import { seededRandom, uniform } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';
import { binaryCodeTables, membraneReference, randomTables } from '../reference/membrane.js';

/** Bit (nb, t, row, j) of the packed planes. */
function spikeBit(spikes: MembraneSpikes, plane: number, row: number, j: number): number {
  const { words } = spikes.planes;
  const word = spikes.planes.bits[(plane * spikes.planes.rows + row) * words + (j >>> 5)] as number;
  return (word >>> (j & 31)) & 1;
}

function expectSameOutputs(actual: Float32Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `y[${i}] should be NaN`).toBe(true);
      continue;
    }
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst).toBeLessThanOrEqual(1e-6);
}

/**
 * Edge inputs plus inputs where a spike decision is closest: x = c + p * Vth[nb, 0] (rounded, so u lands
 * on or next to the first threshold; u == Vth fires) and one float32 step either side, and NaNs with a
 * payload and of either sign.
 */
function thresholdInputs(n: number, random: () => number, tables: MembraneTables): Float32Array {
  const x = edgeInputs(n, random);
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length); // (n) the same memory, as bits
  const at = (i: number) => (i * 5 + 3) % n;
  let i = 0;
  for (let nb = 0; nb < tables.N && i + 3 <= n; nb++, i += 3) {
    const edge = Math.fround(
      (tables.shift[nb] as number) + (tables.polarity[nb] as number) * (tables.vth[nb * tables.T] as number),
    );
    const below = new Float32Array([edge]);
    const above = new Float32Array([edge]);
    new Uint32Array(below.buffer)[0]! -= 1; // one float32 step towards zero ...
    new Uint32Array(above.buffer)[0]! += 1; // ... and away from it
    x[at(i)] = edge;
    x[at(i + 1)] = below[0] as number;
    x[at(i + 2)] = above[0] as number;
  }
  if (n > 2) {
    bits[at(n - 1)] = 0x7fc00001; // a quiet NaN with a payload
    bits[at(n - 2)] = 0xffc00000; // a negative NaN
  }
  return x;
}

/** Bit-for-bit equality of two outputs (NaNs included: the kernels return the input NaN unchanged). */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const mismatches: string[] = [];
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i])
      mismatches.push(
        `y[${i}] = ${actual[i]} (0x${a[i]?.toString(16)}), want ${expected[i]} (0x${e[i]?.toString(16)})`,
      );
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
}

function edgeInputs(n: number, random: () => number): Float32Array {
  const x = uniform(random, n, -6, 6);
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e30, -1e30, 1e-40, -1e-40, 0.5, -0.5];
  for (let i = 0; i < Math.min(n, specials.length); i++) x[(i * 7) % n] = specials[i] as number;
  return x;
}

// Every tail length modulo 4 (the scalar kernel's chains) and 16 (the SIMD kernel's four vectors).
const SIZES = [0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 16, 17, 18, 31, 32, 33, 100, 1027];
const SHAPES: Array<[number, number]> = [
  [1, 1],
  [1, 16],
  [2, 8],
  [4, 16],
  [3, 7],
  [8, 32],
];

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`membrane kernel, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    for (const [N, T] of SHAPES) {
      for (const signMagnitude of [false, true]) {
        it(`N=${N} T=${T} signMagnitude=${signMagnitude}: outputs match the float32 reference on every size`, () => {
          const random = seededRandom(N * 1000 + T + (signMagnitude ? 7 : 0));
          const tables = randomTables(random, N, T);
          for (const n of SIZES) {
            const x = edgeInputs(n, random);
            const expected = membraneReference(x, tables, signMagnitude, 'f32');
            expectSameOutputs(kernels.membrane(x, tables, { signMagnitude }), expected.y);
            expectSameOutputs(kernels.membraneRef(x, tables, { signMagnitude }), expected.y);
          }
        });

        it(`N=${N} T=${T} signMagnitude=${signMagnitude}: membrane gives membrane_ref's bits on every size`, () => {
          // The scalar build's membrane is the branch-free 4-chain kernel, the SIMD builds' the vector one:
          // both claim the reference's operations in its order, so the same bits, tails and edges included.
          const random = seededRandom(N * 313 + T + (signMagnitude ? 11 : 0));
          const tables = randomTables(random, N, T);
          for (const n of SIZES) {
            const x = thresholdInputs(n, random, tables);
            expectSameBits(
              kernels.membrane(x, tables, { signMagnitude }),
              kernels.membraneRef(x, tables, { signMagnitude }),
            );
          }
          for (const n of [1, 3, 5, 17, 4099]) {
            const x = uniform(random, n, -8, 8);
            expectSameBits(
              kernels.membrane(x, tables, { signMagnitude }),
              kernels.membraneRef(x, tables, { signMagnitude }),
            );
          }
        });

        it(`N=${N} T=${T} signMagnitude=${signMagnitude}: spike planes and counts match bit for bit`, () => {
          const random = seededRandom(N * 77 + T);
          const tables = randomTables(random, N, T);
          for (const [rows, rowLen] of [
            [1, 0],
            [1, 5],
            [3, 37],
            [2, 64],
            [5, 33],
            [1, 100],
          ] as Array<[number, number]>) {
            const x = edgeInputs(rows * rowLen, random);
            const expected = membraneReference(x, tables, signMagnitude, 'f32');
            for (const spikes of [
              kernels.membraneSpikes(x, tables, { rows, signMagnitude }),
              kernels.membraneSpikesRef(x, tables, { rows, signMagnitude }),
            ]) {
              expectSameOutputs(spikes.y, expected.y);
              const n = rows * rowLen;
              const mismatches: string[] = [];
              for (let plane = 0; plane < N * T; plane++) {
                let count = 0;
                for (let row = 0; row < rows; row++) {
                  for (let j = 0; j < spikes.planes.words * 32; j++) {
                    // Padding bits past rowLen must stay clear.
                    const want = j < rowLen ? (expected.spikes[plane * n + row * rowLen + j] as number) : 0;
                    count += want;
                    if (spikeBit(spikes, plane, row, j) !== want) mismatches.push(`plane ${plane} row ${row} bit ${j}`);
                  }
                }
                if (spikes.counts[plane] !== count) mismatches.push(`count of plane ${plane}`);
              }
              for (let row = 0; row < rows; row++) {
                for (let j = 0; j < rowLen; j++) {
                  const negative = signMagnitude && (x[row * rowLen + j] as number) < 0 ? 1 : 0;
                  const word = spikes.signs[row * spikes.planes.words + (j >>> 5)] as number;
                  if (((word >>> (j & 31)) & 1) !== negative) mismatches.push(`sign of row ${row} element ${j}`);
                }
              }
              expect(mismatches.slice(0, 10)).toEqual([]);
            }
          }
        });
      }
    }

    it('agrees with the plain float64 equations within 1e-5 relative on a large input', () => {
      const random = seededRandom(5);
      const tables = randomTables(random, 4, 16);
      const x = uniform(random, 1 << 14, -8, 8);
      const y = kernels.membrane(x, tables);
      const exact = membraneReference(x, tables, false, 'f64');
      const f32 = membraneReference(x, tables, false, 'f32');
      // Where float32 rounding flips no spike, the outputs agree to float32 precision.
      let compared = 0;
      for (let i = 0; i < x.length; i++) {
        let sameSpikes = true;
        for (let p = 0; p < 4 * 16 && sameSpikes; p++) {
          sameSpikes = exact.spikes[p * x.length + i] === f32.spikes[p * x.length + i];
        }
        if (!sameSpikes) continue;
        compared++;
        expect(Math.abs((y[i] as number) - (exact.y[i] as number))).toBeLessThanOrEqual(
          1e-5 * Math.max(1, Math.abs(exact.y[i] as number)),
        );
      }
      expect(compared).toBeGreaterThan(x.length * 0.99);
    });

    it('the binary code is exact T-bit quantisation of |x| with the sign carried', () => {
      const T = 12;
      const alpha = 8;
      const tables = binaryCodeTables(T, alpha);
      const step = alpha * 2 ** -T;
      const x = new Float32Array(4099);
      for (let i = 0; i < x.length; i++) x[i] = (i - 2049) * step * 0.37;
      const y = kernels.membrane(x, tables, { signMagnitude: true });
      for (let i = 0; i < x.length; i++) {
        const magnitude = Math.min(Math.floor(Math.abs(x[i] as number) / step), 2 ** T - 1) * step;
        expect(y[i]).toBe((x[i] as number) < 0 ? -magnitude : magnitude);
      }
    });

    it('defines NaN (NaN out, no spikes) and +-Inf (saturates) inputs', () => {
      const tables = binaryCodeTables(8, 1);
      const x = Float32Array.of(NaN, Infinity, -Infinity, 0);
      const y = kernels.membrane(x, tables, { signMagnitude: true });
      expect(Number.isNaN(y[0])).toBe(true);
      const full = 1 - 2 ** -8;
      expect(y[1]).toBe(full);
      expect(y[2]).toBe(-full);
      expect(y[3]).toBe(0);
      const spikes = kernels.membraneSpikes(x, tables, { signMagnitude: true });
      for (let t = 0; t < 8; t++) expect(spikeBit(spikes, t, 0, 0)).toBe(0);
      expect(Array.from(spikes.counts)).toEqual(new Array(8).fill(2));
    });
  });
}

describe('membrane argument checks', () => {
  let kernels: Kernels;
  let tables: MembraneTables;
  beforeAll(async () => {
    kernels = await Kernels.load({ variant: 'scalar' });
    tables = randomTables(seededRandom(1), 2, 4);
  });

  it('rejects N or T out of range, wrong table lengths, bad polarity and non-finite tables', () => {
    const x = new Float32Array(8);
    expect(() => kernels.membrane(x, { ...tables, N: 9 })).toThrow(/tables.N must be an integer in \[1, 8\], got 9/);
    expect(() => kernels.membrane(x, { ...tables, T: 0 })).toThrow(/tables.T must be an integer in \[1, 32\]/);
    expect(() => kernels.membrane(x, { ...tables, T: 33 })).toThrow(/tables.T/);
    expect(() => kernels.membrane(x, { ...tables, vth: new Float32Array(3) })).toThrow(
      /tables.vth must have 8 elements/,
    );
    expect(() => kernels.membrane(x, { ...tables, polarity: Float32Array.of(1, 0.5) })).toThrow(
      /polarity\[1\] must be \+1 or -1/,
    );
    const vth = tables.vth.slice();
    vth[3] = NaN;
    expect(() => kernels.membrane(x, { ...tables, vth })).toThrow(/tables.vth\[3\] must be finite, got NaN/);
    expect(() => kernels.membrane(x, { ...tables, bias: Infinity })).toThrow(/tables.bias must be a finite number/);
    expect(() => kernels.membrane(x, tables, { out: new Float32Array(7) })).toThrow(/out must have 8 elements/);
    expect(() => kernels.membraneSpikes(x, tables, { rows: 3 })).toThrow(/multiple of rows/);
    try {
      kernels.membrane(x, { ...tables, N: 0 });
      expect.fail('should throw');
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

describe('membrane table block', () => {
  it('the kernels read the offsets the facade writes, each array 16-byte aligned', () => {
    // The constants of assembly/membrane.ts (const SIGN_MAGNITUDE_AT: usize = 8;) by layout name.
    const source = readFileSync(new URL('../../assembly/membrane.ts', import.meta.url), 'utf8');
    const name = (s: string) =>
      s.length === 1 ? s : s.toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    const kernelOffsets = Object.fromEntries(
      [...source.matchAll(/^const (\w+)_AT: usize = (\d+);/gm)].map((m) => [name(m[1]!), Number(m[2])]),
    );
    const { bytes, ...offsets } = MEMBRANE_TABLE_LAYOUT;
    expect(kernelOffsets).toEqual(offsets);
    for (const key of ['polarity', 'shift', 'weight', 'vth', 'reset', 'intensity'] as const) {
      expect(offsets[key] % 16, key).toBe(0);
    }
    expect(bytes).toBe(offsets.intensity + 8 * 32 * 4);
  });
});

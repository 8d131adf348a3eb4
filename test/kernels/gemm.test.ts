import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { normal, seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** float64 C = A @ B + bias, and the scale sum |a||b| + |bias| that bounds float32 rounding error. */
function gemm64(a: Float32Array, b: Float32Array, bias: Float32Array | undefined, M: number, K: number, N: number) {
  const c = new Float64Array(M * N);
  const scale = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = bias ? (bias[j] as number) : 0;
      let mag = Math.abs(sum);
      for (let k = 0; k < K; k++) {
        const term = (a[i * K + k] as number) * (b[k * N + j] as number);
        sum += term;
        mag += Math.abs(term);
      }
      c[i * N + j] = sum;
      scale[i * N + j] = mag;
    }
  }
  return { c, scale };
}

function worstError(actual: Float32Array, expected: { c: Float64Array; scale: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err =
      Math.abs((actual[i] as number) - (expected.c[i] as number)) / Math.max(expected.scale[i] as number, 1e-30);
    worst = Math.max(worst, err);
  }
  return worst;
}

const SHAPES: Array<[number, number, number]> = [
  [0, 5, 3],
  [3, 0, 5],
  [1, 1, 1],
  [1, 7, 9],
  [4, 8, 8],
  [5, 3, 17],
  [7, 33, 15],
  [13, 64, 31],
  [16, 100, 24],
  [33, 65, 70],
];

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`gemm kernel, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    for (const [M, K, N] of SHAPES) {
      for (const withBias of [false, true]) {
        it(`${M}x${K}x${N}${withBias ? ' + bias' : ''} matches float64 (packed and reference kernels)`, () => {
          const random = seededRandom(M * 10007 + K * 101 + N + (withBias ? 1 : 0));
          const a = normal(random, M * K);
          const b = normal(random, K * N);
          const bias = withBias ? normal(random, N) : undefined;
          const expected = gemm64(a, b, bias, M, K, N);
          const packed = kernels.pack(b, K, N);
          const rowMajor = kernels.upload(b, K, N);
          const c = kernels.gemm(a, packed, M, bias ? { bias } : {});
          const cRef = kernels.gemmRef(a, rowMajor, M, bias ? { bias } : {});
          packed.free();
          rowMajor.free();
          expect(worstError(c, expected)).toBeLessThan(2e-6);
          expect(worstError(cRef, expected)).toBeLessThan(2e-6);
          // Same terms in the same order: identical bits unless the build fuses multiply-adds.
          if (variant !== 'relaxed') expect(Array.from(c)).toEqual(Array.from(cRef));
        });
      }
    }

    it('packs W^T straight from W (out, in): the same panels as packing the transpose, and W rows read back', () => {
      for (const [K, N] of [
        [1, 1],
        [7, 9],
        [5, 17],
        [33, 15],
        [64, 31],
        [100, 48],
        [0, 3],
      ] as const) {
        const random = seededRandom(K * 131 + N);
        const w = normal(random, N * K); // (N, K): a layer's (out, in)
        w[0] = -0; // signs and non-finite values travel as they are
        if (w.length > 2) w[2] = NaN;
        const transposed = new Float32Array(K * N); // (K, N), the independent reference's B
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) transposed[k * N + n] = w[n * K + k] as number;
        // a freed block first, so the packed block reuses dirty memory: its padding must still be written as 0
        kernels
          .upload(
            Float32Array.from({ length: K * 16 + 64 }, () => 7),
            1,
            K * 16 + 64,
          )
          .free();
        const fromW = kernels.packTransposed(w, K, N);
        const fromB = kernels.pack(transposed, K, N);
        const a = normal(random, 3 * K);
        const c = kernels.gemm(a, fromW, 3);
        const cRef = kernels.gemm(a, fromB, 3);
        expect(Array.from(c), `${K}x${N}`).toEqual(Array.from(cRef));
        for (let n = 0; n < N; n++) {
          const row = kernels.packedColumn(fromW, n, new Float32Array(K));
          expect(Array.from(row)).toEqual(Array.from(w.subarray(n * K, (n + 1) * K)));
        }
        fromW.free();
        fromB.free();
      }
      const packed = kernels.packTransposed(new Float32Array(6), 2, 3);
      expect(() => kernels.packedColumn(packed, 3, new Float32Array(2))).toThrow(
        /column must be an integer in \[0, 2\]/,
      );
      expect(() => kernels.packedColumn(packed, 0, new Float32Array(3))).toThrow(/out .*\(K\) = \(2\)/);
      expect(() => kernels.packTransposed(new Float32Array(5), 2, 3)).toThrow(/w .*\(3, 2\)/);
      packed.free();
    });

    it('bf16 panels: gemm equals float64 on the bf16-rounded B, and rows read back widened', () => {
      for (const [M, K, N] of [
        [1, 1, 1],
        [1, 64, 31],
        [2, 7, 9],
        [5, 33, 48],
        [7, 100, 17],
        [3, 0, 5],
      ] as const) {
        const random = seededRandom(M * 7 + K * 131 + N);
        const w = normal(random, N * K); // (N, K)
        const a = normal(random, M * K);
        const bias = normal(random, N);
        // the independent reference: bf16 by truncating f64 arithmetic (round half to even on the f32's bits)
        const rounded = Float32Array.from(w, (v) => {
          const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
          const upper = bits >>> 16;
          const rest = bits & 0xffff;
          const up = rest > 0x8000 || (rest === 0x8000 && (upper & 1) === 1);
          return new Float32Array(new Uint32Array([((upper + (up ? 1 : 0)) << 16) >>> 0]).buffer)[0]!;
        });
        const b = new Float32Array(K * N); // (K, N) = rounded^T
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) b[k * N + n] = rounded[n * K + k] as number;
        const packed = kernels.packTransposed(w, K, N, { dtype: 'bf16' });
        const c = kernels.gemm(a, packed, M, { bias });
        const worst = worstError(c, gemm64(a, b, bias, M, K, N));
        expect(worst, `${M}x${K}x${N}`).toBeLessThan(2e-6);
        // the same terms as the f32 kernel on the widened B
        const f32 = kernels.pack(b, K, N);
        if (variant !== 'relaxed') expect(Array.from(c)).toEqual(Array.from(kernels.gemm(a, f32, M, { bias })));
        for (let n = 0; n < N; n++) {
          const row = kernels.packedColumn(packed, n, new Float32Array(K));
          expect(Array.from(row)).toEqual(Array.from(rounded.subarray(n * K, (n + 1) * K)));
        }
        f32.free();
        packed.free();
      }
      expect(() => kernels.packTransposed(new Float32Array(4), 2, 2, { dtype: 'f16' as never })).toThrow(
        /options.dtype must be "f32" or "bf16", got "f16"/,
      );
    });

    it('propagates NaN and Inf like IEEE arithmetic', () => {
      const M = 5;
      const K = 6;
      const N = 9;
      const a = normal(seededRandom(3), M * K);
      const b = normal(seededRandom(4), K * N);
      a[0] = NaN; // row 0 becomes NaN everywhere
      a[K * 2 + 1] = Infinity; // row 2: +-Inf (b entries are nonzero)
      const packed = kernels.pack(b, K, N);
      const c = kernels.gemm(a, packed, M);
      packed.free();
      for (let j = 0; j < N; j++) {
        expect(Number.isNaN(c[j])).toBe(true);
        expect(Math.abs(c[2 * N + j] as number)).toBe(Infinity);
        expect(Number.isFinite(c[N + j])).toBe(true);
      }
    });

    it('writes into a caller-provided output and keeps resident matrices across calls', () => {
      const random = seededRandom(11);
      const M = 6;
      const K = 10;
      const N = 12;
      const b = normal(random, K * N);
      const packed = kernels.pack(b, K, N);
      const out = new Float32Array(M * N);
      for (let round = 0; round < 3; round++) {
        const a = normal(random, M * K);
        // A large allocation in between grows memory; the packed weights must survive it.
        const big = kernels.upload(new Float32Array(1 << 20), 1 << 10, 1 << 10);
        expect(kernels.gemm(a, packed, M, { out })).toBe(out);
        big.free();
        expect(worstError(out, gemm64(a, b, undefined, M, K, N))).toBeLessThan(2e-6);
      }
      packed.free();
      expect(kernels.residentBytes).toBe(0);
    });
  });
}

describe('bf16 rounding', () => {
  it('rounds to nearest, ties to even, keeps NaN a NaN and overflows to infinity', async () => {
    const { bf16Bits } = await import('../../src/kernels/resident.js');
    const cases: [number, number][] = [
      [0x3f800000, 0x3f80], // 1
      [0x3f808000, 0x3f80], // a tie, to even (down)
      [0x3f818000, 0x3f82], // a tie, to even (up)
      [0x3f808001, 0x3f81], // just above the tie
      [0x80000000, 0x8000], // -0
      [0x00000001, 0x0000], // the least subnormal rounds to 0
      [0x7f7fffff, 0x7f80], // the largest f32 rounds to +Inf
      [0xff800000, 0xff80], // -Inf
      [0x7f800001, 0x7fc0], // a signalling NaN becomes a quiet one, never Inf
      [0xffc00000, 0xffc0], // a quiet NaN keeps its sign
    ];
    for (const [input, expected] of cases) expect(bf16Bits(input), input.toString(16)).toBe(expected);
  });
});

describe('gemm argument checks', () => {
  it('rejects wrong lengths, unpacked or freed matrices, and matrices of another instance', async () => {
    const kernels = await Kernels.load({ variant: 'scalar' });
    const other = await Kernels.load({ variant: 'scalar' });
    const b = new Float32Array(12);
    expect(() => kernels.pack(b, 3, 5)).toThrow(/b must have 15 elements \(3, 5\), got 12/);
    expect(() => kernels.pack(b, -1, 5)).toThrow(/b rows must be an integer/);
    const packed = kernels.pack(b, 3, 4);
    const rowMajor = kernels.upload(b, 3, 4);
    expect(() => kernels.gemm(new Float32Array(5), packed, 2)).toThrow(
      /a must have 6 elements \(M, K\) = \(2, 3\), got 5/,
    );
    expect(() => kernels.gemm(new Float32Array(6), packed, 2, { bias: new Float32Array(3) })).toThrow(
      /bias must have 4/,
    );
    expect(() => kernels.gemm(new Float32Array(6), packed, 2, { out: new Float32Array(7) })).toThrow(/out must have 8/);
    expect(() => kernels.gemm(new Float32Array(6), rowMajor, 2)).toThrow(
      /must be a packed-16 matrix made by Kernels.pack/,
    );
    expect(() => kernels.gemmRef(new Float32Array(6), packed, 2)).toThrow(/row-major matrix made by Kernels.upload/);
    expect(() => other.gemm(new Float32Array(6), packed, 2)).toThrow(/another Kernels instance/);
    expect(() => kernels.gemm(new Float32Array(6), packed, 1.5)).toThrow(/M must be an integer/);
    packed.free();
    expect(() => kernels.gemm(new Float32Array(6), packed, 2)).toThrow(/b was freed/);
  });
});

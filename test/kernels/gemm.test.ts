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

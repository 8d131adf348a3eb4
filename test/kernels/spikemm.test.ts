import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels, type SpikePlanes } from '../../src/index.js';
import { normal, seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';
import { randomTables } from '../reference/membrane.js';
import { bf16Bits } from '../../src/kernels/resident.js';

/** Random planes (P, M, words) with the given density; bits past K stay clear. */
function randomPlanes(random: () => number, P: number, M: number, K: number, density: number): SpikePlanes {
  const words = Math.ceil(K / 32);
  const bits = new Uint32Array(P * M * words);
  for (let p = 0; p < P; p++) {
    for (let m = 0; m < M; m++) {
      for (let k = 0; k < K; k++) {
        if (random() < density) bits[(p * M + m) * words + (k >>> 5)]! |= 1 << (k & 31);
      }
    }
  }
  return { bits, planes: P, rows: M, rowLen: K, words };
}

/** float64 out0 + sum_p scale[p] * S_p @ W, and the magnitude bound for float32 rounding. */
function spikemm64(planes: SpikePlanes, scale: Float32Array, w: Float32Array, Nout: number, out0: Float32Array) {
  const { planes: P, rows: M, rowLen: K, words } = planes;
  const c = Float64Array.from(out0);
  const mag = Float64Array.from(out0, Math.abs);
  for (let p = 0; p < P; p++) {
    for (let m = 0; m < M; m++) {
      for (let k = 0; k < K; k++) {
        if ((((planes.bits[(p * M + m) * words + (k >>> 5)] as number) >>> (k & 31)) & 1) === 0) continue;
        for (let j = 0; j < Nout; j++) {
          const term = (scale[p] as number) * (w[k * Nout + j] as number);
          c[m * Nout + j]! += term;
          mag[m * Nout + j]! += Math.abs(term);
        }
      }
    }
  }
  return { c, mag };
}

const SHAPES: Array<[number, number, number, number]> = [
  // P, M, K, Nout
  [1, 1, 1, 1],
  [1, 3, 31, 5],
  [2, 4, 32, 32],
  [3, 5, 33, 37],
  [8, 2, 64, 70],
  [4, 7, 100, 3],
  [3, 19, 70, 40], // the packed kernels' rows in blocks of 8, 8 and 3; a panel pair and a part panel
  [2, 9, 33, 64],
  // K beyond a whole pair (64 KiB): f32 pairs in chunks of 128 rows (700 = 5 chunks and a part), bf16 in 256 (1100)
  [3, 11, 700, 70],
  [2, 3, 1100, 40],
  [0, 3, 10, 4],
  [2, 0, 10, 4],
  [2, 3, 0, 4],
  [2, 3, 10, 0],
];

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`spikemm kernel, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    for (const [P, M, K, Nout] of SHAPES) {
      for (const density of [0, 0.05, 0.5, 1]) {
        it(`P=${P} ${M}x${K}x${Nout} at density ${density} matches float64 and the scalar twin bit for bit`, () => {
          const random = seededRandom(P * 31 + M * 17 + K * 7 + Nout + density * 1000);
          const planes = randomPlanes(random, P, M, K, density);
          const scale = normal(random, P);
          const w = normal(random, K * Nout);
          const out0 = normal(random, M * Nout);
          const weight = kernels.upload(w, K, Nout);
          const fast = kernels.spikemm(planes, scale, weight, out0.slice());
          const ref = kernels.spikemmRef(planes, scale, weight, out0.slice());
          weight.free();
          const expected = spikemm64(planes, scale, w, Nout, out0);
          for (let i = 0; i < fast.length; i++) {
            const bound = 1e-6 * Math.max(expected.mag[i] as number, 1e-30);
            expect(Math.abs((fast[i] as number) - (expected.c[i] as number))).toBeLessThanOrEqual(bound);
          }
          expect(Array.from(fast)).toEqual(Array.from(ref));
          // the gemm's packed copy of W (16-column panels), f32 and bf16: the reference's bits on the same weights
          const packed = kernels.pack(w, K, Nout);
          expect(Array.from(kernels.spikemm(planes, scale, packed, out0.slice()))).toEqual(Array.from(ref));
          packed.free();
          const wT = new Float32Array(Nout * K); // (Nout, K), as a linear layer holds it
          for (let k = 0; k < K; k++) for (let j = 0; j < Nout; j++) wT[j * K + k] = w[k * Nout + j] as number;
          const bf16 = kernels.packTransposed(wT, K, Nout, { dtype: 'bf16' });
          const widened = new Float32Array(K * Nout); // (K, Nout) the bf16 weights as f32
          const bits = new Uint32Array(widened.buffer);
          for (let i = 0; i < w.length; i++) bits[i] = bf16Bits(new Uint32Array(w.buffer)[i] as number) << 16;
          const widenedWeight = kernels.upload(widened, K, Nout);
          const bf16Ref = kernels.spikemmRef(planes, scale, widenedWeight, out0.slice());
          expect(Array.from(kernels.spikemm(planes, scale, bf16, out0.slice()))).toEqual(Array.from(bf16Ref));
          bf16.free();
          widenedWeight.free();
        });
      }
    }

    it('spike planes from the membrane kernel decode to the same product as dense gemm', () => {
      const random = seededRandom(2024);
      const [M, K, Nout, N, T] = [5, 45, 19, 3, 8];
      const tables = randomTables(random, N, T);
      const x = normal(random, M * K, 2);
      const spikes = kernels.membraneSpikes(x, tables, { rows: M });
      const w = normal(random, K * Nout);
      // y = sum_nb w_nb * o_nb + b, so y @ W = sum_p (w_nb d_nb[t]) S_p @ W + b * colsum(W).
      const scale = new Float32Array(N * T);
      for (let nb = 0; nb < N; nb++) {
        for (let t = 0; t < T; t++)
          scale[nb * T + t] = (tables.weight[nb] as number) * (tables.intensity[nb * T + t] as number);
      }
      const out = new Float32Array(M * Nout);
      for (let j = 0; j < Nout; j++) {
        let colsum = 0;
        for (let k = 0; k < K; k++) colsum += w[k * Nout + j] as number;
        for (let m = 0; m < M; m++) out[m * Nout + j] = tables.bias * colsum;
      }
      const weight = kernels.upload(w, K, Nout);
      kernels.spikemm(spikes.planes, scale, weight, out);
      weight.free();
      const packed = kernels.pack(w, K, Nout);
      const dense = kernels.gemm(spikes.y, packed, M);
      packed.free();
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(dense[i] as number, 4);
    });
  });
}

describe('spikemm argument checks', () => {
  it('rejects shape mismatches, stray bits and non-finite scales', async () => {
    const kernels = await Kernels.load({ variant: 'scalar' });
    const planes = randomPlanes(seededRandom(1), 2, 3, 40, 0.3);
    const weight = kernels.upload(new Float32Array(40 * 6), 40, 6);
    const wrong = kernels.upload(new Float32Array(39 * 6), 39, 6);
    const scale = Float32Array.of(1, 0.5);
    expect(() => kernels.spikemm(planes, scale, wrong)).toThrow(
      /weight has 39 rows but the spike planes have rows of 40/,
    );
    expect(() => kernels.spikemm(planes, Float32Array.of(1), weight)).toThrow(/scale must have 2 elements/);
    expect(() => kernels.spikemm(planes, Float32Array.of(1, NaN), weight)).toThrow(/scale\[1\] must be finite/);
    expect(() => kernels.spikemm({ ...planes, words: 1 }, scale, weight)).toThrow(
      /planes.words must be ceil\(rowLen \/ 32\) = 2/,
    );
    expect(() => kernels.spikemm({ ...planes, bits: planes.bits.subarray(1) }, scale, weight)).toThrow(
      /planes.bits must have 12/,
    );
    const stray = planes.bits.slice();
    stray[1]! |= 1 << 9; // element 41 of a 40-element row
    expect(() => kernels.spikemm({ ...planes, bits: stray }, scale, weight)).toThrow(
      /planes.bits\[1\] has bits set past rowLen 40/,
    );
    expect(() => kernels.spikemm(planes, scale, weight, new Float32Array(5))).toThrow(/out must have 18/);
  });
});

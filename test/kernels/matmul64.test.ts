// The float64-sum product kernel against smallMatmul, the JS loops whose bits it must give (the float and spiking
// OpSets' small products), on random and edge-case inputs under every build and on two threads.
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Kernels } from '../../src/index.js';
import { smallMatmul } from '../../src/ops/float-opset.js';
import { normal, seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** M, K, N: empty, odd and single dimensions, and one above the threads' split size. */
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 8, 37],
  [3, 5, 2],
  [7, 64, 33],
  [0, 4, 4],
  [4, 0, 3],
  [4, 3, 0],
  [128, 48, 128],
];

/** The bits of a Float32Array (NaNs of any payload compared as one). */
function bits(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length), (b, i) => (Number.isNaN(x[i]) ? -1 : b));
}

function operands(seed: number, M: number, K: number, N: number) {
  const random = seededRandom(seed);
  const a = normal(random, M * K, 3); // (M, K)
  const b = normal(random, K * N, 3); // (K, N) or (N, K)
  if (a.length > 2) [a[0], a[1]] = [-0, Infinity];
  if (b.length > 2) [b[1], b[2]] = [NaN, 1e30];
  return { a, b };
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`matmulF64 kernel, ${title}`, () => {
    let kernels: Kernels;
    let threaded: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
      threaded = await Kernels.load({ variant, threads: 2 });
    });

    for (const [M, K, N] of SHAPES) {
      for (const transposeB of [false, true]) {
        it(`${M}x${K}x${N}${transposeB ? ', b transposed' : ''}: smallMatmul's bits, one and two threads`, () => {
          const { a, b } = operands(M * 131 + K * 17 + N + (transposeB ? 7 : 0), M, K, N);
          for (const scale of [1, 1 / Math.sqrt(48), -0.3]) {
            const expected = new Float32Array(M * N);
            smallMatmul(expected, a, b, M, K, N, transposeB, scale, new Float64Array(N));
            const options = { transposeB, scale };
            expect(bits(kernels.matmulF64(a, b, M, K, N, options))).toEqual(bits(expected));
            expect(bits(threaded.matmulF64(a, b, M, K, N, options))).toEqual(bits(expected));
          }
        });
      }
    }

    // batch, bShare, bStride (0: every block the same; K * N: side by side; more: with gaps), M, K, N
    const STACKS: Array<[number, number, number, number, number, number]> = [
      [8, 2, 1000, 1, 8, 37],
      [6, 3, 0, 2, 5, 9],
      [4, 1, 0, 3, 4, 2],
      [5, 5, 0, 1, 16, 130],
    ];
    for (const [batch, bShare, gap, M, K, N] of STACKS) {
      for (const transposeB of [false, true]) {
        it(`${batch} stacked ${M}x${K}x${N}, bShare ${bShare}${transposeB ? ', transposed' : ''}: each product's own bits`, () => {
          const blocks = batch / bShare;
          const stride = gap === 0 && blocks > 1 && bShare === 1 ? 0 : K * N + gap;
          const random = seededRandom(batch * 7 + M * 3 + N + (transposeB ? 1 : 0));
          const a = normal(random, batch * M * K, 3); // (batch, M, K)
          const b = normal(random, blocks === 0 ? 0 : (blocks - 1) * stride + K * N, 3); // blocks stride apart
          b[0] = NaN;
          a[1] = -0;
          const expected = new Float32Array(batch * M * N); // (batch, M, N)
          for (let i = 0; i < batch; i++) {
            const j = Math.floor(i / bShare);
            const product = expected.subarray(i * M * N, (i + 1) * M * N);
            const block = b.subarray(j * stride, j * stride + K * N);
            smallMatmul(product, a.subarray(i * M * K), block, M, K, N, transposeB, 0.7, new Float64Array(N));
          }
          const options = { transposeB, scale: 0.7, batch, bShare, bStride: stride };
          expect(bits(kernels.matmulF64(a, b, M, K, N, options))).toEqual(bits(expected));
          expect(bits(threaded.matmulF64(a, b, M, K, N, options))).toEqual(bits(expected));
        });
      }
    }

    it('rejects a stack whose bShare does not divide batch, or whose b is short of its last block', () => {
      const { a, b } = operands(6, 4, 3, 4); // a (4, 3): 4 products of 1 x 3; b one (3, 4) block
      expect(() => kernels.matmulF64(a, b, 1, 3, 4, { batch: 4, bShare: 3 })).toThrow(
        /options.bShare must divide batch 4, got 3/,
      );
      expect(() => kernels.matmulF64(a, b, 1, 3, 4, { batch: 4, bShare: 2, bStride: 12 })).toThrow(
        /b must have 24 elements 2 blocks of \(K, N\) = \(3, 4\), 12 elements apart, got 12/,
      );
      expect(bits(kernels.matmulF64(a, b, 1, 3, 4, { batch: 4, bShare: 2, bStride: 0 }))).toEqual(
        bits(kernels.matmulF64(a, b, 1, 3, 4, { batch: 4, bShare: 4 })),
      );
      expect(() => kernels.matmulF64(a, b, 1, 3, 4, { batch: 0 })).toThrow(/options.batch/);
    });

    it('writes into out; rejects short operands and a scale that is not a number', () => {
      const { a, b } = operands(5, 2, 3, 4);
      const out = new Float32Array(8);
      expect(kernels.matmulF64(a, b, 2, 3, 4, { out })).toBe(out);
      expect(() => kernels.matmulF64(a.subarray(0, 5), b, 2, 3, 4)).toThrow(InvalidArgumentError);
      expect(() => kernels.matmulF64(a, b, 2, 3, 5)).toThrow(/b must have 15 elements \(K, N\) = \(3, 5\), got 12/);
      expect(() => kernels.matmulF64(a, b, 2, 3, 4, { scale: '2' as unknown as number })).toThrow(
        /options.scale must be a number/,
      );
    });
  });
}

// The float64-sum product (assembly/matmul64.ts): out (M, N) = f32(scale * a (M, K) @ b), b (K, N) or, transposed,
// (N, K); the bits of smallMatmul's JS loops (src/ops/float-opset.ts), rows split over the kernel threads.
import { InvalidArgumentError } from '../errors.js';
import {
  checkFloat32Array,
  checkInt,
  checkLength,
  checkOptions,
  checkWasmBytes,
  MAX_DIM,
  MAX_ELEMENTS,
  newArray,
} from './checks.js';
import type { KernelContext } from './context.js';
import { matmulF64Plan, runPlan } from './parallel.js';

export interface MatmulF64Options {
  /** b is (N, K), its rows the columns of the product (q k^T). */
  readonly transposeB?: boolean;
  /** Multiplies every sum before it is rounded to f32 (default 1). */
  readonly scale?: number;
  /** (batch, M, N) where to write the result; a new array by default. */
  readonly out?: Float32Array;
  /** Products stacked in one call (default 1): a is (batch, M, K), out (batch, M, N). */
  readonly batch?: number;
  /** Consecutive products that read one b block (default 1; divides batch): product i reads block floor(i / bShare). */
  readonly bShare?: number;
  /** Elements from one b block to the next in b (default K * N). */
  readonly bStride?: number;
}

const scaleWords = new DataView(new ArrayBuffer(8));

export function runMatmulF64(
  ctx: KernelContext,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  options: MatmulF64Options,
): Float32Array {
  checkOptions('options', options);
  checkInt('M', M, 0, MAX_DIM);
  checkInt('K', K, 0, MAX_DIM);
  checkInt('N', N, 0, MAX_DIM);
  const batch = options.batch ?? 1;
  const share = options.bShare ?? 1;
  checkInt('options.batch', batch, 1, MAX_DIM);
  checkInt('options.bShare', share, 1, batch);
  if (batch % share !== 0) throw new InvalidArgumentError(`options.bShare must divide batch ${batch}, got ${share}`);
  const blocks = batch / share;
  const block = K * N; // elements of one b block
  const stride = options.bStride ?? block;
  checkInt('options.bStride', stride, 0, MAX_ELEMENTS);
  checkFloat32Array('a', a);
  checkFloat32Array('b', b);
  const shape = options.transposeB ? `(N, K) = (${N}, ${K})` : `(K, N) = (${K}, ${N})`;
  checkLength('a', a, batch * M * K, () =>
    batch === 1 ? `(M, K) = (${M}, ${K})` : `(batch, M, K) = (${batch}, ${M}, ${K})`,
  );
  checkLength('b', b, blocks === 0 ? 0 : (blocks - 1) * stride + block, () =>
    blocks === 1 ? shape : `${blocks} blocks of ${shape}, ${stride} elements apart`,
  );
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number') throw new InvalidArgumentError(`options.scale must be a number, got ${typeof scale}`);
  if (options.out !== undefined) checkFloat32Array('out', options.out);
  const out = options.out ?? newArray(Float32Array, batch * M * N, 'out');
  checkLength('out', out, batch * M * N, () =>
    batch === 1 ? `(M, N) = (${M}, ${N})` : `(batch, M, N) = (${batch}, ${M}, ${N})`,
  );
  checkWasmBytes('a, b and out', (batch * M * K + blocks * block + batch * M * N) * 4);
  scaleWords.setFloat64(0, scale, true);
  const scaleLow = scaleWords.getInt32(0, true);
  const scaleHigh = scaleWords.getInt32(4, true);
  const { heap } = ctx;
  return heap.scratch((scratch) => {
    const aPtr = scratch.alloc(batch * M * K * 4); // (batch, M, K)
    const bPtr = scratch.alloc(blocks * block * 4); // (blocks, K, N) or (blocks, N, K), the blocks side by side
    const outPtr = scratch.alloc(batch * M * N * 4); // (batch, M, N)
    heap.f32(aPtr, batch * M * K).set(a);
    if (stride === block) heap.f32(bPtr, blocks * block).set(b.subarray(0, blocks * block));
    else
      for (let j = 0; j < blocks; j++)
        heap.f32(bPtr + j * block * 4, block).set(b.subarray(j * stride, j * stride + block));
    const transposed = options.transposeB ? 1 : 0;
    for (let i = 0; i < batch; i++) {
      // each product as its own call would run it, on its block
      const fixed = [
        outPtr + i * M * N * 4,
        aPtr + i * M * K * 4,
        bPtr + Math.floor(i / share) * block * 4,
        M,
        K,
        N,
        transposed,
        scaleLow,
        scaleHigh,
      ];
      runPlan(ctx, 'matmul_f64', matmulF64Plan(fixed, M, K, N, ctx.threads));
    }
    out.set(heap.f32(outPtr, batch * M * N));
    return out;
  });
}

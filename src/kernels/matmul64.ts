// The float64-sum product (assembly/matmul64.ts): out (M, N) = f32(scale * a (M, K) @ b), b (K, N) or, transposed,
// (N, K); the bits of smallMatmul's JS loops (src/ops/float-opset.ts), rows split over the kernel threads.
import { InvalidArgumentError } from '../errors.js';
import { checkFloat32Array, checkInt, checkLength, checkOptions, checkWasmBytes, MAX_DIM, newArray } from './checks.js';
import type { KernelContext } from './context.js';
import { matmulF64Plan, runPlan } from './parallel.js';

export interface MatmulF64Options {
  /** b is (N, K), its rows the columns of the product (q k^T). */
  readonly transposeB?: boolean;
  /** Multiplies every sum before it is rounded to f32 (default 1). */
  readonly scale?: number;
  /** (M, N) where to write the result; a new array by default. */
  readonly out?: Float32Array;
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
  checkFloat32Array('a', a);
  checkFloat32Array('b', b);
  checkLength('a', a, M * K, () => `(M, K) = (${M}, ${K})`);
  checkLength('b', b, K * N, () => (options.transposeB ? `(N, K) = (${N}, ${K})` : `(K, N) = (${K}, ${N})`));
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number') throw new InvalidArgumentError(`options.scale must be a number, got ${typeof scale}`);
  if (options.out !== undefined) checkFloat32Array('out', options.out);
  const out = options.out ?? newArray(Float32Array, M * N, 'out');
  checkLength('out', out, M * N, () => `(M, N) = (${M}, ${N})`);
  checkWasmBytes('a, b and out', (M * K + K * N + M * N) * 4);
  scaleWords.setFloat64(0, scale, true);
  const { heap } = ctx;
  return heap.scratch((scratch) => {
    const aPtr = scratch.alloc(M * K * 4); // (M, K)
    const bPtr = scratch.alloc(K * N * 4); // (K, N) or (N, K)
    const outPtr = scratch.alloc(M * N * 4); // (M, N)
    heap.f32(aPtr, M * K).set(a);
    heap.f32(bPtr, K * N).set(b);
    const transposed = options.transposeB ? 1 : 0;
    const fixed = [outPtr, aPtr, bPtr, M, K, N, transposed, scaleWords.getInt32(0, true), scaleWords.getInt32(4, true)];
    runPlan(ctx, 'matmul_f64', matmulF64Plan(fixed, M, K, N, ctx.threads));
    out.set(heap.f32(outPtr, M * N));
    return out;
  });
}

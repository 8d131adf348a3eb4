// The gemm family: C = A @ B + bias, B resident (packed for gemm, row-major for the reference).
import { checkInt, checkLength, MAX_DIM } from './checks.js';
import type { KernelContext } from './context.js';
import type { ResidentMatrix } from './resident.js';

export interface GemmOptions {
  /** (N) added to every row. */
  readonly bias?: Float32Array;
  /** (M, N) where to write C; a new array by default. */
  readonly out?: Float32Array;
}

/** Copies A and bias in, calls `run` (gemm_packed or gemm_ref on b), copies C (M, N) out. */
export function runGemm(
  { heap }: KernelContext,
  a: Float32Array,
  b: ResidentMatrix,
  M: number,
  options: GemmOptions,
  run: (cPtr: number, aPtr: number, biasPtr: number) => void,
): Float32Array {
  const K = b.rows;
  const N = b.cols;
  checkInt('M', M, 0, MAX_DIM);
  checkLength('a', a, M * K, `(M, K) = (${M}, ${K})`);
  const out = options.out ?? new Float32Array(M * N);
  checkLength('out', out, M * N, `(M, N) = (${M}, ${N})`);
  const bias = options.bias;
  if (bias) checkLength('bias', bias, N, `(N) = (${N})`);
  return heap.scratch((scratch) => {
    const aPtr = scratch.alloc(M * K * 4); // (M, K)
    const cPtr = scratch.alloc(M * N * 4); // (M, N)
    const biasPtr = bias ? scratch.alloc(N * 4) : 0; // (N), 0 for none
    heap.f32(aPtr, M * K).set(a);
    if (bias) heap.f32(biasPtr, N).set(bias);
    run(cPtr, aPtr, biasPtr);
    out.set(heap.f32(cPtr, M * N));
    return out;
  });
}

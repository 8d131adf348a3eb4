// The gemm family: C = A @ B + bias, B resident (packed for gemm, row-major for the reference).
import { checkFloat32Array, checkInt, checkLength, checkOptions, checkWasmBytes, MAX_DIM, newArray } from './checks.js';
import type { KernelContext } from './context.js';
import type { IssuedMatrix } from './resident.js';

export interface GemmOptions {
  /** (N) added to every row. */
  readonly bias?: Float32Array;
  /** (M, N) where to write C; a new array by default. */
  readonly out?: Float32Array;
}

/** Copies A and bias in, calls `run` (gemm_packed_panels or gemm_ref on b), copies C (M, N) out. */
export function runGemm(
  { heap }: KernelContext,
  a: Float32Array,
  b: IssuedMatrix,
  M: number,
  options: GemmOptions,
  run: (cPtr: number, aPtr: number, biasPtr: number) => void,
): Float32Array {
  const K = b.rows;
  const N = b.cols;
  checkFloat32Array('a', a);
  checkInt('M', M, 0, MAX_DIM);
  checkOptions('options', options);
  checkLength('a', a, M * K, `(M, K) = (${M}, ${K})`);
  // with K = 0, a is empty while C (M, N) may still be past wasm32
  checkWasmBytes('A and C', (M * K + M * N + N) * 4);
  if (options.out !== undefined) checkFloat32Array('out', options.out);
  const out = options.out ?? newArray(Float32Array, M * N, 'C');
  checkLength('out', out, M * N, `(M, N) = (${M}, ${N})`);
  const bias = options.bias;
  if (bias !== undefined) {
    checkFloat32Array('bias', bias);
    checkLength('bias', bias, N, `(N) = (${N})`);
  }
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

// The element-wise float kernels (assembly/elementwise.ts): SiLU over an array, softmax over the rows of a
// matrix under an optional causal mask, RMSNorm of its rows, sums and products of two arrays. Each copies its
// operands into wasm memory and the result out.
import {
  checkFiniteNumber,
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
import type { WasmHeap } from './heap.js';
import { InvalidArgumentError } from '../errors.js';

export interface ElementwiseOptions {
  /** Where to write the result (the input itself is allowed); a new array by default. */
  readonly out?: Float32Array;
}

export interface SoftmaxKernelOptions extends ElementwiseOptions {
  /** Row r sees columns 0 .. causalOffset + r (the rest get 0); undefined: every column. */
  readonly causalOffset?: number;
}

function output(options: ElementwiseOptions, length: number, shape: string): Float32Array {
  checkOptions('options', options);
  if (options.out !== undefined) checkFloat32Array('out', options.out);
  const out = options.out ?? newArray(Float32Array, length, 'out');
  checkLength('out', out, length, shape);
  return out;
}

/**
 * Copies `inputs` into wasm scratch, runs `run` on a result block of out.length elements (with `inPlace`, the first
 * input's own block) and the inputs' pointers, and copies the result into `out`.
 */
function throughWasm(
  heap: WasmHeap,
  inputs: readonly Float32Array[],
  out: Float32Array,
  inPlace: boolean,
  run: (result: number, inputs: readonly number[]) => void,
): Float32Array {
  return heap.scratch((scratch) => {
    const pointers = inputs.map((input) => {
      const ptr = scratch.alloc(input.length * 4); // like the input
      heap.f32(ptr, input.length).set(input);
      return ptr;
    });
    const result = inPlace ? (pointers[0] as number) : scratch.alloc(out.length * 4); // like out
    run(result, pointers);
    out.set(heap.f32(result, out.length));
    return out;
  });
}

/** out (n) = silu(x (n)), by `run` (silu, split over threads). */
export function runSilu(
  { heap }: KernelContext,
  x: Float32Array,
  options: ElementwiseOptions,
  run: (y: number, x: number, n: number) => void,
): Float32Array {
  checkFloat32Array('x', x);
  const n = x.length;
  checkInt('x.length', n, 0, MAX_ELEMENTS);
  checkWasmBytes('x and y', 8 * n);
  const out = output(options, n, '(n, like x)');
  return throughWasm(heap, [x], out, false, (y, [xPtr]) => run(y, xPtr as number, n));
}

/** out (rows, n) = softmax of each row of x (rows, n), by `run` (softmax_rows, split over threads). */
export function runSoftmax(
  { heap }: KernelContext,
  x: Float32Array,
  rows: number,
  n: number,
  options: SoftmaxKernelOptions,
  run: (x: number, rows: number, n: number, causal: number, causalOffset: number) => void,
): Float32Array {
  checkFloat32Array('x', x);
  checkInt('rows', rows, 0, MAX_DIM);
  checkInt('n', n, 0, MAX_DIM);
  checkWasmBytes('x', 4 * rows * n);
  checkLength('x', x, rows * n, `(rows, n) = (${rows}, ${n})`);
  const out = output(options, rows * n, `(rows, n) = (${rows}, ${n})`);
  const { causalOffset } = options;
  if (causalOffset !== undefined) checkInt('options.causalOffset', causalOffset, 0, MAX_DIM);
  return throughWasm(heap, [x], out, true, (xPtr) =>
    run(xPtr, rows, n, causalOffset === undefined ? 0 : 1, causalOffset ?? 0),
  );
}

/** out (rows, n) = RMSNorm of each row of x (rows, n) with gain gamma (n), by `run` (rms_norm, split over threads). */
export function runRmsNorm(
  { heap }: KernelContext,
  x: Float32Array,
  gamma: Float32Array,
  rows: number,
  eps: number,
  options: ElementwiseOptions,
  run: (y: number, x: number, gamma: number, rows: number, n: number, epsBits: number) => void,
): Float32Array {
  checkFloat32Array('x', x);
  checkFloat32Array('gamma', gamma);
  checkInt('rows', rows, 0, MAX_DIM);
  const n = gamma.length;
  checkInt('gamma.length', n, 0, MAX_DIM);
  checkWasmBytes('x, y and gamma', 4 * (2 * rows * n + n));
  checkLength('x', x, rows * n, `(rows, n) = (${rows}, ${n})`);
  checkFiniteNumber('eps', eps);
  if (eps < 0) throw new InvalidArgumentError(`eps must be at least 0, got ${eps}`);
  const out = output(options, rows * n, `(rows, n) = (${rows}, ${n})`);
  const epsBits = new Int32Array(new Float32Array([eps]).buffer)[0] as number;
  return throughWasm(heap, [x, gamma], out, false, (y, [xPtr, gammaPtr]) =>
    run(y, xPtr as number, gammaPtr as number, rows, n, epsBits),
  );
}

/** out (n) = a (n) op b (n), by `run` (add_f32 or mul_f32, split over threads). */
export function runBinary(
  { heap }: KernelContext,
  a: Float32Array,
  b: Float32Array,
  options: ElementwiseOptions,
  run: (out: number, a: number, b: number, n: number) => void,
): Float32Array {
  checkFloat32Array('a', a);
  checkFloat32Array('b', b);
  const n = a.length;
  checkInt('a.length', n, 0, MAX_ELEMENTS);
  checkWasmBytes('a, b and out', 12 * n);
  checkLength('b', b, n, '(n, like a)');
  const out = output(options, n, '(n, like a)');
  return throughWasm(heap, [a, b], out, false, (result, [aPtr, bPtr]) =>
    run(result, aPtr as number, bPtr as number, n),
  );
}

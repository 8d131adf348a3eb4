// The bits family: the IEEE-754 split x = M 2^E (frexp, frexpEven) and its inverse y = x 2^k (ldexp).
import type { KernelExports } from '../../bindings/loader.js';
import {
  checkFloat32Array,
  checkInt,
  checkLength,
  checkOptions,
  checkTypedArray,
  MAX_ELEMENTS,
  newArray,
} from './checks.js';
import type { KernelContext } from './context.js';
import type { FrexpResult } from './types.js';

export interface FrexpOptions {
  /** Where to write the results; a new array for each one not given (x itself may be the mantissa). */
  readonly out?: FrexpBuffers;
}

/** Caller-given buffers for frexp and frexpEven, each optional. */
export interface FrexpBuffers {
  /** (n) f32 */
  readonly mantissa?: Float32Array;
  /** (n) i32 */
  readonly exponent?: Int32Array;
}

export interface LdexpOptions {
  /** (n) where to write y; a new array by default (x itself works: it is copied in first). */
  readonly out?: Float32Array;
}

/** Runs frexp, frexp_even or a reference twin on x (n). */
export function runFrexp(
  { heap }: KernelContext,
  kernel: KernelExports['frexp'],
  x: Float32Array,
  options: FrexpOptions,
): FrexpResult {
  checkFloat32Array('x', x);
  checkOptions('options', options);
  checkOptions('options.out', options.out);
  const n = x.length;
  checkInt('x.length', n, 0, MAX_ELEMENTS);
  const given = options.out ?? {};
  if (given.mantissa !== undefined) checkFloat32Array('out.mantissa', given.mantissa);
  if (given.exponent !== undefined) checkTypedArray('out.exponent', given.exponent, Int32Array);
  const mantissa = given.mantissa ?? newArray(Float32Array, n, 'mantissa');
  checkLength('out.mantissa', mantissa, n, '(n, like x)');
  const exponent = given.exponent ?? newArray(Int32Array, n, 'exponent');
  checkLength('out.exponent', exponent, n, '(n, like x)');
  return heap.scratch((scratch) => {
    const xPtr = scratch.alloc(n * 4); // (n) f32
    const mPtr = scratch.alloc(n * 4); // (n) f32
    const ePtr = scratch.alloc(n * 4); // (n) i32
    heap.f32(xPtr, n).set(x);
    kernel(mPtr, ePtr, xPtr, n);
    mantissa.set(heap.f32(mPtr, n));
    exponent.set(heap.i32(ePtr, n));
    return { mantissa, exponent };
  });
}

/** Runs ldexp or ldexp_ref: y (n) = x (n) * 2^k (n). */
export function runLdexp(
  { heap }: KernelContext,
  kernel: KernelExports['ldexp'],
  x: Float32Array,
  k: Int32Array,
  options: LdexpOptions,
): Float32Array {
  checkFloat32Array('x', x);
  checkTypedArray('k', k, Int32Array);
  checkOptions('options', options);
  const n = x.length;
  checkInt('x.length', n, 0, MAX_ELEMENTS);
  checkLength('k', k, n, '(n, like x)');
  if (options.out !== undefined) checkFloat32Array('out', options.out);
  const out = options.out ?? newArray(Float32Array, n, 'y');
  checkLength('out', out, n, '(n, like x)');
  return heap.scratch((scratch) => {
    const xPtr = scratch.alloc(n * 4); // (n) f32
    const kPtr = scratch.alloc(n * 4); // (n) i32
    const yPtr = scratch.alloc(n * 4); // (n) f32
    heap.f32(xPtr, n).set(x);
    heap.i32(kPtr, n).set(k);
    kernel(yPtr, xPtr, kPtr, n);
    out.set(heap.f32(yPtr, n));
    return out;
  });
}

// How a kernel call is split across threads. Every share computes its outputs exactly as the whole call
// would (the same order of operations per output), so any thread count gives bit-identical results. Calls
// too small to repay waking the workers (about 10-30 us) run on the calling thread alone.
import type { ThreadKernel } from '../../bindings/threads.js';
import type { KernelContext } from './context.js';

const PANEL = 16; // columns per packed panel (assembly/gemm.ts)
/** Multiply-adds below which a gemm stays on one thread (a 1 x 288 x 288 product is about 83k). */
export const MIN_THREADED_GEMM = 1 << 16;
/** Neuron timestep-bases (elements x N x T) below which a membrane call stays on one thread. */
export const MIN_THREADED_MEMBRANE = 1 << 15;

/** Boundaries 0 = b0 <= b1 <= ... <= b_threads = units * step, each a multiple of `step`. */
function splitPoints(units: number, threads: number, step: number): number[] {
  return Array.from({ length: threads + 1 }, (_, t) => step * Math.round((t * units) / threads));
}

/** Rows per thread from which a gemm splits its rows rather than its panels. */
const MIN_ROWS_PER_THREAD = 16;

/**
 * gemm_packed_panels arguments per thread for C (M, N) = A (M, K) @ B: pairs of rows (the kernel's row tile)
 * per thread where there are many rows (measured 1.9x with 2 threads at 128 x 768 x 2048, against 1.6x
 * splitting panels), else whole panels of B (2.1x at 1 x 768 x 2048: each thread streams half the weights).
 */
export function gemmShares(
  c: number,
  a: number,
  packed: number,
  bias: number,
  M: number,
  K: number,
  N: number,
  threads: number,
): number[][] {
  const panels = Math.ceil(N / PANEL);
  if (threads <= 1 || M * K * N < MIN_THREADED_GEMM) return [[c, a, packed, bias, M, K, N, 0, panels]];
  if (M < MIN_ROWS_PER_THREAD * threads && panels >= threads) {
    const q = splitPoints(panels, threads, 1);
    return q.slice(1).map((q1, t) => {
      const q0 = q[t] ?? 0;
      return q1 > q0 ? [c, a, packed, bias, M, K, N, q0, q1] : [];
    });
  }
  const r = splitPoints(Math.ceil(M / 2), threads, 2).map((row) => Math.min(row, M));
  return r.slice(1).map((r1, t) => {
    const r0 = r[t] ?? 0;
    return r1 > r0 ? [c + r0 * N * 4, a + r0 * K * 4, packed, bias, r1 - r0, K, N, 0, panels] : [];
  });
}

/** membrane arguments per thread for y (n) from x (n): runs of 4 elements, so every pointer stays 16-byte aligned. */
export function membraneShares(
  y: number,
  x: number,
  table: number,
  n: number,
  work: number,
  threads: number,
): number[][] {
  if (threads <= 1 || work < MIN_THREADED_MEMBRANE) return [[y, x, table, n]];
  const e = splitPoints(Math.ceil(n / 4), threads, 4).map((element) => Math.min(element, n));
  return e.slice(1).map((e1, t) => {
    const e0 = e[t] ?? 0;
    return e1 > e0 ? [y + e0 * 4, x + e0 * 4, table, e1 - e0] : [];
  });
}

/** Runs one call of a thread kernel: split over the context's threads, or whole on this one. */
export function runShares(ctx: KernelContext, kernel: ThreadKernel, shares: readonly (readonly number[])[]): void {
  if (ctx.pool && shares.length > 1) {
    ctx.pool.run(ctx.wasm, kernel, shares);
    return;
  }
  const whole = shares[0];
  if (whole) (ctx.wasm[kernel] as (...args: number[]) => void)(...whole);
}

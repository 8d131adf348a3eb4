// How a kernel call is split across threads. Every share computes its outputs exactly as the whole call
// would (the same order of operations per output), so any thread count gives bit-identical results. Calls
// too small to repay waking the workers (about 10-30 us) run on the calling thread alone.
import type { ThreadKernel } from '../../bindings/threads.js';
import type { KernelContext } from './context.js';

const PANEL = 16; // columns per packed panel (assembly/panels.ts)
/**
 * A gemm is split when B holds at least this many elements (256 KB of f32: weights streamed from memory, as in a
 * decoding step's 1 x 288 x 288 product and up) ...
 */
export const MIN_THREADED_GEMM_B = 1 << 16;
/**
 * ... or does at least this many multiply-adds. Below both, as attention's 128 x 64 x 128 products of a freshly
 * packed B, the workers would first have to pull A and B out of this thread's cache: splitting one of those made
 * it slower (0.06 ms -> 0.17 ms).
 */
export const MIN_THREADED_GEMM_MACS = 1 << 22;
/** Neuron timestep-bases (elements x N x T) below which a membrane call stays on one thread. */
export const MIN_THREADED_MEMBRANE = 1 << 15;

/** Boundaries 0 = b0 <= b1 <= ... <= b_threads = units * step, each a multiple of `step`. */
function splitPoints(units: number, threads: number, step: number): number[] {
  return Array.from({ length: threads + 1 }, (_, t) => step * Math.round((t * units) / threads));
}

/** min(threads, rows) runs of whole rows covering 0 .. rows once, as [row0, row1) pairs. */
function rowRanges(rows: number, threads: number): Array<[number, number]> {
  const r = splitPoints(rows, Math.min(threads, rows), 1);
  return r.slice(1).map((r1, t) => [r[t] ?? 0, r1]);
}

/** Chunks per thread a panel split aims at: enough that a thread running late takes fewer, few enough to be cheap. */
const CHUNKS_PER_THREAD = 4;

/** How one call runs: fixed shares (shares[0] on the calling thread), or chunks of units taken from a counter. */
export type ThreadPlan =
  | { readonly shares: readonly (readonly number[])[] }
  | { readonly fixed: readonly number[]; readonly units: number; readonly chunk: number };

/**
 * How gemm_packed_panels runs C (M, N) = A (M, K) @ B: chunks of whole panels of B taken by each thread, so each
 * streams its own part of the weights (what limits a whole model's step), else, with fewer panels than threads,
 * pairs of rows (the kernel's row tile) per thread. With 2 threads, over 24 distinct 768 x 2048 matrices: 1.6-1.9x
 * at M = 1, 16 and 128 splitting panels; splitting rows at M = 128 was no better (1.6-1.7x).
 */
export function gemmPlan(
  c: number,
  a: number,
  packed: number,
  bias: number,
  M: number,
  K: number,
  N: number,
  threads: number,
): ThreadPlan {
  const panels = Math.ceil(N / PANEL);
  const threaded = K * N >= MIN_THREADED_GEMM_B || M * K * N >= MIN_THREADED_GEMM_MACS;
  if (threads <= 1 || !threaded || M === 0) return { shares: [[c, a, packed, bias, M, K, N, 0, panels]] };
  if (panels >= threads) {
    const chunk = Math.max(1, Math.ceil(panels / (threads * CHUNKS_PER_THREAD)));
    return { fixed: [c, a, packed, bias, M, K, N], units: panels, chunk };
  }
  const r = splitPoints(Math.ceil(M / 2), threads, 2).map((row) => Math.min(row, M));
  return {
    shares: r.slice(1).map((r1, t) => {
      const r0 = r[t] ?? 0;
      return r1 > r0 ? [c + r0 * N * 4, a + r0 * K * 4, packed, bias, r1 - r0, K, N, 0, panels] : [];
    }),
  };
}

/** membrane arguments per thread for y (n) from x (n): runs of 4 elements, so every pointer stays 16-byte aligned. */
export function membranePlan(
  y: number,
  x: number,
  table: number,
  n: number,
  work: number,
  threads: number,
): ThreadPlan {
  if (threads <= 1 || work < MIN_THREADED_MEMBRANE) return { shares: [[y, x, table, n]] };
  const e = splitPoints(Math.ceil(n / 4), threads, 4).map((element) => Math.min(element, n));
  return {
    shares: e.slice(1).map((e1, t) => {
      const e0 = e[t] ?? 0;
      return e1 > e0 ? [y + e0 * 4, x + e0 * 4, table, e1 - e0] : [];
    }),
  };
}

/** A plan of fixed shares, as every element-wise kernel's is. */
export type SharesPlan = Extract<ThreadPlan, { readonly shares: unknown }>;

/** Elements of a silu call below which it stays on one thread (about 30 us of work). */
export const MIN_THREADED_SILU = 1 << 15;
/** Elements of a sum or product of two arrays below which it stays on one thread (memory-bound: ~0.5 ns each). */
export const MIN_THREADED_BINARY = 1 << 16;
/** Elements of a softmax (or RMSNorm) call below which it stays on one thread. */
export const MIN_THREADED_SOFTMAX = 1 << 15;

/**
 * membrane_spikes_rows arguments per thread for x (rows, rowLen): whole rows, so each share writes its own words of
 * the planes and signs, and its own (P) counts at counts + share * P (the caller sums them). One share when small.
 */
export function membraneSpikesPlan(
  pointers: { y: number; planes: number; counts: number; signs: number; x: number; table: number },
  rows: number,
  rowLen: number,
  P: number,
  work: number,
  threads: number,
): readonly (readonly number[])[] {
  const { y, planes, counts, signs, x, table } = pointers;
  if (threads <= 1 || rows < 2 || work < MIN_THREADED_MEMBRANE) {
    return [[y, planes, counts, signs, x, table, rows, rowLen, 0, rows]]; // most calls: no split to plan
  }
  return rowRanges(rows, threads).map(([r0, r1], t) => [
    y,
    planes,
    counts + t * P * 4,
    signs,
    x,
    table,
    rows,
    rowLen,
    r0,
    r1,
  ]);
}

/** Multiply-adds below which a float64-sum product stays on one thread. */
export const MIN_THREADED_MATMUL_F64 = 1 << 19;

/** matmul_f64 arguments per thread: runs of whole rows of out (each share's rows row0 .. row1). */
export function matmulF64Plan(fixed: readonly number[], M: number, K: number, N: number, threads: number): SharesPlan {
  if (threads <= 1 || M < 2 || M * K * N < MIN_THREADED_MATMUL_F64) return { shares: [[...fixed, 0, M]] };
  return { shares: rowRanges(M, threads).map(([r0, r1]) => [...fixed, r0, r1]) };
}

/** silu arguments per thread for y (n) from x (n): runs of 4 elements, as membranePlan. */
export function siluPlan(y: number, x: number, n: number, threads: number): SharesPlan {
  if (threads <= 1 || n < MIN_THREADED_SILU) return { shares: [[y, x, n]] };
  const e = splitPoints(Math.ceil(n / 4), threads, 4).map((element) => Math.min(element, n));
  return {
    shares: e.slice(1).map((e1, t) => {
      const e0 = e[t] ?? 0;
      return e1 > e0 ? [y + e0 * 4, x + e0 * 4, e1 - e0] : [];
    }),
  };
}

/** add_f32 / mul_f32 arguments per thread for out, a, b (n): runs of 4 elements. */
export function binaryPlan(out: number, a: number, b: number, n: number, threads: number): SharesPlan {
  if (threads <= 1 || n < MIN_THREADED_BINARY) return { shares: [[out, a, b, n]] };
  const e = splitPoints(Math.ceil(n / 4), threads, 4).map((element) => Math.min(element, n));
  return {
    shares: e.slice(1).map((e1, t) => {
      const e0 = e[t] ?? 0;
      return e1 > e0 ? [out + e0 * 4, a + e0 * 4, b + e0 * 4, e1 - e0] : [];
    }),
  };
}

/** softmax_rows arguments per thread for x (rows, n): whole rows, the causal offset moved with the first row. */
export function softmaxPlan(
  x: number,
  rows: number,
  n: number,
  causal: number,
  causalOffset: number,
  threads: number,
): SharesPlan {
  if (threads <= 1 || rows < 2 || rows * n < MIN_THREADED_SOFTMAX) {
    return { shares: [[x, rows, n, causal, causalOffset]] };
  }
  const r = splitPoints(rows, threads, 1);
  return {
    shares: r.slice(1).map((r1, t) => {
      const r0 = r[t] ?? 0;
      return r1 > r0 ? [x + r0 * n * 4, r1 - r0, n, causal, causalOffset + r0] : [];
    }),
  };
}

/** rms_norm arguments per thread for y, x (rows, n): whole rows. */
export function rmsNormPlan(
  y: number,
  x: number,
  gamma: number,
  rows: number,
  n: number,
  epsBits: number,
  threads: number,
): SharesPlan {
  if (threads <= 1 || rows < 2 || rows * n < MIN_THREADED_SOFTMAX) return { shares: [[y, x, gamma, rows, n, epsBits]] };
  const r = splitPoints(rows, threads, 1);
  return {
    shares: r.slice(1).map((r1, t) => {
      const r0 = r[t] ?? 0;
      return r1 > r0 ? [y + r0 * n * 4, x + r0 * n * 4, gamma, r1 - r0, n, epsBits] : [];
    }),
  };
}

/** Runs one call of a thread kernel as planned: over the context's threads, or whole on this one. */
export function runPlan(ctx: KernelContext, kernel: ThreadKernel, plan: ThreadPlan): void {
  const run = ctx.wasm[kernel] as (...args: number[]) => void;
  if ('fixed' in plan) {
    if (ctx.pool) ctx.pool.runChunked(ctx.wasm, kernel, plan.fixed, plan.units, plan.chunk);
    else run(...plan.fixed, 0, plan.units);
    return;
  }
  if (ctx.pool && plan.shares.length > 1) {
    ctx.pool.run(ctx.wasm, kernel, plan.shares);
    return;
  }
  const whole = plan.shares[0];
  if (whole) run(...whole);
}

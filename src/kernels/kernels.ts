// The typed facade over the wasm kernels: it validates arguments (so wasm never traps on bad input),
// copies operands into the module's memory, runs the kernel and copies results out (into caller-given
// buffers where passed). Weights that are used many times stay resident (`upload`, `pack`). Each `*Ref`
// method runs the kernel's scalar twin. The work of each kernel family lives in its own module; this
// class loads the module, owns its heap, and delegates. Every argument is checked, its type too (a plain
// Array, null or a forged matrix is an InvalidArgumentError), and sizes before any result is allocated.
import { instantiateKernels, supportedVariants, type WasmVariant } from '../../bindings/loader.js';
import { MAX_THREADS, ThreadPool, threadsUnavailable } from '../../bindings/threads.js';
import { runFrexp, runLdexp, type FrexpOptions, type LdexpOptions } from './bits.js';
import type { KernelContext } from './context.js';
import { runGemm, type GemmOptions } from './gemm.js';
import { checkInt, checkOptions } from './checks.js';
import { describeText, describeValue } from '../describe.js';
import { InvalidArgumentError } from '../errors.js';
import { WasmHeap } from './heap.js';
import { runMembrane, runMembraneSpikes, type MembraneOptions, type MembraneSpikesOptions } from './membrane.js';
import { binaryPlan, gemmPlan, membranePlan, rmsNormPlan, runPlan, siluPlan, softmaxPlan } from './parallel.js';
import {
  runBinary,
  runRmsNorm,
  runSilu,
  runSoftmax,
  type ElementwiseOptions,
  type SoftmaxKernelOptions,
} from './elementwise.js';
import {
  checkPacked,
  checkResident,
  packMatrix,
  packTransposedMatrix,
  readPackedColumn,
  uploadMatrix,
  type PackedDtype,
  type PackedMatrix,
  type ResidentMatrix,
} from './resident.js';
import { runSpikemm } from './spikemm.js';
import { residentTables, type ResidentTables } from './resident-tables.js';
import { runMatmulF64, type MatmulF64Options } from './matmul64.js';
import type { FrexpResult, MembraneSpikes, MembraneTables, SpikePlanes } from './types.js';

/** The weight layouts spikemm reads. */
const SPIKEMM_LAYOUTS = ['row-major', 'packed-16', 'packed-16-bf16'] as const;

export { MAX_BASES, MAX_TIMESTEPS } from './checks.js';
export { ResidentMatrix, type PackedDtype, type PackedMatrix } from './resident.js';
export { ResidentTables } from './resident-tables.js';
export type { FrexpBuffers, FrexpOptions, LdexpOptions } from './bits.js';
export type { GemmOptions } from './gemm.js';
export type { MatmulF64Options } from './matmul64.js';
export type { ElementwiseOptions, SoftmaxKernelOptions } from './elementwise.js';
export type { MembraneOptions, MembraneSpikesBuffers, MembraneSpikesOptions } from './membrane.js';

export { MAX_THREADS } from '../../bindings/threads.js';

export interface LoadKernelsOptions {
  /** Which build to load; by default the best one this runtime validates (relaxed -> simd -> scalar). */
  readonly variant?: WasmVariant;
  /**
   * Threads for gemm and membrane calls (1 .. MAX_THREADS), the calling one included; by default the
   * MBE_SNN_THREADS environment variable where it is set, else 1. Where shared memory or workers are
   * unavailable, the kernels run on one thread and a warning says why. Results do not depend on it.
   */
  readonly threads?: number;
}

/** MBE_SNN_THREADS where the runtime has an environment and it is set, else 1. */
function threadsFromEnvironment(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const text = env?.MBE_SNN_THREADS;
  if (text === undefined || text === '') return 1;
  const threads = Number(text);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new InvalidArgumentError(
      `the MBE_SNN_THREADS environment variable must be an integer in [1, ${MAX_THREADS}], got ${describeValue(text, 20)}`,
    );
  }
  return threads;
}

export class Kernels {
  private ctx: KernelContext;

  private constructor(
    readonly variant: WasmVariant,
    wasm: KernelContext['wasm'],
    pool: ThreadPool | undefined,
  ) {
    const heap = new WasmHeap(wasm.memory, wasm.heap_base() >>> 0);
    this.ctx = pool ? { wasm, heap, pool, threads: pool.threads } : { wasm, heap, threads: 1 };
  }

  /** Instantiates a kernel module with its own memory (shared with its worker threads, if any). */
  static async load(options: LoadKernelsOptions = {}): Promise<Kernels> {
    checkOptions('options', options);
    const variant = options.variant ?? supportedVariants()[0] ?? 'scalar';
    const threads = options.threads === undefined ? threadsFromEnvironment() : options.threads;
    checkInt('options.threads', threads, 1, MAX_THREADS);
    const unavailable = threads > 1 ? threadsUnavailable() : undefined;
    if (unavailable) console.warn(`mbe-snn: running the kernels on one thread, not ${threads}: ${unavailable}`);
    if (threads === 1 || unavailable) {
      return new Kernels(variant, (await instantiateKernels(variant)).exports, undefined);
    }
    const loaded = await instantiateKernels(variant, { shared: true });
    try {
      return new Kernels(variant, loaded.exports, await ThreadPool.start(loaded.module, loaded.memory, threads));
    } catch (error) {
      // e.g. a page's content security policy refuses blob: workers
      console.warn(`mbe-snn: running the kernels on one thread, not ${threads}: ${describeText(String(error), 200)}`);
      return new Kernels(variant, loaded.exports, undefined);
    }
  }

  /** Threads that gemm and membrane calls are split across (1 when none could start). */
  get threads(): number {
    return this.ctx.threads;
  }

  /** Stops the worker threads (the kernels then run on this thread only); idle workers never keep a process alive. */
  close(): void {
    this.ctx.pool?.close();
    this.ctx = { wasm: this.ctx.wasm, heap: this.ctx.heap, threads: 1 };
  }

  /** Bytes held by resident matrices and neuron tables. */
  get residentBytes(): number {
    return this.ctx.heap.liveBytes;
  }

  // ---- membrane ----

  /** Decoded outputs y (n) of the multi-basis neuron for every element of x (n). */
  membrane(x: Float32Array, tables: MembraneTables | ResidentTables, options: MembraneOptions = {}): Float32Array {
    const threads = this.ctx.threads;
    return runMembrane(this.ctx, x, tables, options, (y, xPtr, table, n) =>
      runPlan(this.ctx, 'membrane', membranePlan(y, xPtr, table, n, n * tables.N * tables.T, threads)),
    );
  }

  membraneRef(x: Float32Array, tables: MembraneTables | ResidentTables, options: MembraneOptions = {}): Float32Array {
    return runMembrane(this.ctx, x, tables, options, this.ctx.wasm.membrane_ref);
  }

  /** Decoded outputs plus the bit-packed spike planes, their counts and the sign bits. */
  membraneSpikes(
    x: Float32Array,
    tables: MembraneTables | ResidentTables,
    options: MembraneSpikesOptions = {},
  ): MembraneSpikes {
    return runMembraneSpikes(this.ctx, this.ctx.wasm.membrane_spikes, x, tables, options, this.threads);
  }

  membraneSpikesRef(
    x: Float32Array,
    tables: MembraneTables | ResidentTables,
    options: MembraneSpikesOptions = {},
  ): MembraneSpikes {
    return runMembraneSpikes(this.ctx, this.ctx.wasm.membrane_spikes_ref, x, tables, options);
  }

  /**
   * Checks a neuron's tables and copies them into wasm memory, for membrane calls that run it many times: they
   * then skip checking and copying the tables. Later changes to `tables` do not reach the copy. Give it back with
   * free() (or it goes when the handle is collected).
   */
  residentTables(tables: MembraneTables): ResidentTables {
    return residentTables(this.ctx, tables);
  }

  // ---- resident matrices ----

  /** Copies a row-major (rows, cols) matrix into wasm memory, for spikemm and gemmRef. */
  upload(data: Float32Array, rows: number, cols: number): ResidentMatrix {
    return uploadMatrix(this.ctx, this, data, rows, cols);
  }

  /** Packs B (K, N) into 16-column panels in wasm memory, for gemm. */
  pack(b: Float32Array, K: number, N: number): PackedMatrix {
    return packMatrix(this.ctx, this, b, K, N);
  }

  /**
   * Packs B = W^T (K, N) for gemm from W (N, K): a linear layer's (out, in) weight, with no transposed copy.
   * `dtype: 'bf16'` keeps each element as bf16 (rounded to nearest even): half the memory, widened exactly in gemm.
   */
  packTransposed(w: Float32Array, K: number, N: number, options: { dtype?: PackedDtype } = {}): PackedMatrix {
    checkOptions('options', options);
    const dtype = options.dtype ?? 'f32';
    if (dtype !== 'f32' && dtype !== 'bf16') {
      throw new InvalidArgumentError(`options.dtype must be "f32" or "bf16", got ${describeValue(dtype, 20)}`);
    }
    return packTransposedMatrix(this.ctx, this, w, K, N, dtype);
  }

  /** out (K) = column `column` of a packed B: the row of W it was packed from (an embedding tied to it). */
  packedColumn(b: PackedMatrix, column: number, out: Float32Array): Float32Array {
    return readPackedColumn(this, b, column, out);
  }

  // ---- gemm ----

  /** C (M, N) = A (M, K) @ B (K, N) + bias, with B packed by `pack`. */
  gemm(a: Float32Array, b: PackedMatrix, M: number, options: GemmOptions = {}): Float32Array {
    const packed = checkPacked(this, 'b', b);
    const kernel = packed.layout === 'packed-16-bf16' ? 'gemm_packed_bf16_panels' : 'gemm_packed_panels';
    return runGemm(this.ctx, a, packed, M, options, (c, aPtr, bias) =>
      runPlan(this.ctx, kernel, gemmPlan(c, aPtr, packed.ptr, bias, M, packed.rows, packed.cols, this.ctx.threads)),
    );
  }

  /** The naive scalar reference, on a row-major B from `upload`. */
  gemmRef(a: Float32Array, b: ResidentMatrix, M: number, options: GemmOptions = {}): Float32Array {
    const rowMajor = checkResident(this, 'b', b, 'row-major');
    const { wasm } = this.ctx;
    return runGemm(this.ctx, a, rowMajor, M, options, (c, aPtr, bias) =>
      wasm.gemm_ref(c, aPtr, rowMajor.ptr, bias, M, rowMajor.rows, rowMajor.cols),
    );
  }

  // ---- spikemm ----

  /**
   * out (M, Nout) += sum_p scale[p] * (S_p (M, K) @ W (K, Nout)), accumulate-only; out is zeros by default. W is
   * row-major (Kernels.upload) or packed for gemm (Kernels.pack, packTransposed: f32 or bf16), so a linear layer's
   * dense copy serves both; every layout gives the same bits (bf16: those of its widened weights).
   */
  spikemm(planes: SpikePlanes, scale: Float32Array, weight: ResidentMatrix, out?: Float32Array): Float32Array {
    const w = checkResident(this, 'weight', weight, SPIKEMM_LAYOUTS);
    const { wasm } = this.ctx;
    if (w.layout === 'row-major') {
      return runSpikemm(this.ctx, planes, scale, w, out, false, (o, p, s, scratch) =>
        wasm.spikemm(o, p, s, w.ptr, scratch, planes.rows, planes.rowLen, w.cols, planes.planes),
      );
    }
    const kernel = w.layout === 'packed-16' ? wasm.spikemm_packed : wasm.spikemm_packed_bf16;
    return runSpikemm(this.ctx, planes, scale, w, out, true, (o, p, s, scratch, blockRows) =>
      kernel(o, p, s, w.ptr, scratch, planes.rows, planes.rowLen, w.cols, planes.planes, blockRows),
    );
  }

  spikemmRef(planes: SpikePlanes, scale: Float32Array, weight: ResidentMatrix, out?: Float32Array): Float32Array {
    const w = checkResident(this, 'weight', weight, 'row-major');
    const { wasm } = this.ctx;
    return runSpikemm(this.ctx, planes, scale, w, out, false, (o, p, s) =>
      wasm.spikemm_ref(o, p, s, w.ptr, planes.rows, planes.rowLen, w.cols, planes.planes),
    );
  }

  // ---- element-wise float ops ----

  /**
   * out (n) = x * sigmoid(x) for x (n), in f32 (exp as Cephes' expf; within a few ulp of the exact value, -Inf
   * gives -0, NaN stays NaN). Each element's result depends on its value only: not on n, the build or the threads.
   */
  silu(x: Float32Array, options: ElementwiseOptions = {}): Float32Array {
    return runSilu(this.ctx, x, options, (y, xPtr, n) =>
      runPlan(this.ctx, 'silu', siluPlan(y, xPtr, n, this.ctx.threads)),
    );
  }

  /**
   * out (M, N) = f32(scale * a (M, K) @ b) with every product and partial sum in float64, k ascending: b (K, N), or
   * (N, K) with transposeB. The bits of the float model's small products; rows split over the threads.
   */
  matmulF64(a: Float32Array, b: Float32Array, M: number, K: number, N: number, options: MatmulF64Options = {}) {
    return runMatmulF64(this.ctx, a, b, M, K, N, options);
  }

  /**
   * out (rows, n) = softmax of each row of x (rows, n) in f32: with `causalOffset`, row r over its first
   * causalOffset + r + 1 columns, the rest 0. A row's result depends on its visible values only.
   */
  softmax(x: Float32Array, rows: number, n: number, options: SoftmaxKernelOptions = {}): Float32Array {
    return runSoftmax(this.ctx, x, rows, n, options, (xPtr, r, cols, causal, offset) =>
      runPlan(this.ctx, 'softmax_rows', softmaxPlan(xPtr, r, cols, causal, offset, this.ctx.threads)),
    );
  }

  /**
   * out (rows, n) = gamma * x / sqrt(mean(x^2) + eps) for each row of x (rows, n), n = gamma.length, in f32 (the
   * sum of squares in four lanes). A row's result depends on that row only.
   */
  rmsNorm(
    x: Float32Array,
    gamma: Float32Array,
    rows: number,
    eps: number,
    options: ElementwiseOptions = {},
  ): Float32Array {
    return runRmsNorm(this.ctx, x, gamma, rows, eps, options, (y, xPtr, g, r, n, epsBits) =>
      runPlan(this.ctx, 'rms_norm', rmsNormPlan(y, xPtr, g, r, n, epsBits, this.ctx.threads)),
    );
  }

  /** out (n) = a (n) + b (n) in f32: the bits of a JS loop storing a[i] + b[i] into a Float32Array. */
  add(a: Float32Array, b: Float32Array, options: ElementwiseOptions = {}): Float32Array {
    return runBinary(this.ctx, a, b, options, (o, x, y, n) =>
      runPlan(this.ctx, 'add_f32', binaryPlan(o, x, y, n, this.ctx.threads)),
    );
  }

  /** out (n) = a (n) * b (n) in f32: the bits of a JS loop storing a[i] * b[i] into a Float32Array. */
  mul(a: Float32Array, b: Float32Array, options: ElementwiseOptions = {}): Float32Array {
    return runBinary(this.ctx, a, b, options, (o, x, y, n) =>
      runPlan(this.ctx, 'mul_f32', binaryPlan(o, x, y, n, this.ctx.threads)),
    );
  }

  // ---- bits ----

  /** x = M * 2^E with |M| in [0.5, 1); 0, Inf and NaN keep x as M with E = 0. */
  frexp(x: Float32Array, options: FrexpOptions = {}): FrexpResult {
    return runFrexp(this.ctx, this.ctx.wasm.frexp, x, options);
  }

  frexpRef(x: Float32Array, options: FrexpOptions = {}): FrexpResult {
    return runFrexp(this.ctx, this.ctx.wasm.frexp_ref, x, options);
  }

  /** x = M * 2^E with |M| in [0.5, 2) and E even (for square roots). */
  frexpEven(x: Float32Array, options: FrexpOptions = {}): FrexpResult {
    return runFrexp(this.ctx, this.ctx.wasm.frexp_even, x, options);
  }

  frexpEvenRef(x: Float32Array, options: FrexpOptions = {}): FrexpResult {
    return runFrexp(this.ctx, this.ctx.wasm.frexp_even_ref, x, options);
  }

  /** y = x * 2^k (exponent addition; one correct rounding where the result leaves the normal range). */
  ldexp(x: Float32Array, k: Int32Array, options: LdexpOptions = {}): Float32Array {
    return runLdexp(this.ctx, this.ctx.wasm.ldexp, x, k, options);
  }

  ldexpRef(x: Float32Array, k: Int32Array, options: LdexpOptions = {}): Float32Array {
    return runLdexp(this.ctx, this.ctx.wasm.ldexp_ref, x, k, options);
  }

  // ---- probe ----

  /**
   * Runs 8 x `iterations` independent f32x4 adds in registers (scalar adds in the scalar build) and returns their
   * sum: time it to get this machine's add rate, the ceiling of an accumulate-only kernel (bench:sops).
   */
  addRateProbe(iterations: number): number {
    checkInt('iterations', iterations, 0, 2 ** 31 - 1);
    return this.ctx.wasm.f32x4_add_probe(iterations);
  }
}

/** Loads the kernels (see Kernels.load). */
export function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  return Kernels.load(options);
}

// The typed facade over the wasm kernels: it validates arguments (so wasm never traps on bad input),
// copies operands into the module's memory, runs the kernel and copies results out. Weights that are
// used many times stay resident (`upload`, `pack`). Each `*Ref` method runs the kernel's scalar twin.
import { instantiateKernels, supportedVariants, type KernelExports, type WasmVariant } from '../../bindings/loader.js';
import { InvalidArgumentError } from '../errors.js';
import { checkFinite, checkFiniteNumber, checkInt, checkLength } from './checks.js';
import { WasmHeap, type Scratch } from './heap.js';
import type { FrexpResult, MembraneSpikes, MembraneTables, SpikePlanes } from './types.js';

export const MAX_BASES = 8;
export const MAX_TIMESTEPS = 32;
const MAX_ELEMENTS = 2 ** 28;
const MAX_DIM = 2 ** 24;

export interface LoadKernelsOptions {
  /** Which build to load; by default the best one this runtime validates (relaxed -> simd -> scalar). */
  readonly variant?: WasmVariant;
}

export interface MembraneOptions {
  /** The neuron sees |x| and the output takes the sign of x (identity code, odd functions). */
  readonly signMagnitude?: boolean;
  /** (n) where to write y; a new array by default. */
  readonly out?: Float32Array;
}

export interface MembraneSpikesOptions {
  /** The input is (rows, rowLen); each row's spikes start at a new word. Default: one row. */
  readonly rows?: number;
  readonly signMagnitude?: boolean;
}

export interface GemmOptions {
  /** (N) added to every row. */
  readonly bias?: Float32Array;
  /** (M, N) where to write C; a new array by default. */
  readonly out?: Float32Array;
}

/** A row-major matrix held in wasm memory, for kernels that read it many times. */
export class ResidentMatrix {
  private freed = false;
  constructor(
    /** @internal */ readonly owner: Kernels,
    readonly ptr: number,
    readonly rows: number,
    readonly cols: number,
    readonly layout: 'row-major' | 'packed-16',
  ) {}
  /** Gives the memory back; the matrix cannot be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.owner.releaseMatrix(this);
  }
  get isFreed(): boolean {
    return this.freed;
  }
}

export class Kernels {
  private readonly heap: WasmHeap;

  private constructor(
    readonly variant: WasmVariant,
    private readonly wasm: KernelExports,
  ) {
    this.heap = new WasmHeap(wasm.memory, wasm.heap_base() >>> 0);
  }

  /** Instantiates a kernel module with its own memory. */
  static async load(options: LoadKernelsOptions = {}): Promise<Kernels> {
    const variant = options.variant ?? supportedVariants()[0] ?? 'scalar';
    return new Kernels(variant, await instantiateKernels(variant));
  }

  /** Bytes held by resident matrices. */
  get residentBytes(): number {
    return this.heap.liveBytes;
  }

  // ---- membrane ----

  /** Decoded outputs y (n) of the multi-basis neuron for every element of x (n). */
  membrane(x: Float32Array, tables: MembraneTables, options: MembraneOptions = {}): Float32Array {
    return this.runMembrane(this.wasm.membrane, x, tables, options);
  }

  membraneRef(x: Float32Array, tables: MembraneTables, options: MembraneOptions = {}): Float32Array {
    return this.runMembrane(this.wasm.membrane_ref, x, tables, options);
  }

  /** Decoded outputs plus the bit-packed spike planes, their counts and the sign bits. */
  membraneSpikes(x: Float32Array, tables: MembraneTables, options: MembraneSpikesOptions = {}): MembraneSpikes {
    return this.runMembraneSpikes(this.wasm.membrane_spikes, x, tables, options);
  }

  membraneSpikesRef(x: Float32Array, tables: MembraneTables, options: MembraneSpikesOptions = {}): MembraneSpikes {
    return this.runMembraneSpikes(this.wasm.membrane_spikes_ref, x, tables, options);
  }

  private runMembrane(
    kernel: KernelExports['membrane'],
    x: Float32Array,
    tables: MembraneTables,
    options: MembraneOptions,
  ): Float32Array {
    checkTables(tables);
    const n = x.length;
    checkInt('x.length', n, 0, MAX_ELEMENTS);
    const out = options.out ?? new Float32Array(n);
    checkLength('out', out, n, '(n, like x)');
    return this.heap.scratch((scratch) => {
      const t = this.copyTables(scratch, tables);
      const xPtr = scratch.alloc(n * 4);
      const yPtr = scratch.alloc(n * 4);
      this.heap.f32(xPtr, n).set(x);
      const sm = options.signMagnitude ? 1 : 0;
      kernel(
        yPtr,
        xPtr,
        t.polarity,
        t.shift,
        t.vth,
        t.reset,
        t.intensity,
        t.weight,
        tables.bias,
        sm,
        n,
        tables.N,
        tables.T,
      );
      out.set(this.heap.f32(yPtr, n));
      return out;
    });
  }

  private runMembraneSpikes(
    kernel: KernelExports['membrane_spikes'],
    x: Float32Array,
    tables: MembraneTables,
    options: MembraneSpikesOptions,
  ): MembraneSpikes {
    checkTables(tables);
    const rows = options.rows ?? 1;
    checkInt('rows', rows, 1, MAX_ELEMENTS);
    if (x.length % rows !== 0) {
      throw new InvalidArgumentError(`x.length (${x.length}) must be a multiple of rows (${rows})`);
    }
    const rowLen = x.length / rows;
    checkInt('x.length', x.length, 0, MAX_ELEMENTS);
    const { N, T } = tables;
    const words = Math.ceil(rowLen / 32);
    const planeWords = rows * words;
    const P = N * T;
    return this.heap.scratch((scratch) => {
      const t = this.copyTables(scratch, tables);
      const xPtr = scratch.alloc(x.length * 4);
      const yPtr = scratch.alloc(x.length * 4);
      const planesPtr = scratch.alloc(P * planeWords * 4);
      const countsPtr = scratch.alloc(P * 4);
      const signsPtr = scratch.alloc(planeWords * 4);
      this.heap.f32(xPtr, x.length).set(x);
      const sm = options.signMagnitude ? 1 : 0;
      kernel(
        yPtr,
        planesPtr,
        countsPtr,
        signsPtr,
        xPtr,
        t.polarity,
        t.shift,
        t.vth,
        t.reset,
        t.intensity,
        t.weight,
        tables.bias,
        sm,
        rows,
        rowLen,
        N,
        T,
      );
      const planes: SpikePlanes = {
        bits: this.heap.u32(planesPtr, P * planeWords).slice(),
        planes: P,
        rows,
        rowLen,
        words,
      };
      return {
        y: this.heap.f32(yPtr, x.length).slice(),
        planes,
        counts: this.heap.u32(countsPtr, P).slice(),
        signs: this.heap.u32(signsPtr, planeWords).slice(),
      };
    });
  }

  private copyTables(scratch: Scratch, tables: MembraneTables) {
    const { N, T } = tables;
    const ptrs = {
      polarity: scratch.alloc(N * 4),
      shift: scratch.alloc(N * 4),
      vth: scratch.alloc(N * T * 4),
      reset: scratch.alloc(N * T * 4),
      intensity: scratch.alloc(N * T * 4),
      weight: scratch.alloc(N * 4),
    };
    this.heap.f32(ptrs.polarity, N).set(tables.polarity);
    this.heap.f32(ptrs.shift, N).set(tables.shift);
    this.heap.f32(ptrs.vth, N * T).set(tables.vth);
    this.heap.f32(ptrs.reset, N * T).set(tables.reset);
    this.heap.f32(ptrs.intensity, N * T).set(tables.intensity);
    this.heap.f32(ptrs.weight, N).set(tables.weight);
    return ptrs;
  }

  // ---- resident matrices ----

  /** Copies a row-major (rows, cols) matrix into wasm memory, for spikemm and gemmRef. */
  upload(data: Float32Array, rows: number, cols: number): ResidentMatrix {
    checkMatrix('data', data, rows, cols);
    const ptr = this.heap.alloc(rows * cols * 4);
    this.heap.f32(ptr, rows * cols).set(data);
    return new ResidentMatrix(this, ptr, rows, cols, 'row-major');
  }

  /** Packs B (K, N) into 16-column panels in wasm memory, for gemm. */
  pack(b: Float32Array, K: number, N: number): PackedMatrix {
    checkMatrix('b', b, K, N);
    const packedBytes = Math.ceil(N / 16) * K * 16 * 4;
    const ptr = this.heap.alloc(packedBytes);
    this.heap.scratch((scratch) => {
      const bPtr = scratch.alloc(K * N * 4);
      this.heap.f32(bPtr, K * N).set(b);
      this.wasm.gemm_pack_b(ptr, bPtr, K, N);
    });
    return new ResidentMatrix(this, ptr, K, N, 'packed-16');
  }

  /** @internal Called by ResidentMatrix.free. */
  releaseMatrix(matrix: ResidentMatrix): void {
    this.heap.release(matrix.ptr);
  }

  // ---- gemm ----

  /** C (M, N) = A (M, K) @ B (K, N) + bias, with B packed by `pack`. */
  gemm(a: Float32Array, b: PackedMatrix, M: number, options: GemmOptions = {}): Float32Array {
    this.checkResident('b', b, 'packed-16');
    return this.runGemm(a, b, M, options, (c, aPtr, bias) =>
      this.wasm.gemm_packed(c, aPtr, b.ptr, bias, M, b.rows, b.cols),
    );
  }

  /** The naive scalar reference, on a row-major B from `upload`. */
  gemmRef(a: Float32Array, b: ResidentMatrix, M: number, options: GemmOptions = {}): Float32Array {
    this.checkResident('b', b, 'row-major');
    return this.runGemm(a, b, M, options, (c, aPtr, bias) =>
      this.wasm.gemm_ref(c, aPtr, b.ptr, bias, M, b.rows, b.cols),
    );
  }

  private runGemm(
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
    return this.heap.scratch((scratch) => {
      const aPtr = scratch.alloc(M * K * 4);
      const cPtr = scratch.alloc(M * N * 4);
      const biasPtr = bias ? scratch.alloc(N * 4) : 0;
      this.heap.f32(aPtr, M * K).set(a);
      if (bias) this.heap.f32(biasPtr, N).set(bias);
      run(cPtr, aPtr, biasPtr);
      out.set(this.heap.f32(cPtr, M * N));
      return out;
    });
  }

  // ---- spikemm ----

  /** out (M, Nout) += sum_p scale[p] * (S_p (M, K) @ W (K, Nout)), accumulate-only. */
  spikemm(planes: SpikePlanes, scale: Float32Array, weight: ResidentMatrix, out?: Float32Array): Float32Array {
    return this.runSpikemm(planes, scale, weight, out, (o, p, s, scratch) =>
      this.wasm.spikemm(o, p, s, weight.ptr, scratch, planes.rows, planes.rowLen, weight.cols, planes.planes),
    );
  }

  spikemmRef(planes: SpikePlanes, scale: Float32Array, weight: ResidentMatrix, out?: Float32Array): Float32Array {
    return this.runSpikemm(planes, scale, weight, out, (o, p, s) =>
      this.wasm.spikemm_ref(o, p, s, weight.ptr, planes.rows, planes.rowLen, weight.cols, planes.planes),
    );
  }

  private runSpikemm(
    planes: SpikePlanes,
    scale: Float32Array,
    weight: ResidentMatrix,
    out: Float32Array | undefined,
    run: (outPtr: number, planesPtr: number, scalePtr: number, scratchPtr: number) => void,
  ): Float32Array {
    this.checkResident('weight', weight, 'row-major');
    checkPlanes(planes);
    const { rows: M, rowLen: K, planes: P } = planes;
    if (weight.rows !== K) {
      throw new InvalidArgumentError(`weight has ${weight.rows} rows but the spike planes have rows of ${K} inputs`);
    }
    const Nout = weight.cols;
    checkLength('scale', scale, P, `(planes) = (${P})`);
    checkFinite('scale', scale);
    const result = out ?? new Float32Array(M * Nout);
    checkLength('out', result, M * Nout, `(M, Nout) = (${M}, ${Nout})`);
    return this.heap.scratch((scratch) => {
      const outPtr = scratch.alloc(M * Nout * 4);
      const planesPtr = scratch.alloc(planes.bits.length * 4);
      const scalePtr = scratch.alloc(P * 4);
      const listPtr = scratch.alloc((P * K + P) * 4);
      this.heap.f32(outPtr, M * Nout).set(result);
      this.heap.u32(planesPtr, planes.bits.length).set(planes.bits);
      this.heap.f32(scalePtr, P).set(scale);
      run(outPtr, planesPtr, scalePtr, listPtr);
      result.set(this.heap.f32(outPtr, M * Nout));
      return result;
    });
  }

  // ---- bits ----

  /** x = M * 2^E with |M| in [0.5, 1); 0, Inf and NaN keep x as M with E = 0. */
  frexp(x: Float32Array): FrexpResult {
    return this.runFrexp(this.wasm.frexp, x);
  }

  frexpRef(x: Float32Array): FrexpResult {
    return this.runFrexp(this.wasm.frexp_ref, x);
  }

  /** x = M * 2^E with |M| in [0.5, 2) and E even (for square roots). */
  frexpEven(x: Float32Array): FrexpResult {
    return this.runFrexp(this.wasm.frexp_even, x);
  }

  frexpEvenRef(x: Float32Array): FrexpResult {
    return this.runFrexp(this.wasm.frexp_even_ref, x);
  }

  private runFrexp(kernel: KernelExports['frexp'], x: Float32Array): FrexpResult {
    const n = x.length;
    checkInt('x.length', n, 0, MAX_ELEMENTS);
    return this.heap.scratch((scratch) => {
      const xPtr = scratch.alloc(n * 4);
      const mPtr = scratch.alloc(n * 4);
      const ePtr = scratch.alloc(n * 4);
      this.heap.f32(xPtr, n).set(x);
      kernel(mPtr, ePtr, xPtr, n);
      return { mantissa: this.heap.f32(mPtr, n).slice(), exponent: this.heap.i32(ePtr, n).slice() };
    });
  }

  /** y = x * 2^k (exponent addition; one correct rounding where the result leaves the normal range). */
  ldexp(x: Float32Array, k: Int32Array): Float32Array {
    return this.runLdexp(this.wasm.ldexp, x, k);
  }

  ldexpRef(x: Float32Array, k: Int32Array): Float32Array {
    return this.runLdexp(this.wasm.ldexp_ref, x, k);
  }

  private runLdexp(kernel: KernelExports['ldexp'], x: Float32Array, k: Int32Array): Float32Array {
    const n = x.length;
    checkInt('x.length', n, 0, MAX_ELEMENTS);
    checkLength('k', k, n, '(n, like x)');
    return this.heap.scratch((scratch) => {
      const xPtr = scratch.alloc(n * 4);
      const kPtr = scratch.alloc(n * 4);
      const yPtr = scratch.alloc(n * 4);
      this.heap.f32(xPtr, n).set(x);
      this.heap.i32(kPtr, n).set(k);
      kernel(yPtr, xPtr, kPtr, n);
      return this.heap.f32(yPtr, n).slice();
    });
  }

  private checkResident(name: string, matrix: ResidentMatrix, layout: ResidentMatrix['layout']): void {
    if (!(matrix instanceof ResidentMatrix) || matrix.layout !== layout) {
      const how = layout === 'packed-16' ? 'Kernels.pack' : 'Kernels.upload';
      throw new InvalidArgumentError(`${name} must be a ${layout} matrix made by ${how}`);
    }
    if (matrix.isFreed) throw new InvalidArgumentError(`${name} was freed`);
    if (matrix.owner !== this) throw new InvalidArgumentError(`${name} belongs to another Kernels instance`);
  }
}

/** A B operand packed by Kernels.pack. */
export type PackedMatrix = ResidentMatrix;

/** Loads the kernels (see Kernels.load). */
export function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  return Kernels.load(options);
}

function checkTables(tables: MembraneTables): void {
  const { N, T } = tables;
  checkInt('tables.N', N, 1, MAX_BASES);
  checkInt('tables.T', T, 1, MAX_TIMESTEPS);
  checkLength('tables.polarity', tables.polarity, N, `(N) = (${N})`);
  checkLength('tables.shift', tables.shift, N, `(N) = (${N})`);
  checkLength('tables.weight', tables.weight, N, `(N) = (${N})`);
  checkLength('tables.vth', tables.vth, N * T, `(N, T) = (${N}, ${T})`);
  checkLength('tables.reset', tables.reset, N * T, `(N, T) = (${N}, ${T})`);
  checkLength('tables.intensity', tables.intensity, N * T, `(N, T) = (${N}, ${T})`);
  for (let i = 0; i < N; i++) {
    const p = tables.polarity[i];
    if (p !== 1 && p !== -1) throw new InvalidArgumentError(`tables.polarity[${i}] must be +1 or -1, got ${p}`);
  }
  checkFinite('tables.shift', tables.shift);
  checkFinite('tables.weight', tables.weight);
  checkFinite('tables.vth', tables.vth);
  checkFinite('tables.reset', tables.reset);
  checkFinite('tables.intensity', tables.intensity);
  checkFiniteNumber('tables.bias', tables.bias);
}

function checkMatrix(name: string, data: Float32Array, rows: number, cols: number): void {
  checkInt(`${name} rows`, rows, 0, MAX_DIM);
  checkInt(`${name} cols`, cols, 0, MAX_DIM);
  checkLength(name, data, rows * cols, `(${rows}, ${cols})`);
}

function checkPlanes(planes: SpikePlanes): void {
  checkInt('planes.planes', planes.planes, 0, MAX_BASES * MAX_TIMESTEPS * 2);
  checkInt('planes.rows', planes.rows, 0, MAX_DIM);
  checkInt('planes.rowLen', planes.rowLen, 0, MAX_DIM);
  const words = Math.ceil(planes.rowLen / 32);
  if (planes.words !== words) {
    throw new InvalidArgumentError(`planes.words must be ceil(rowLen / 32) = ${words}, got ${planes.words}`);
  }
  checkLength('planes.bits', planes.bits, planes.planes * planes.rows * words, '(planes, rows, words)');
  // Bits past rowLen would index weight rows that do not exist.
  const tail = planes.rowLen % 32;
  if (tail !== 0) {
    const mask = ~((1 << tail) - 1) >>> 0;
    for (let w = words - 1; w < planes.bits.length; w += words) {
      if (((planes.bits[w] as number) & mask) !== 0) {
        throw new InvalidArgumentError(`planes.bits[${w}] has bits set past rowLen ${planes.rowLen}`);
      }
    }
  }
}

// The spikemm family: out (M, Nout) += sum_p scale[p] (S_p (M, K) @ W (K, Nout)) on bit-packed planes,
// W resident: row-major (Kernels.upload) or packed into 16-column panels (Kernels.pack, packTransposed), f32 or
// bf16. `out` is accumulated into, so it is copied in as well as out.
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe.js';
import {
  checkFinite,
  checkFloat32Array,
  checkInt,
  checkLength,
  checkObject,
  checkTypedArray,
  checkWasmBytes,
  MAX_BASES,
  MAX_DIM,
  MAX_TIMESTEPS,
  newArray,
} from './checks.js';
import type { KernelContext } from './context.js';
import type { IssuedMatrix } from './resident.js';
import type { SpikePlanes } from './types.js';

/**
 * Rows whose spike lists the packed kernels hold at once (each (P * K + P) u32): up to 8, within 4 MiB. A block's rows
 * share every weight panel while it is in cache; lists are written only where spikes are, so most of it is untouched.
 */
function blockRowsOf(M: number, K: number, P: number): number {
  const LIST_BUDGET_WORDS = 1 << 20;
  return Math.max(1, Math.min(8, M, Math.floor(LIST_BUDGET_WORDS / (P * K + P))));
}

/**
 * Checks the operands, then calls `run` (a spikemm kernel) on copies in wasm memory, with scratch for the spike lists
 * of one row, or with `blocked` of blockRows rows (the packed kernels).
 */
export function runSpikemm(
  { heap }: KernelContext,
  planes: SpikePlanes,
  scale: Float32Array,
  weight: IssuedMatrix,
  out: Float32Array | undefined,
  blocked: boolean,
  run: (outPtr: number, planesPtr: number, scalePtr: number, scratchPtr: number, blockRows: number) => void,
): Float32Array {
  checkPlanes(planes);
  const { rows: M, rowLen: K, planes: P } = planes;
  const listRows = blocked ? blockRowsOf(M, K, P) : 1;
  if (weight.rows !== K) {
    throw new InvalidArgumentError(`weight has ${weight.rows} rows but the spike planes have rows of ${K} inputs`);
  }
  const Nout = weight.cols;
  checkFloat32Array('scale', scale);
  checkLength('scale', scale, P, `(planes) = (${P})`);
  checkFinite('scale', scale);
  // out, the planes, the scales, the spike lists and their counts, all 4-byte elements
  // the packed kernels' scratch also holds each block row's chunked sums and list places, (P, 32) f32 and (P) u32,
  // 16-byte aligned (up to 4 words of padding)
  const scratchWords = blocked ? listRows * (P * K + P + P * 33) + 4 : P * K + P;
  checkWasmBytes('out and the spike planes', (M * Nout + planes.bits.length + P + scratchWords) * 4);
  if (out !== undefined) {
    checkFloat32Array('out', out);
    checkLength('out', out, M * Nout, `(M, Nout) = (${M}, ${Nout})`);
  }
  const result = out ?? newArray(Float32Array, M * Nout, 'out');
  return heap.scratch((scratch) => {
    const outPtr = scratch.alloc(M * Nout * 4); // (M, Nout)
    const planesPtr = scratch.alloc(planes.bits.length * 4); // (P, M, words) u32
    const scalePtr = scratch.alloc(P * 4); // (P)
    // (listRows, P * K + P) u32 spike lists and counts; packed: then padding, (listRows, P, 32) f32, (listRows, P) u32
    const listPtr = scratch.alloc(scratchWords * 4);
    // A new result starts at zero: fill wasm memory instead of copying zeros in.
    if (out) heap.f32(outPtr, M * Nout).set(out);
    else heap.f32(outPtr, M * Nout).fill(0);
    heap.u32(planesPtr, planes.bits.length).set(planes.bits);
    heap.f32(scalePtr, P).set(scale);
    run(outPtr, planesPtr, scalePtr, listPtr, listRows);
    result.set(heap.f32(outPtr, M * Nout));
    return result;
  });
}

/** Throws unless the planes are consistent and no bit lies past rowLen. */
function checkPlanes(planes: SpikePlanes): void {
  checkObject('planes', planes);
  checkTypedArray('planes.bits', planes.bits, Uint32Array);
  checkInt('planes.planes', planes.planes, 0, MAX_BASES * MAX_TIMESTEPS * 2);
  checkInt('planes.rows', planes.rows, 0, MAX_DIM);
  checkInt('planes.rowLen', planes.rowLen, 0, MAX_DIM);
  const words = Math.ceil(planes.rowLen / 32);
  if (planes.words !== words) {
    throw new InvalidArgumentError(
      `planes.words must be ceil(rowLen / 32) = ${words}, got ${describeValue(planes.words)}`,
    );
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

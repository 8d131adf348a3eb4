// The membrane family: decoded outputs, or outputs plus bit-packed spike planes, of one multi-basis
// neuron over an array. The tables go to wasm as one table block (membrane-table.ts).
import type { KernelExports } from '../../bindings/loader.js';
import { InvalidArgumentError } from '../errors.js';
import {
  checkFloat32Array,
  checkInt,
  checkLength,
  checkOptions,
  checkTypedArray,
  checkWasmBytes,
  MAX_ELEMENTS,
  newArray,
} from './checks.js';
import type { KernelContext } from './context.js';
import { membraneSpikesPlan, runPlan } from './parallel.js';
import { checkTables, MEMBRANE_TABLE_LAYOUT, writeMembraneTable } from './membrane-table.js';
import { residentBlock, type ResidentTables } from './resident-tables.js';
import type { MembraneSpikes, MembraneTables } from './types.js';

export interface MembraneOptions {
  /** The neuron sees |x| and the output takes the sign of x (identity code, odd functions). */
  readonly signMagnitude?: boolean;
  /** (n) where to write y; a new array by default. */
  readonly out?: Float32Array;
}

export interface MembraneSpikesOptions {
  /** The input is (rows, rowLen); each row's spikes start at a new word. Default: one row. */
  readonly rows?: number;
  /** As in MembraneOptions; the sign bits are written only in this mode. */
  readonly signMagnitude?: boolean;
  /** Where to write the results; a new array for each one not given. */
  readonly out?: MembraneSpikesBuffers;
}

/** Caller-given buffers for membraneSpikes, each optional; words = ceil(rowLen / 32). */
export interface MembraneSpikesBuffers {
  /** (rows, rowLen) f32 decoded outputs. */
  readonly y?: Float32Array;
  /** (N * T, rows, words) u32 spike planes. */
  readonly bits?: Uint32Array;
  /** (N, T) u32 spikes per plane. */
  readonly counts?: Uint32Array;
  /** (rows, words) u32 sign bits. */
  readonly signs?: Uint32Array;
}

/** Runs `kernel` (membrane, split over threads, or membrane_ref): y (n) for x (n). */
export function runMembrane(
  { heap }: KernelContext,
  x: Float32Array,
  tables: MembraneTables | ResidentTables,
  options: MembraneOptions,
  kernel: KernelExports['membrane'],
): Float32Array {
  checkFloat32Array('x', x);
  checkOptions('options', options);
  const signMagnitude = options.signMagnitude ?? false;
  const resident = residentBlock(heap, tables, signMagnitude);
  if (resident === null) checkTables(tables as MembraneTables);
  const n = x.length;
  checkInt('x.length', n, 0, MAX_ELEMENTS);
  if (options.out !== undefined) checkFloat32Array('out', options.out);
  const out = options.out ?? newArray(Float32Array, n, 'y');
  checkLength('out', out, n, '(n, like x)');
  return heap.scratch((scratch) => {
    const table = resident ?? writeMembraneTable(heap, scratch, tables as MembraneTables, signMagnitude);
    const xPtr = scratch.alloc(n * 4); // (n)
    const yPtr = scratch.alloc(n * 4); // (n)
    heap.f32(xPtr, n).set(x);
    kernel(yPtr, xPtr, table, n);
    out.set(heap.f32(yPtr, n));
    return out;
  });
}

/**
 * Runs membrane_spikes or membrane_spikes_ref on x (rows, rowLen); with `threads` above 1, a call large enough is
 * split by rows over the kernel threads (membrane_spikes_rows), the same bits.
 */
export function runMembraneSpikes(
  ctx: KernelContext,
  kernel: KernelExports['membrane_spikes'],
  x: Float32Array,
  tables: MembraneTables | ResidentTables,
  options: MembraneSpikesOptions,
  threads = 1,
): MembraneSpikes {
  const { heap } = ctx;
  checkFloat32Array('x', x);
  checkOptions('options', options);
  const signMagnitude = options.signMagnitude ?? false;
  const resident = residentBlock(heap, tables, signMagnitude);
  if (resident === null) checkTables(tables as MembraneTables);
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
  // x and y, the planes, their counts and the signs, all 4-byte elements
  checkWasmBytes(
    'x and the spike planes',
    MEMBRANE_TABLE_LAYOUT.bytes + 4 * (2 * x.length + P * planeWords + threads * P + planeWords),
  );
  const given = checkBuffers(options.out);
  const y = given.y ?? newArray(Float32Array, x.length, 'y'); // (rows, rowLen)
  checkLength('out.y', y, x.length, '(rows, rowLen, like x)');
  const bits = given.bits ?? newArray(Uint32Array, P * planeWords, 'planes.bits'); // (N * T, rows, words)
  checkLength('out.bits', bits, P * planeWords, () => `(N * T, rows, words) = (${P}, ${rows}, ${words})`);
  const counts = given.counts ?? new Uint32Array(P); // (N, T)
  checkLength('out.counts', counts, P, () => `(N, T) = (${N}, ${T})`);
  const signs = given.signs ?? newArray(Uint32Array, planeWords, 'signs'); // (rows, words)
  checkLength('out.signs', signs, planeWords, () => `(rows, words) = (${rows}, ${words})`);
  return heap.scratch((scratch) => {
    const table = resident ?? writeMembraneTable(heap, scratch, tables as MembraneTables, signMagnitude);
    const xPtr = scratch.alloc(x.length * 4); // (rows, rowLen)
    const yPtr = scratch.alloc(x.length * 4); // (rows, rowLen)
    const planesPtr = scratch.alloc(P * planeWords * 4); // (N * T, rows, words) u32
    const countsPtr = scratch.alloc(threads * P * 4); // (shares <= threads, N, T) u32: each share's counts
    const signsPtr = scratch.alloc(planeWords * 4); // (rows, words) u32
    const pointers = { y: yPtr, planes: planesPtr, counts: countsPtr, signs: signsPtr, x: xPtr, table };
    const shares = membraneSpikesPlan(pointers, rows, rowLen, P, x.length * P, threads);
    heap.f32(xPtr, x.length).set(x);
    if (shares.length === 1) kernel(yPtr, planesPtr, countsPtr, signsPtr, xPtr, table, rows, rowLen);
    else runPlan(ctx, 'membrane_spikes_rows', { shares });
    y.set(heap.f32(yPtr, x.length));
    bits.set(heap.u32(planesPtr, P * planeWords));
    const shareCounts = heap.u32(countsPtr, shares.length * P);
    for (let p = 0; p < P; p++) {
      let sum = 0;
      for (let s = 0; s < shares.length; s++) sum += shareCounts[s * P + p] as number;
      counts[p] = sum;
    }
    signs.set(heap.u32(signsPtr, planeWords));
    return { y, planes: { bits, planes: P, rows, rowLen, words }, counts, signs };
  });
}

/** The caller's buffers, each undefined or a typed array of the right type (lengths are checked by the caller). */
function checkBuffers(out: MembraneSpikesBuffers | undefined): MembraneSpikesBuffers {
  checkOptions('out', out);
  if (out === undefined) return {};
  if (out.y !== undefined) checkFloat32Array('out.y', out.y);
  for (const name of ['bits', 'counts', 'signs'] as const) {
    if (out[name] !== undefined) checkTypedArray(`out.${name}`, out[name], Uint32Array);
  }
  return out;
}

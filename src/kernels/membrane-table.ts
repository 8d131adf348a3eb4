// The membrane kernels' table block: one neuron's tables and mode at fixed byte offsets in wasm memory,
// so each kernel takes one pointer instead of a dozen arguments. The offsets are sized for MAX_BASES x
// MAX_TIMESTEPS (not for this neuron), so the kernels read them as constant load offsets; every array
// starts 16-byte aligned. assembly/membrane.ts reads the same constants (a test holds them equal).
import { InvalidArgumentError } from '../errors.js';
import {
  checkFinite,
  checkFiniteNumber,
  checkFloat32Array,
  checkInt,
  checkLength,
  checkObject,
  MAX_BASES,
  MAX_TIMESTEPS,
} from './checks.js';
import type { Scratch, WasmHeap } from './heap.js';
import type { MembraneTables } from './types.js';

const BASES_BYTES = MAX_BASES * 4; // room for one (N) f32 array
const TABLE_BYTES = MAX_BASES * MAX_TIMESTEPS * 4; // room for one (N, T) f32 array, row stride T

/** Byte offsets of the block: a 16-byte header (N, T, signMagnitude as i32; bias as f32), then the arrays. */
export const MEMBRANE_TABLE_LAYOUT = {
  N: 0,
  T: 4,
  signMagnitude: 8,
  bias: 12,
  polarity: 16,
  shift: 16 + BASES_BYTES,
  weight: 16 + 2 * BASES_BYTES,
  vth: 16 + 3 * BASES_BYTES,
  reset: 16 + 3 * BASES_BYTES + TABLE_BYTES,
  intensity: 16 + 3 * BASES_BYTES + 2 * TABLE_BYTES,
  bytes: 16 + 3 * BASES_BYTES + 3 * TABLE_BYTES,
} as const;

/** Throws InvalidArgumentError unless the tables describe a neuron the kernels can run. */
export function checkTables(tables: MembraneTables): void {
  checkObject('tables', tables);
  for (const field of ['polarity', 'shift', 'weight', 'vth', 'reset', 'intensity'] as const) {
    checkFloat32Array(`tables.${field}`, tables[field]);
  }
  const { N, T } = tables;
  checkInt('tables.N', N, 1, MAX_BASES);
  checkInt('tables.T', T, 1, MAX_TIMESTEPS);
  checkLength('tables.polarity', tables.polarity, N, () => `(N) = (${N})`);
  checkLength('tables.shift', tables.shift, N, () => `(N) = (${N})`);
  checkLength('tables.weight', tables.weight, N, () => `(N) = (${N})`);
  checkLength('tables.vth', tables.vth, N * T, () => `(N, T) = (${N}, ${T})`);
  checkLength('tables.reset', tables.reset, N * T, () => `(N, T) = (${N}, ${T})`);
  checkLength('tables.intensity', tables.intensity, N * T, () => `(N, T) = (${N}, ${T})`);
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

/** Writes checked tables as a table block in scratch memory; returns its pointer. */
export function writeMembraneTable(
  heap: WasmHeap,
  scratch: Scratch,
  tables: MembraneTables,
  signMagnitude: boolean,
): number {
  const ptr = scratch.alloc(MEMBRANE_TABLE_LAYOUT.bytes);
  writeTableBlock(heap, ptr, tables, signMagnitude);
  return ptr;
}

/** Writes checked tables as the table block at ptr (MEMBRANE_TABLE_LAYOUT.bytes bytes). */
export function writeTableBlock(heap: WasmHeap, ptr: number, tables: MembraneTables, signMagnitude: boolean): void {
  const at = MEMBRANE_TABLE_LAYOUT;
  const header = heap.i32(ptr, 3); // words 0..2
  header[0] = tables.N;
  header[1] = tables.T;
  header[2] = signMagnitude ? 1 : 0;
  // one view of the block, each array at its word offset (a view per array cost more than the copies)
  const block = heap.f32(ptr, at.bytes / 4);
  block[at.bias / 4] = tables.bias; // rounded to f32, as the kernels read it
  block.set(tables.polarity, at.polarity / 4);
  block.set(tables.shift, at.shift / 4);
  block.set(tables.weight, at.weight / 4);
  block.set(tables.vth, at.vth / 4);
  block.set(tables.reset, at.reset / 4);
  block.set(tables.intensity, at.intensity / 4);
}

// A neuron's tables held in wasm memory as a table block (membrane-table.ts), for neurons run many times (the
// identity codes and fitted neurons of a spiking model). Checked and copied once when made: each membrane call
// then writes one word (the sign mode) instead of checking and copying every table. Later changes to the arrays
// it was made from do not reach it. As with resident matrices, the kernels trust only what was recorded when a
// block was issued (module-private, below). A block is given back by free(), or when its handle is collected.
import { InvalidArgumentError } from '../errors.js';
import type { KernelContext } from './context.js';
import type { WasmHeap } from './heap.js';
import { checkTables, MEMBRANE_TABLE_LAYOUT, writeTableBlock } from './membrane-table.js';
import type { MembraneTables } from './types.js';

/** What residentTables recorded about a block it issued. */
interface IssuedTables {
  readonly heap: WasmHeap;
  readonly ptr: number;
  readonly N: number;
  readonly T: number;
  freed: boolean;
}

const issued = new WeakMap<ResidentTables, IssuedTables>();

/** Blocks whose handle was collected before free(): given back then. */
const collected = new FinalizationRegistry<IssuedTables>((record) => {
  if (record.freed) return;
  record.freed = true;
  record.heap.release(record.ptr);
});

function record(tables: ResidentTables): IssuedTables {
  const found = issued.get(tables);
  if (found === undefined) throw new InvalidArgumentError('not tables made by Kernels.residentTables');
  return found;
}

/** A neuron's tables in wasm memory (made by Kernels.residentTables); membrane kernels take it for the tables. */
export class ResidentTables {
  private constructor() {
    // instances come from residentTables() only; one made otherwise is in no record and every kernel rejects it
  }
  get N(): number {
    return record(this).N;
  }
  get T(): number {
    return record(this).T;
  }
  get isFreed(): boolean {
    return record(this).freed;
  }
  /** Gives the memory back; the tables cannot be used afterwards. */
  free(): void {
    const r = record(this);
    if (r.freed) return;
    r.freed = true;
    collected.unregister(this);
    r.heap.release(r.ptr);
  }
}

/** Checks `tables` and copies them into a long-lived table block. */
export function residentTables({ heap }: KernelContext, tables: MembraneTables): ResidentTables {
  checkTables(tables);
  const ptr = heap.alloc(MEMBRANE_TABLE_LAYOUT.bytes);
  writeTableBlock(heap, ptr, tables, false);
  const handle = Object.create(ResidentTables.prototype) as ResidentTables;
  const fields: IssuedTables = { heap, ptr, N: tables.N, T: tables.T, freed: false };
  issued.set(handle, fields);
  collected.register(handle, fields, handle);
  return handle;
}

/**
 * The table block of `tables` for one call on `heap`, its sign mode set: a resident block (after checking it was
 * issued for this heap and is not freed), or null for plain tables, which the caller checks and writes itself.
 */
export function residentBlock(heap: WasmHeap, tables: unknown, signMagnitude: boolean): number | null {
  if (!(tables instanceof ResidentTables)) return null;
  const r = record(tables);
  if (r.heap !== heap) throw new InvalidArgumentError('tables were made by another Kernels instance');
  if (r.freed) throw new InvalidArgumentError('tables were freed');
  heap.i32(r.ptr + MEMBRANE_TABLE_LAYOUT.signMagnitude, 1)[0] = signMagnitude ? 1 : 0;
  return r.ptr;
}

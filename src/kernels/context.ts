// What every kernel family's facade works with: the module's exports, the heap over its memory and, with
// more than one thread, the pool that runs shares of a call.
import type { KernelExports } from '../../bindings/loader.js';
import type { ThreadPool } from '../../bindings/threads.js';
import type { WasmHeap } from './heap.js';

export interface KernelContext {
  readonly wasm: KernelExports;
  readonly heap: WasmHeap;
  readonly pool?: ThreadPool;
  /** Threads in all (1 without a pool). */
  readonly threads: number;
}

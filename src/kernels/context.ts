// What every kernel family's facade works with: the module's exports and the heap over its memory.
import type { KernelExports } from '../../bindings/loader.js';
import type { WasmHeap } from './heap.js';

export interface KernelContext {
  readonly wasm: KernelExports;
  readonly heap: WasmHeap;
}

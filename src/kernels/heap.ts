// Owns the kernel module's linear memory: long-lived blocks (packed weights) from a first-fit free list,
// and per-call scratch above them that is released when the call returns. Every pointer is 16-byte
// aligned. Growing memory detaches earlier typed-array views, so views are made fresh after allocation.
import { WasmMemoryError } from '../errors.js';
import { describeText } from '../describe.js';

const ALIGN = 16;
const PAGE = 65536;
/** The wasm32 limit, 4 GiB. */
export const MAX_WASM_BYTES = 65536 * PAGE;

interface Block {
  ptr: number;
  bytes: number;
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** Bump allocation for the duration of one kernel call. */
export interface Scratch {
  alloc(bytes: number): number;
}

export class WasmHeap {
  private top: number; // end of the highest long-lived block
  private readonly free: Block[] = []; // sorted by ptr, coalesced
  private readonly live = new Map<number, number>(); // ptr -> bytes
  private inScratch = false;
  /** The next free byte of the open scratch scope. */
  private scratchNext = 0;
  /** The open scope's allocator: one object for every scope (a kernel call opens one, and there are many). */
  private readonly scratchAllocator: Scratch = { alloc: (bytes) => this.scratchAlloc(bytes) };

  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = alignUp(base);
  }

  /** Bytes currently held by long-lived blocks. */
  get liveBytes(): number {
    let sum = 0;
    for (const bytes of this.live.values()) sum += bytes;
    return sum;
  }

  /** A long-lived block of at least `bytes` bytes; give it back with `release`. */
  alloc(bytes: number): number {
    if (this.inScratch) throw new Error('WasmHeap.alloc called inside a scratch scope');
    const size = alignUp(Math.max(bytes, 1));
    const index = this.free.findIndex((block) => block.bytes >= size);
    const hole = index >= 0 ? this.free[index] : undefined;
    let ptr: number;
    if (hole) {
      ptr = hole.ptr;
      if (hole.bytes === size) this.free.splice(index, 1);
      else this.free[index] = { ptr: hole.ptr + size, bytes: hole.bytes - size };
    } else {
      ptr = this.top;
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    this.live.set(ptr, size);
    return ptr;
  }

  /** Returns a long-lived block; neighbouring free blocks merge, and a free block at the top lowers it. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`WasmHeap.release: ${ptr} is not a live block`);
    this.live.delete(ptr);
    let index = this.free.findIndex((block) => block.ptr > ptr);
    if (index < 0) index = this.free.length;
    this.free.splice(index, 0, { ptr, bytes: size });
    // Merge with the next block, then with the previous one.
    const merge = (at: number): void => {
      const a = this.free[at];
      const b = this.free[at + 1];
      if (a && b && a.ptr + a.bytes === b.ptr) {
        a.bytes += b.bytes;
        this.free.splice(at + 1, 1);
      }
    };
    merge(index);
    if (index > 0) merge(index - 1);
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  /** Runs `work` with a bump allocator above every long-lived block; its memory is reused afterwards. */
  scratch<R>(work: (scratch: Scratch) => R): R {
    if (this.inScratch) throw new Error('WasmHeap.scratch scopes do not nest');
    this.inScratch = true;
    this.scratchNext = this.top;
    try {
      return work(this.scratchAllocator);
    } finally {
      this.inScratch = false;
    }
  }

  private scratchAlloc(bytes: number): number {
    if (!this.inScratch) throw new Error('a WasmHeap scratch allocator was used after its scope ended');
    const ptr = this.scratchNext;
    this.scratchNext = alignUp(ptr + Math.max(bytes, 1));
    this.ensure(this.scratchNext);
    return ptr;
  }

  /** Grows memory so that [0, end) is addressable. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > MAX_WASM_BYTES) {
      throw new WasmMemoryError(`operands need ${end} bytes of wasm memory; the wasm32 limit is ${MAX_WASM_BYTES}`);
    }
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (cause) {
      throw new WasmMemoryError(`wasm memory could not grow to ${end} bytes: ${describeText(String(cause), 200)}`);
    }
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  u16(ptr: number, length: number): Uint16Array {
    return new Uint16Array(this.memory.buffer, ptr, length);
  }

  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
}

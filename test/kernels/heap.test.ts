import { describe, expect, it } from 'vitest';
import { WasmHeap } from '../../src/kernels/heap.js';

function makeHeap(): { heap: WasmHeap; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  return { heap: new WasmHeap(memory, 100), memory };
}

describe('WasmHeap', () => {
  it('aligns to 16 bytes above the base and reuses freed blocks first-fit', () => {
    const { heap } = makeHeap();
    const a = heap.alloc(10);
    const b = heap.alloc(40);
    const c = heap.alloc(16);
    expect([a, b, c]).toEqual([112, 128, 176]);
    heap.release(b);
    expect(heap.alloc(20)).toBe(128); // fits in b's hole
    expect(heap.alloc(20)).toBe(192); // the rest of the hole is 16 bytes: too small
  });

  it('coalesces neighbours and lowers the top when the last block is freed', () => {
    const { heap } = makeHeap();
    const a = heap.alloc(16);
    const b = heap.alloc(16);
    const c = heap.alloc(16);
    heap.release(a);
    heap.release(c);
    heap.release(b);
    expect(heap.liveBytes).toBe(0);
    expect(heap.alloc(48)).toBe(a); // everything merged back into one run from the start
  });

  it('grows memory for large blocks and scratch, and scratch is reused after the call', () => {
    const { heap, memory } = makeHeap();
    const big = heap.alloc(200_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 200_000);
    const first = heap.scratch((s) => s.alloc(100_000));
    const second = heap.scratch((s) => s.alloc(8));
    expect(first).toBe(second);
    expect(first).toBeGreaterThanOrEqual(big + 200_000);
    expect(() => heap.scratch(() => heap.alloc(4))).toThrow(/inside a scratch scope/);
    expect(() => heap.release(12345)).toThrow(/not a live block/);
  });

  it('reports a typed error when memory cannot grow', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const heap = new WasmHeap(memory, 0);
    expect(() => heap.alloc(3 * 65536)).toThrow(/wasm memory could not grow/);
    expect(() => heap.alloc(2 ** 33)).toThrow(/the wasm32 limit/);
  });
});

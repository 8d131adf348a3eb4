// Memory probes for the memory benchmarks: the process's resident set now and at its peak, V8's own counters,
// and the kernels' wasm memory.
import type { Kernels } from '../../src/index.js';

export interface Probe {
  /** Resident set size now, bytes (process.memoryUsage().rss). */
  readonly rss: number;
  /** Peak resident set size of the process so far, bytes (process.resourceUsage().maxRSS, reported in KiB). */
  readonly maxRss: number;
  readonly heapUsed: number;
  /** Memory of ArrayBuffers and Buffers (allocated, whether or not its pages were touched), bytes. */
  readonly arrayBuffers: number;
  /** The kernels' wasm memory (its current size; wasm memory never shrinks), bytes; null when unreadable. */
  readonly wasmBytes: number | null;
  /** Bytes held by resident (packed or uploaded) matrices: Kernels.residentBytes. */
  readonly residentBytes: number;
}

/**
 * The size of the kernels' wasm memory. Kernels exposes only residentBytes (the live blocks); the memory itself
 * is the module's, reached here through the private context (a benchmark's look inside, not an API).
 */
export function wasmMemoryBytes(kernels: Kernels): number | null {
  const ctx = (kernels as unknown as { ctx?: { wasm?: { memory?: WebAssembly.Memory } } }).ctx;
  const memory = ctx?.wasm?.memory;
  return memory instanceof WebAssembly.Memory ? memory.buffer.byteLength : null;
}

export function probe(kernels: Kernels): Probe {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: usage.heapUsed,
    arrayBuffers: usage.arrayBuffers,
    wasmBytes: wasmMemoryBytes(kernels),
    residentBytes: kernels.residentBytes,
  };
}

/** Runs a full garbage collection (the process must run with --expose-gc). */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/** Megabytes (10^6 bytes), one decimal. */
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

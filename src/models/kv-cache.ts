// The key-value cache of a causal language model, like run.c's RunState: every layer's keys and values
// for every position so far, so a decoding step attends over the past without recomputing it.
import { InvalidArgumentError } from '../errors.js';
import type { HeadSource } from './attention.js';

export class KvCache {
  private readonly keys: Float32Array; // (layers, contextLength, kvDim)
  private readonly values: Float32Array; // (layers, contextLength, kvDim)
  /** Positions 0 .. filled - 1 hold keys and values written since the last reset (layer 0's count). */
  private filled = 0;

  constructor(
    readonly layers: number,
    readonly contextLength: number,
    readonly kvDim: number,
  ) {
    this.keys = new Float32Array(layers * contextLength * kvDim);
    this.values = new Float32Array(layers * contextLength * kvDim);
  }

  /** Stores S rows of keys and values (kvDim each, from their sources) at positions startPos .. startPos + S - 1. */
  append(layer: number, k: HeadSource, v: HeadSource, S: number, startPos: number): void {
    if (startPos > this.filled) {
      throw new InvalidArgumentError(
        `positions 0 .. ${startPos - 1} must be run (since the last reset) before position ${startPos}; ${this.filled} were`,
      );
    }
    if (layer === 0) this.filled = startPos + S;
    const at = (layer * this.contextLength + startPos) * this.kvDim;
    for (let s = 0; s < S; s++) {
      const row = at + s * this.kvDim;
      this.keys.set(k.data.subarray(k.offset + s * k.stride, k.offset + s * k.stride + this.kvDim), row);
      this.values.set(v.data.subarray(v.offset + s * v.stride, v.offset + s * v.stride + this.kvDim), row);
    }
  }

  /** A layer's cached keys (contextLength, kvDim) as an attention source. */
  keySource(layer: number): HeadSource {
    return { data: this.keys, offset: layer * this.contextLength * this.kvDim, stride: this.kvDim };
  }

  valueSource(layer: number): HeadSource {
    return { data: this.values, offset: layer * this.contextLength * this.kvDim, stride: this.kvDim };
  }

  /** Forgets every position. The memory is not cleared: nothing past `filled` is ever read, and clearing would
   * touch every page of a long context's cache at each reset. */
  reset(): void {
    this.filled = 0;
  }
}

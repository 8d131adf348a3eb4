// The key-value cache of a causal language model, like run.c's RunState: every layer's keys and values
// for every position so far, so a decoding step attends over the past without recomputing it. Head-major:
// each kv head's keys (and values) for all positions are contiguous, so attention reads a head's (L, headDim)
// block in place instead of gathering it row by row at every step.
import { InvalidArgumentError } from '../errors.js';
import { gather, type HeadSource } from './attention.js';

export class KvCache {
  private readonly keys: Float32Array; // (layers, kvHeads, contextLength, headDim)
  private readonly values: Float32Array; // (layers, kvHeads, contextLength, headDim)
  private readonly kvHeads: number;
  /** Positions 0 .. filled - 1 hold keys and values written since the last reset (layer 0's count). */
  private filled = 0;

  constructor(
    readonly layers: number,
    readonly contextLength: number,
    readonly kvDim: number,
    readonly headDim: number,
  ) {
    this.kvHeads = kvDim / headDim;
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
    const { contextLength, headDim } = this;
    for (let h = 0; h < this.kvHeads; h++) {
      const at = ((layer * this.kvHeads + h) * contextLength + startPos) * headDim; // (layer, h, startPos, 0)
      gather(this.keys, at, k, h * headDim, S, headDim);
      gather(this.values, at, v, h * headDim, S, headDim);
    }
  }

  /** A layer's cached keys as an attention source: rows of headDim, one contiguous block per head. */
  keySource(layer: number): HeadSource {
    return this.source(this.keys, layer);
  }

  valueSource(layer: number): HeadSource {
    return this.source(this.values, layer);
  }

  private source(data: Float32Array, layer: number): HeadSource {
    const headStride = this.contextLength * this.headDim;
    return { data, offset: layer * this.kvHeads * headStride, stride: this.headDim, headStride };
  }

  /** Forgets every position. The memory is not cleared: nothing past `filled` is ever read, and clearing would
   * touch every page of a long context's cache at each reset. */
  reset(): void {
    this.filled = 0;
  }
}

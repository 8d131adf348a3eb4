// The key-value cache of a causal language model, like run.c's RunState: every layer's keys and values
// for every position so far, so a decoding step attends over the past without recomputing it.
import type { HeadSource } from './attention.js';

export class KvCache {
  private readonly keys: Float32Array; // (layers, contextLength, kvDim)
  private readonly values: Float32Array; // (layers, contextLength, kvDim)

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

  reset(): void {
    this.keys.fill(0);
    this.values.fill(0);
  }
}

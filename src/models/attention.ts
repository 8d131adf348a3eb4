// Multi-head scaled dot-product attention over an OpSet, shared by every architecture: per head, gather q
// (S, headDim) and the keys and values (L, headDim) from their sources (a packed qkv buffer; a KV cache, whose
// head-major blocks are read in place), then att = softmax(scale q k^T) under the masks, out = att v, scattered
// back into (S, heads * headDim). Grouped-query attention maps query head h to kv head floor(h / (heads / kvHeads)).
// The heads' softmax rows go to the OpSet together (as many heads as fit a bounded buffer): one call per layer
// instead of one per head, the same rows, so the same results (a softmax row depends on its own values only).
import type { OpSet, SoftmaxOptions } from '../ops/opset.js';

/** Scores held at once, (heads in a batch, S, L) f32: 4 MiB. */
const SCORE_BUDGET = 1 << 20;

export interface AttentionShape {
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/**
 * A source of per-head vectors: element (row, head h, i) is at offset + row * stride + h * headStride + i, with
 * headStride headDim (row-major rows of all heads) unless given (e.g. head-major blocks of a KV cache).
 */
export interface HeadSource {
  readonly data: Float32Array;
  readonly offset: number;
  readonly stride: number;
  readonly headStride?: number;
}

export class Attention {
  private readonly qHead: Float32Array; // (maxRows, headDim)
  private readonly kHead: Float32Array; // (maxKeys, headDim)
  private readonly vHead: Float32Array; // (maxKeys, headDim)
  private att = new Float32Array(0); // (heads in a batch, S, L), grown on demand
  private readonly outHead: Float32Array; // (maxRows, headDim)

  constructor(
    private readonly ops: OpSet,
    readonly shape: AttentionShape,
    readonly maxRows: number,
    readonly maxKeys: number,
  ) {
    const hd = shape.headDim;
    this.qHead = new Float32Array(maxRows * hd);
    this.kHead = new Float32Array(maxKeys * hd);
    this.vHead = new Float32Array(maxKeys * hd);
    this.outHead = new Float32Array(maxRows * hd);
  }

  /**
   * out (S rows of stride outStride) = attention of S queries over L keys; sites `${site}.qk`,
   * `${site}.softmax` and `${site}.pv`.
   */
  run(
    site: string,
    out: HeadSource,
    q: HeadSource,
    keys: HeadSource,
    values: HeadSource,
    S: number,
    L: number,
    scale: number,
    mask: SoftmaxOptions = {},
  ): void {
    const { heads, kvHeads, headDim: hd } = this.shape;
    const groups = heads / kvHeads;
    const scores = S * L;
    const batch = Math.max(1, Math.min(heads, Math.floor(SCORE_BUDGET / Math.max(scores, 1))));
    if (this.att.length < batch * scores) this.att = new Float32Array(batch * scores);
    const blocked = S > 0 ? { ...mask, rowBlock: S } : mask;
    for (let h0 = 0; h0 < heads; h0 += batch) {
      const count = Math.min(batch, heads - h0);
      // att (count, S, L): per head scale q k^T, then every row's softmax under the masks; out (S, hd) = att v
      for (let i = 0; i < count; i++) {
        const h = h0 + i;
        const qHead = headRows(this.qHead, q, h, S, hd); // (S, hd)
        const kHead = headRows(this.kHead, keys, Math.floor(h / groups), L, hd); // (L, hd)
        const att = this.att.subarray(i * scores, (i + 1) * scores); // (S, L)
        this.ops.matmul(`${site}.qk`, att, qHead, kHead, S, hd, L, { transposeB: true, scale });
      }
      this.ops.softmax(`${site}.softmax`, this.att, count * S, L, blocked);
      for (let i = 0; i < count; i++) {
        const h = h0 + i;
        const vHead = headRows(this.vHead, values, Math.floor(h / groups), L, hd); // (L, hd)
        const att = this.att.subarray(i * scores, (i + 1) * scores); // (S, L)
        this.ops.matmul(`${site}.pv`, this.outHead, att, vHead, S, L, hd);
        scatter(out, this.outHead, h * hd, S, hd);
      }
    }
  }
}

// Plain loops: a subarray per row would allocate one typed-array object per row and head at every step.

/** Head h's rows (rows, hd) of a source: a view where they are contiguous, else gathered into `scratch`. */
function headRows(scratch: Float32Array, source: HeadSource, h: number, rows: number, hd: number): Float32Array {
  const start = source.offset + h * (source.headStride ?? hd);
  if (source.stride === hd) return source.data.subarray(start, start + rows * hd);
  gather(scratch, 0, source, start - source.offset, rows, hd);
  return scratch;
}

/** into[at ..] (rows, hd) = the head vectors at column `column` of the source's rows. */
export function gather(
  into: Float32Array,
  at: number,
  source: HeadSource,
  column: number,
  rows: number,
  hd: number,
): void {
  const { data, stride } = source;
  for (let r = 0; r < rows; r++) {
    const from = source.offset + r * stride + column;
    for (let i = 0; i < hd; i++) into[at + r * hd + i] = data[from + i] as number;
  }
}

/** The head's rows (rows, hd) into the destination's rows at column `column`. */
function scatter(out: HeadSource, from: Float32Array, column: number, rows: number, hd: number): void {
  const { data, stride } = out;
  for (let r = 0; r < rows; r++) {
    const at = out.offset + r * stride + column;
    for (let i = 0; i < hd; i++) data[at + i] = from[r * hd + i] as number;
  }
}

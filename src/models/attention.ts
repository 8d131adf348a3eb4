// Multi-head scaled dot-product attention over an OpSet, shared by every architecture: the heads' q (S, headDim)
// and keys and values (L, headDim) from their sources (a packed qkv buffer, gathered; a KV cache, whose head-major
// blocks are read in place), then att = softmax(scale q k^T) under the masks, out = att v, scattered back into
// (S, heads * headDim). Grouped-query attention maps query head h to kv head floor(h / (heads / kvHeads)).
// As many heads as fit a bounded buffer go to each op in one call (stacked products, the softmax rows together):
// one call per op and layer instead of one per head, each product and row as its own call would give it.
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
  // Made at their first use, at their largest size: where every source is read in place (a KV cache), the gather
  // buffers are never needed.
  private readonly qHeads: OnDemand; // (heads, maxRows, headDim), gathered where q's heads are not blocks
  private readonly kHeads: OnDemand; // (kvHeads, maxKeys, headDim), gathered where the keys' rows are not
  private readonly vHeads: OnDemand; // (kvHeads, maxKeys, headDim)
  private readonly outHeads: OnDemand; // (heads, maxRows, headDim)
  private att = new Float32Array(0); // (heads in a batch, S, L), grown on demand

  constructor(
    private readonly ops: OpSet,
    readonly shape: AttentionShape,
    readonly maxRows: number,
    readonly maxKeys: number,
  ) {
    const { heads, kvHeads, headDim: hd } = shape;
    this.qHeads = new OnDemand(heads * maxRows * hd);
    this.kHeads = new OnDemand(kvHeads * maxKeys * hd);
    this.vHeads = new OnDemand(kvHeads * maxKeys * hd);
    this.outHeads = new OnDemand(heads * maxRows * hd);
  }

  /**
   * out (S rows of stride outStride) = attention of S queries over L keys; sites `${site}.qk`,
   * `${site}.softmax` and `${site}.pv`. The heads of a batch go to each op in one call: q k^T and p v as stacked
   * products (MatmulOptions.batch, a KV head's block read by each of its query heads), the softmax rows together.
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
    const batch = headBatch(heads, groups, Math.floor(SCORE_BUDGET / Math.max(scores, 1)));
    if (this.att.length < batch * scores) this.att = new Float32Array(batch * scores);
    const blocked = S > 0 ? { ...mask, rowBlock: S } : mask;
    for (let h0 = 0; h0 < heads; h0 += batch) {
      const count = Math.min(batch, heads - h0);
      // the batch's KV heads: kv0 .. kv0 + blocks, each read by `share` consecutive query heads
      const share = Math.min(groups, count);
      const kv0 = Math.floor(h0 / groups);
      const blocks = count / share;
      const stacked = { batch: count, bShare: share };
      // att (count, S, L) = scale q k^T per head; every row's softmax under the masks; out (count, S, hd) = att v
      const qBlock = headBlocks(this.qHeads, q, h0, count, S, hd, S * hd); // (count, S, hd)
      const kBlock = headBlocks(this.kHeads, keys, kv0, blocks, L, hd); // blocks of (L, hd)
      const att = this.att.subarray(0, count * scores);
      const qk = { ...stacked, transposeB: true, scale, bStride: kBlock.stride };
      this.ops.matmul(`${site}.qk`, att, qBlock.data, kBlock.data, S, hd, L, qk);
      this.ops.softmax(`${site}.softmax`, att, count * S, L, blocked);
      const vBlock = headBlocks(this.vHeads, values, kv0, blocks, L, hd);
      const outHeads = this.outHeads.take(count * S * hd);
      this.ops.matmul(`${site}.pv`, outHeads, att, vBlock.data, S, L, hd, { ...stacked, bStride: vBlock.stride });
      for (let i = 0; i < count; i++) scatter(out, outHeads.subarray(i * S * hd), (h0 + i) * hd, S, hd);
    }
  }
}

/** A buffer of up to `size` elements, allocated whole at its first use. */
class OnDemand {
  private data: Float32Array | undefined;
  constructor(private readonly size: number) {}

  /** Its first n (<= size) elements. */
  take(n: number): Float32Array {
    this.data ??= new Float32Array(this.size);
    return this.data.subarray(0, n);
  }
}

/**
 * Heads per batch: as many as `fit` allows, whole groups of query heads sharing a KV head (or, where one group does
 * not fit, a divisor of the group), so every product of a batch reads its KV head's block at a fixed stride.
 */
function headBatch(heads: number, groups: number, fit: number): number {
  const most = Math.max(1, Math.min(heads, fit));
  if (most >= groups) return Math.floor(most / groups) * groups;
  let batch = most;
  while (groups % batch !== 0) batch--;
  return batch;
}

/**
 * Heads h0 .. h0 + count of a source as blocks of (rows, hd): a view where the source holds them so (each head's
 * rows contiguous, one head every `stride` elements, or exactly `blockStride` apart when given), else gathered
 * into `scratch` back to back.
 */
function headBlocks(
  scratch: OnDemand,
  source: HeadSource,
  h0: number,
  count: number,
  rows: number,
  hd: number,
  blockStride?: number,
): { data: Float32Array; stride: number } {
  const headStride = source.headStride ?? hd;
  const rowsContiguous = rows <= 1 || source.stride === hd;
  if (rowsContiguous && (blockStride === undefined || headStride === blockStride || count === 1)) {
    const start = source.offset + h0 * headStride;
    return { data: source.data.subarray(start, start + (count - 1) * headStride + rows * hd), stride: headStride };
  }
  const into = scratch.take(count * rows * hd);
  for (let i = 0; i < count; i++) gather(into, i * rows * hd, source, (h0 + i) * headStride, rows, hd);
  return { data: into, stride: rows * hd };
}

// Plain loops: a subarray per row would allocate one typed-array object per row and head at every step.

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

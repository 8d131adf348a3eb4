// Accumulate-only product of bit-packed spike planes with a weight matrix:
//   out[M x Nout] += sum_p scale[p] * (S_p[M x K] @ W[K x Nout])
// A set bit adds one weight row; nothing is multiplied by a spike. Each plane's row sum is scaled once
// by scale[p] (the spike intensity times the readout weight), so the cost falls with the firing rate.
//
// Buffers (pointers 16-byte aligned):
//   out: (M, Nout) f32, accumulated into     planes: (P, M, words) u32, words = ceil(K / 32),
//   bit j of word w is input k = w*32 + j    scale: (P) f32    weight: (K, Nout) f32
//   scratch: (P * K + P) u32 — per plane, the indices of the set bits of one row, then their counts
// spikemm_packed and spikemm_packed_bf16 read W packed by gemm_pack_b instead, (ceil(Nout / 16), K, 16) panels of
// f32 or bf16, the copy the dense products use: for a block of blockRows rows (scratch: blockRows * (P * K + P) u32,
// one row's lists after another, then 4 + blockRows * P * 33 words for chunked sums), panel by panel, every row and
// plane adds its listed rows of the panel while the panel (K rows of 64 or 32 bytes, contiguous) is in cache; a
// pair of panels longer than 64 KiB goes in K chunks of 16 KiB, so each chunk is read from L1. All of them add the same terms in the same order
// (per output: planes ascending, each plane's spikes ascending), so they give the same bits.
import { loadB, loadB4, loadLanes, PANEL, storeRow } from './panels';

/** Scalar reference, column by column: the same sums in the same order as the SIMD kernel. */
export function spikemm_ref(
  out: usize,
  planes: usize,
  scale: usize,
  weight: usize,
  M: i32,
  K: i32,
  Nout: i32,
  P: i32,
): void {
  const words = (K + 31) >>> 5;
  for (let m = 0; m < M; m++) {
    const outRow = out + ((<usize>m * <usize>Nout) << 2);
    for (let p = 0; p < P; p++) {
      const bits = planes + ((<usize>(p * M + m) * <usize>words) << 2);
      const d = load<f32>(scale + ((<usize>p) << 2));
      for (let j = 0; j < Nout; j++) {
        let sum: f32 = 0;
        for (let w = 0; w < words; w++) {
          let word = load<u32>(bits + ((<usize>w) << 2));
          while (word != 0) {
            const k = (w << 5) + <i32>ctz<u32>(word);
            word &= word - 1;
            sum += load<f32>(weight + ((<usize>k * <usize>Nout + <usize>j) << 2));
          }
        }
        const at = outRow + ((<usize>j) << 2);
        store<f32>(at, load<f32>(at) + d * sum);
      }
    }
  }
}

/** Writes the set-bit indices of one row of every plane into scratch; returns nothing, counts follow. */
function listSpikes(scratch: usize, planes: usize, m: i32, M: i32, K: i32, P: i32): void {
  const words = (K + 31) >>> 5;
  const countBase = scratch + ((<usize>P * <usize>K) << 2);
  for (let p = 0; p < P; p++) {
    const bits = planes + ((<usize>(p * M + m) * <usize>words) << 2);
    const list = scratch + ((<usize>p * <usize>K) << 2);
    let count = 0;
    for (let w = 0; w < words; w++) {
      let word = load<u32>(bits + ((<usize>w) << 2));
      while (word != 0) {
        store<u32>(list + ((<usize>count) << 2), (w << 5) + <i32>ctz<u32>(word));
        word &= word - 1;
        count++;
      }
    }
    store<u32>(countBase + ((<usize>p) << 2), count);
  }
}

/** out[m, j0 .. j0+32) += scale[p] * (sum of the listed weight rows), 8 vector accumulators per plane. */
function accumulateTile32(outAt: usize, weightCol: usize, rowBytes: usize, list: usize, count: i32, d: v128): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let s4 = f32x4.splat(0);
  let s5 = f32x4.splat(0);
  let s6 = f32x4.splat(0);
  let s7 = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const row = weightCol + <usize>load<u32>(list + ((<usize>i) << 2)) * rowBytes;
    s0 = f32x4.add(s0, v128.load(row));
    s1 = f32x4.add(s1, v128.load(row, 16));
    s2 = f32x4.add(s2, v128.load(row, 32));
    s3 = f32x4.add(s3, v128.load(row, 48));
    s4 = f32x4.add(s4, v128.load(row, 64));
    s5 = f32x4.add(s5, v128.load(row, 80));
    s6 = f32x4.add(s6, v128.load(row, 96));
    s7 = f32x4.add(s7, v128.load(row, 112));
  }
  v128.store(outAt, f32x4.add(v128.load(outAt), f32x4.mul(d, s0)));
  v128.store(outAt, f32x4.add(v128.load(outAt, 16), f32x4.mul(d, s1)), 16);
  v128.store(outAt, f32x4.add(v128.load(outAt, 32), f32x4.mul(d, s2)), 32);
  v128.store(outAt, f32x4.add(v128.load(outAt, 48), f32x4.mul(d, s3)), 48);
  v128.store(outAt, f32x4.add(v128.load(outAt, 64), f32x4.mul(d, s4)), 64);
  v128.store(outAt, f32x4.add(v128.load(outAt, 80), f32x4.mul(d, s5)), 80);
  v128.store(outAt, f32x4.add(v128.load(outAt, 96), f32x4.mul(d, s6)), 96);
  v128.store(outAt, f32x4.add(v128.load(outAt, 112), f32x4.mul(d, s7)), 112);
}

/** The same for 4 columns. */
function accumulateTile4(outAt: usize, weightCol: usize, rowBytes: usize, list: usize, count: i32, d: v128): void {
  let s = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    s = f32x4.add(s, v128.load(weightCol + <usize>load<u32>(list + ((<usize>i) << 2)) * rowBytes));
  }
  v128.store(outAt, f32x4.add(v128.load(outAt), f32x4.mul(d, s)));
}

/** The same for one column. */
function accumulateColumn(outAt: usize, weightCol: usize, rowBytes: usize, list: usize, count: i32, d: f32): void {
  let s: f32 = 0;
  for (let i = 0; i < count; i++) {
    s += load<f32>(weightCol + <usize>load<u32>(list + ((<usize>i) << 2)) * rowBytes);
  }
  store<f32>(outAt, load<f32>(outAt) + d * s);
}

/**
 * Spike-plane product: per row, the set bits of every plane are listed once, then each plane adds its
 * listed weight rows in column tiles (SIMD 32 and 4 columns where the build has SIMD, else 8 scalar columns).
 */
export function spikemm(
  out: usize,
  planes: usize,
  scale: usize,
  weight: usize,
  scratch: usize,
  M: i32,
  K: i32,
  Nout: i32,
  P: i32,
): void {
  const rowBytes = (<usize>Nout) << 2;
  const countBase = scratch + ((<usize>P * <usize>K) << 2);
  for (let m = 0; m < M; m++) {
    listSpikes(scratch, planes, m, M, K, P);
    const outRow = out + <usize>m * rowBytes;
    for (let p = 0; p < P; p++) {
      const count = <i32>load<u32>(countBase + ((<usize>p) << 2));
      if (count == 0) continue; // a silent plane costs nothing
      const list = scratch + ((<usize>p * <usize>K) << 2);
      const d = load<f32>(scale + ((<usize>p) << 2));
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        const dv = f32x4.splat(d);
        for (; j + 32 <= Nout; j += 32)
          accumulateTile32(outRow + ((<usize>j) << 2), weight + ((<usize>j) << 2), rowBytes, list, count, dv);
        for (; j + 4 <= Nout; j += 4)
          accumulateTile4(outRow + ((<usize>j) << 2), weight + ((<usize>j) << 2), rowBytes, list, count, dv);
      } else {
        for (; j + 8 <= Nout; j += 8)
          accumulate8Scalar<f32>(outRow + ((<usize>j) << 2), weight + ((<usize>j) << 2), rowBytes, list, count, d, 8);
      }
      for (; j < Nout; j++)
        accumulateColumn(outRow + ((<usize>j) << 2), weight + ((<usize>j) << 2), rowBytes, list, count, d);
    }
  }
}

/** out[m, j0 .. j0 + cols) += d * (sum of the listed rows of one panel), four vector accumulators. */
function accumulatePanel<T>(outAt: usize, panel: usize, list: usize, count: i32, d: v128, cols: i32): void {
  const rowB = <usize>PANEL * sizeof<T>();
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const row = panel + <usize>load<u32>(list + ((<usize>i) << 2)) * rowB;
    s0 = f32x4.add(s0, loadB4<T>(row, 0));
    s1 = f32x4.add(s1, loadB4<T>(row, 1));
    s2 = f32x4.add(s2, loadB4<T>(row, 2));
    s3 = f32x4.add(s3, loadB4<T>(row, 3));
  }
  storeRow(
    outAt,
    f32x4.add(loadLanes(outAt, cols, 0), f32x4.mul(d, s0)),
    f32x4.add(loadLanes(outAt, cols, 4), f32x4.mul(d, s1)),
    f32x4.add(loadLanes(outAt, cols, 8), f32x4.mul(d, s2)),
    f32x4.add(loadLanes(outAt, cols, 12), f32x4.mul(d, s3)),
    cols,
  );
}

/**
 * The same for two adjacent panels (32 columns, eight accumulators: twice the independent add chains of one panel),
 * each column still summed over the list in order.
 */
function accumulatePanelPair<T>(outAt: usize, panel: usize, panelBytes: usize, list: usize, count: i32, d: v128): void {
  const rowB = <usize>PANEL * sizeof<T>();
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let s4 = f32x4.splat(0);
  let s5 = f32x4.splat(0);
  let s6 = f32x4.splat(0);
  let s7 = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const row = panel + <usize>load<u32>(list + ((<usize>i) << 2)) * rowB;
    const next = row + panelBytes;
    s0 = f32x4.add(s0, loadB4<T>(row, 0));
    s1 = f32x4.add(s1, loadB4<T>(row, 1));
    s2 = f32x4.add(s2, loadB4<T>(row, 2));
    s3 = f32x4.add(s3, loadB4<T>(row, 3));
    s4 = f32x4.add(s4, loadB4<T>(next, 0));
    s5 = f32x4.add(s5, loadB4<T>(next, 1));
    s6 = f32x4.add(s6, loadB4<T>(next, 2));
    s7 = f32x4.add(s7, loadB4<T>(next, 3));
  }
  v128.store(outAt, f32x4.add(v128.load(outAt), f32x4.mul(d, s0)));
  v128.store(outAt, f32x4.add(v128.load(outAt, 16), f32x4.mul(d, s1)), 16);
  v128.store(outAt, f32x4.add(v128.load(outAt, 32), f32x4.mul(d, s2)), 32);
  v128.store(outAt, f32x4.add(v128.load(outAt, 48), f32x4.mul(d, s3)), 48);
  v128.store(outAt, f32x4.add(v128.load(outAt, 64), f32x4.mul(d, s4)), 64);
  v128.store(outAt, f32x4.add(v128.load(outAt, 80), f32x4.mul(d, s5)), 80);
  v128.store(outAt, f32x4.add(v128.load(outAt, 96), f32x4.mul(d, s6)), 96);
  v128.store(outAt, f32x4.add(v128.load(outAt, 112), f32x4.mul(d, s7)), 112);
}

/**
 * The pair's sums of one list continued from list index `from` while the inputs lie below `end`, in the eight
 * accumulators held at accAt (8 v128): the same adds in the same order as accumulatePanelPair, split at chunk
 * boundaries. Returns the list index reached. (accumulatePanelPair keeps its own loop: with the sums in registers
 * from zero, a decode step's few spikes per plane cost no loads and stores of them.)
 */
function accumulatePairUntil<T>(
  accAt: usize,
  panel: usize,
  panelBytes: usize,
  list: usize,
  from: i32,
  count: i32,
  end: u32,
): i32 {
  const rowB = <usize>PANEL * sizeof<T>();
  let s0 = v128.load(accAt);
  let s1 = v128.load(accAt, 16);
  let s2 = v128.load(accAt, 32);
  let s3 = v128.load(accAt, 48);
  let s4 = v128.load(accAt, 64);
  let s5 = v128.load(accAt, 80);
  let s6 = v128.load(accAt, 96);
  let s7 = v128.load(accAt, 112);
  let i = from;
  for (; i < count; i++) {
    const k = load<u32>(list + ((<usize>i) << 2));
    if (k >= end) break;
    const row = panel + <usize>k * rowB;
    const next = row + panelBytes;
    s0 = f32x4.add(s0, loadB4<T>(row, 0));
    s1 = f32x4.add(s1, loadB4<T>(row, 1));
    s2 = f32x4.add(s2, loadB4<T>(row, 2));
    s3 = f32x4.add(s3, loadB4<T>(row, 3));
    s4 = f32x4.add(s4, loadB4<T>(next, 0));
    s5 = f32x4.add(s5, loadB4<T>(next, 1));
    s6 = f32x4.add(s6, loadB4<T>(next, 2));
    s7 = f32x4.add(s7, loadB4<T>(next, 3));
  }
  v128.store(accAt, s0);
  v128.store(accAt, s1, 16);
  v128.store(accAt, s2, 32);
  v128.store(accAt, s3, 48);
  v128.store(accAt, s4, 64);
  v128.store(accAt, s5, 80);
  v128.store(accAt, s6, 96);
  v128.store(accAt, s7, 112);
  return i;
}

/** out[0 .. 32) += d * the eight accumulators at accAt, as accumulatePanelPair ends. */
function addPairSums(outAt: usize, accAt: usize, d: v128): void {
  v128.store(outAt, f32x4.add(v128.load(outAt), f32x4.mul(d, v128.load(accAt))));
  v128.store(outAt, f32x4.add(v128.load(outAt, 16), f32x4.mul(d, v128.load(accAt, 16))), 16);
  v128.store(outAt, f32x4.add(v128.load(outAt, 32), f32x4.mul(d, v128.load(accAt, 32))), 32);
  v128.store(outAt, f32x4.add(v128.load(outAt, 48), f32x4.mul(d, v128.load(accAt, 48))), 48);
  v128.store(outAt, f32x4.add(v128.load(outAt, 64), f32x4.mul(d, v128.load(accAt, 64))), 64);
  v128.store(outAt, f32x4.add(v128.load(outAt, 80), f32x4.mul(d, v128.load(accAt, 80))), 80);
  v128.store(outAt, f32x4.add(v128.load(outAt, 96), f32x4.mul(d, v128.load(accAt, 96))), 96);
  v128.store(outAt, f32x4.add(v128.load(outAt, 112), f32x4.mul(d, v128.load(accAt, 112))), 112);
}

/** Bytes of a panel pair's rows that one K chunk spans: well inside a 32 KiB L1 data cache. */
const CHUNK_BYTES: usize = 16384;
/**
 * Pairs up to this size are read whole: measured (bench:sops, 768 x 768, Intel Xeon), the f32 pair (96 KiB)
 * went from 49-52% to 53-58% of the add rate in chunks, while the bf16 pair (48 KiB) fell from 51-52% to 47-49%.
 */
const WHOLE_PAIR_BYTES: usize = 65536;

/**
 * A panel pair with K beyond one chunk: the pair's rows in chunks of CHUNK_BYTES, each chunk read by every row and
 * plane of the block while it is in L1, their sums carried across chunks in memory (acc: (rows, P, 32) f32, and
 * each list's place in cursors: (rows, P) u32), then added to out plane by plane: the bits of accumulatePanelPair.
 */
function pairInChunks<T>(
  out: usize,
  rowOut: usize,
  panel: usize,
  panelBytes: usize,
  scratch: usize,
  listBytes: usize,
  acc: usize,
  cursors: usize,
  scale: usize,
  rows: i32,
  K: i32,
  P: i32,
): void {
  const chunk = <i32>(CHUNK_BYTES / (<usize>(2 * PANEL) * sizeof<T>()));
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < P; p++) {
      const accAt = acc + ((<usize>(r * P + p)) << 7);
      for (let v: usize = 0; v < 128; v += 16) v128.store(accAt + v, zero);
      store<u32>(cursors + ((<usize>(r * P + p)) << 2), 0);
    }
  }
  for (let k0 = 0; k0 < K; k0 += chunk) {
    const end = <u32>min(K, k0 + chunk);
    for (let r = 0; r < rows; r++) {
      const lists = scratch + <usize>r * listBytes;
      const countBase = lists + ((<usize>P * <usize>K) << 2);
      for (let p = 0; p < P; p++) {
        const count = <i32>load<u32>(countBase + ((<usize>p) << 2));
        const cursorAt = cursors + ((<usize>(r * P + p)) << 2);
        const from = <i32>load<u32>(cursorAt);
        const list = lists + ((<usize>p * <usize>K) << 2);
        if (from >= count || load<u32>(list + ((<usize>from) << 2)) >= end) continue; // no spikes in this chunk
        const accAt = acc + ((<usize>(r * P + p)) << 7);
        store<u32>(cursorAt, accumulatePairUntil<T>(accAt, panel, panelBytes, list, from, count, end));
      }
    }
  }
  for (let r = 0; r < rows; r++) {
    const countBase = scratch + <usize>r * listBytes + ((<usize>P * <usize>K) << 2);
    for (let p = 0; p < P; p++) {
      if (load<u32>(countBase + ((<usize>p) << 2)) == 0) continue; // a silent plane adds nothing
      const d = f32x4.splat(load<f32>(scale + ((<usize>p) << 2)));
      addPairSums(out + <usize>r * rowOut, acc + ((<usize>(r * P + p)) << 7), d);
    }
  }
}

/**
 * Scalar build: out[0 .. n) += d * (sum of the listed rows' 8 elements), row k at base + k * rowBytes, n <= 8; 8
 * accumulators in registers, so each row's 8 elements are read together (row-major W, or half a packed panel).
 */
function accumulate8Scalar<T>(
  outAt: usize,
  base: usize,
  rowBytes: usize,
  list: usize,
  count: i32,
  d: f32,
  n: i32,
): void {
  let s0: f32 = 0,
    s1: f32 = 0,
    s2: f32 = 0,
    s3: f32 = 0,
    s4: f32 = 0,
    s5: f32 = 0,
    s6: f32 = 0,
    s7: f32 = 0;
  for (let i = 0; i < count; i++) {
    const row = base + <usize>load<u32>(list + ((<usize>i) << 2)) * rowBytes;
    s0 += loadB<T>(row, 0);
    s1 += loadB<T>(row, 1);
    s2 += loadB<T>(row, 2);
    s3 += loadB<T>(row, 3);
    s4 += loadB<T>(row, 4);
    s5 += loadB<T>(row, 5);
    s6 += loadB<T>(row, 6);
    s7 += loadB<T>(row, 7);
  }
  store<f32>(outAt, load<f32>(outAt) + d * s0);
  if (n > 1) store<f32>(outAt, load<f32>(outAt, 4) + d * s1, 4);
  if (n > 2) store<f32>(outAt, load<f32>(outAt, 8) + d * s2, 8);
  if (n > 3) store<f32>(outAt, load<f32>(outAt, 12) + d * s3, 12);
  if (n > 4) store<f32>(outAt, load<f32>(outAt, 16) + d * s4, 16);
  if (n > 5) store<f32>(outAt, load<f32>(outAt, 20) + d * s5, 20);
  if (n > 6) store<f32>(outAt, load<f32>(outAt, 24) + d * s6, 24);
  if (n > 7) store<f32>(outAt, load<f32>(outAt, 28) + d * s7, 28);
}

/**
 * spikemm_packed(_bf16): the rows in blocks of blockRows, each row's spikes listed once (its own P * K + P words of
 * scratch), then panel (pair) by panel every row of the block adds every plane's listed rows, so a panel is read
 * from memory once per block rather than once per row and stays in cache while the block's rows use it.
 */
function spikemmPanels<T>(
  out: usize,
  planes: usize,
  scale: usize,
  packed: usize,
  scratch: usize,
  M: i32,
  K: i32,
  Nout: i32,
  P: i32,
  blockRows: i32,
): void {
  const rowOut = (<usize>Nout) << 2;
  const panelBytes = <usize>K * <usize>PANEL * sizeof<T>();
  const panels = (Nout + PANEL - 1) / PANEL;
  const listBytes = (<usize>P * <usize>K + <usize>P) << 2; // one row's lists and counts
  const block = max(blockRows, 1);
  // after the block's lists: the chunked pairs' sums (block, P, 32) f32 and list places (block, P) u32
  const acc = (scratch + <usize>block * listBytes + 15) & ~(<usize>15); // 16-byte aligned
  const cursors = acc + ((<usize>(block * P)) << 7);
  const chunked = ASC_FEATURE_SIMD && <usize>K * <usize>(2 * PANEL) * sizeof<T>() > WHOLE_PAIR_BYTES;
  for (let m0 = 0; m0 < M; m0 += block) {
    const rows = min(block, M - m0);
    for (let r = 0; r < rows; r++) listSpikes(scratch + <usize>r * listBytes, planes, m0 + r, M, K, P);
    for (let q = 0; q < panels;) {
      const j0 = q * PANEL;
      const cols = min(PANEL, Nout - j0);
      // two whole panels at a time where the build has SIMD, else one
      const pair = ASC_FEATURE_SIMD && Nout - j0 >= 2 * PANEL;
      const panel = packed + <usize>q * panelBytes;
      if (pair && chunked) {
        const outAt = out + <usize>m0 * rowOut + ((<usize>j0) << 2);
        pairInChunks<T>(outAt, rowOut, panel, panelBytes, scratch, listBytes, acc, cursors, scale, rows, K, P);
        q += 2;
        continue;
      }
      for (let r = 0; r < rows; r++) {
        const lists = scratch + <usize>r * listBytes;
        const countBase = lists + ((<usize>P * <usize>K) << 2);
        const outAt = out + <usize>(m0 + r) * rowOut + ((<usize>j0) << 2);
        for (let p = 0; p < P; p++) {
          const count = <i32>load<u32>(countBase + ((<usize>p) << 2));
          if (count == 0) continue; // a silent plane costs nothing
          const list = lists + ((<usize>p * <usize>K) << 2);
          const d = load<f32>(scale + ((<usize>p) << 2));
          if (ASC_FEATURE_SIMD) {
            if (pair) accumulatePanelPair<T>(outAt, panel, panelBytes, list, count, f32x4.splat(d));
            else accumulatePanel<T>(outAt, panel, list, count, f32x4.splat(d), cols);
          } else {
            // each half of the panel: 8 columns, rows PANEL elements apart
            const rowB = <usize>PANEL * sizeof<T>();
            accumulate8Scalar<T>(outAt, panel, rowB, list, count, d, cols);
            if (cols > 8) accumulate8Scalar<T>(outAt + 32, panel + 8 * sizeof<T>(), rowB, list, count, d, cols - 8);
          }
        }
      }
      q += pair ? 2 : 1;
    }
  }
}

/** spikemm on W packed by gemm_pack_b: (ceil(Nout / 16), K, 16) f32 panels. */
export function spikemm_packed(
  out: usize,
  planes: usize,
  scale: usize,
  packed: usize,
  scratch: usize,
  M: i32,
  K: i32,
  Nout: i32,
  P: i32,
  blockRows: i32,
): void {
  spikemmPanels<f32>(out, planes, scale, packed, scratch, M, K, Nout, P, blockRows);
}

/** spikemm on bf16 panels, each weight widened exactly to f32 before it is added. */
export function spikemm_packed_bf16(
  out: usize,
  planes: usize,
  scale: usize,
  packed: usize,
  scratch: usize,
  M: i32,
  K: i32,
  Nout: i32,
  P: i32,
  blockRows: i32,
): void {
  spikemmPanels<u16>(out, planes, scale, packed, scratch, M, K, Nout, P, blockRows);
}

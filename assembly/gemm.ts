// Dense f32 matrix product C = A @ B (+ bias), B packed once into panels of 16 columns.
//
// Buffers (pointers 16-byte aligned):
//   c: (M, N)   a: (M, K)   b: (K, N) row-major   bias: (N) or 0 for none
//   packed: (ceil(N / 16), K, 16) — panel q holds columns 16q .. 16q+15 of B, zero-padded past N
// Every output is bias[j] + a[i,0] b[0,j] + a[i,1] b[1,j] + ... in that order (relaxed builds fuse the
// multiply-add, so they round once per term instead of twice).
// gemm_packed_bf16_panels reads panels of bf16 (the upper 16 bits of an f32) instead: the same layout with
// 2-byte elements, each widened exactly to f32 before its multiply-add, so it computes what gemm_packed_panels
// computes on the widened B with half the bytes read.
import { loadB, loadB4, loadLanes, PANEL, storeRow } from './panels';

/** Packs B (K, N) into panels of 16 columns (see the layout above). */
export function gemm_pack_b(packed: usize, b: usize, K: i32, N: i32): void {
  const panels = (N + PANEL - 1) / PANEL;
  for (let q = 0; q < panels; q++) {
    const panel = packed + ((<usize>q * <usize>K * PANEL) << 2);
    const j0 = q * PANEL;
    for (let k = 0; k < K; k++) {
      const src = b + ((<usize>k * <usize>N + <usize>j0) << 2);
      const dst = panel + ((<usize>k * PANEL) << 2);
      for (let jj = 0; jj < PANEL; jj++) {
        store<f32>(dst + ((<usize>jj) << 2), j0 + jj < N ? load<f32>(src + ((<usize>jj) << 2)) : 0);
      }
    }
  }
}

/** Naive reference on unpacked B. */
export function gemm_ref(c: usize, a: usize, b: usize, bias: usize, M: i32, K: i32, N: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum: f32 = bias != 0 ? load<f32>(bias + ((<usize>j) << 2)) : 0;
      for (let k = 0; k < K; k++) {
        sum +=
          load<f32>(a + ((<usize>i * <usize>K + <usize>k) << 2)) *
          load<f32>(b + ((<usize>k * <usize>N + <usize>j) << 2));
      }
      store<f32>(c + ((<usize>i * <usize>N + <usize>j) << 2), sum);
    }
  }
}

/** acc + a * b, fused where relaxed SIMD is available. */
function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * 2 x 16 register tile: 8 accumulators, four B vectors and two broadcast A values per k. Measured on
 * this project's machines it beats 4 x 8 (more broadcasts) and 1 x 32 (more B loads per flop).
 */
function gemmSimd<T>(c: usize, a: usize, packed: usize, bias: usize, M: i32, K: i32, N: i32, q0: i32, q1: i32): void {
  const rowA = (<usize>K) << 2;
  const rowC = (<usize>N) << 2;
  const rowB = <usize>PANEL * sizeof<T>(); // one k of a panel
  const panelBytes = <usize>K * rowB;
  for (let q = q0; q < q1; q++) {
    const j0 = q * PANEL;
    const cols = min(PANEL, N - j0);
    const panel = packed + <usize>q * panelBytes;
    const panelEnd = panel + panelBytes;
    const biasRow = bias != 0 ? bias + ((<usize>j0) << 2) : 0;
    const init0 = loadLanes(biasRow, cols, 0);
    const init1 = loadLanes(biasRow, cols, 4);
    const init2 = loadLanes(biasRow, cols, 8);
    const init3 = loadLanes(biasRow, cols, 12);
    let i = 0;
    for (; i + 2 <= M; i += 2) {
      let c00 = init0,
        c01 = init1,
        c02 = init2,
        c03 = init3;
      let c10 = init0,
        c11 = init1,
        c12 = init2,
        c13 = init3;
      let pa0 = a + <usize>i * rowA;
      let pa1 = pa0 + rowA;
      for (let pb = panel; pb < panelEnd; pb += rowB) {
        const b0 = loadB4<T>(pb, 0);
        const b1 = loadB4<T>(pb, 1);
        const b2 = loadB4<T>(pb, 2);
        const b3 = loadB4<T>(pb, 3);
        const a0 = v128.load32_splat(pa0);
        const a1 = v128.load32_splat(pa1);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
        pa0 += 4;
        pa1 += 4;
      }
      const out = c + <usize>i * rowC + ((<usize>j0) << 2);
      storeRow(out, c00, c01, c02, c03, cols);
      storeRow(out + rowC, c10, c11, c12, c13, cols);
    }
    if (i < M) {
      // The last row of an odd M.
      let c0 = init0,
        c1 = init1,
        c2 = init2,
        c3 = init3;
      let pa = a + <usize>i * rowA;
      for (let pb = panel; pb < panelEnd; pb += rowB) {
        const a0 = v128.load32_splat(pa);
        c0 = madd(a0, loadB4<T>(pb, 0), c0);
        c1 = madd(a0, loadB4<T>(pb, 1), c1);
        c2 = madd(a0, loadB4<T>(pb, 2), c2);
        c3 = madd(a0, loadB4<T>(pb, 3), c3);
        pa += 4;
      }
      storeRow(c + <usize>i * rowC + ((<usize>j0) << 2), c0, c1, c2, c3, cols);
    }
  }
}

/** Scalar build: 1 x 8 tiles (8 accumulators in registers) over each half of a 16-column panel. */
function gemmScalar<T>(c: usize, a: usize, packed: usize, bias: usize, M: i32, K: i32, N: i32, q0: i32, q1: i32): void {
  const halves = min((N + 7) / 8, q1 * 2);
  const rowB = <usize>PANEL * sizeof<T>(); // one k of a panel
  for (let h = q0 * 2; h < halves; h++) {
    const j0 = h * 8;
    const cols = min(8, N - j0);
    // Half h is columns 8(h % 2) .. of panel h / 2.
    const half = packed + (<usize>(h >> 1) * <usize>K * PANEL + <usize>((h & 1) * 8)) * sizeof<T>();
    for (let i = 0; i < M; i++) {
      let s0: f32 = 0,
        s1: f32 = 0,
        s2: f32 = 0,
        s3: f32 = 0,
        s4: f32 = 0,
        s5: f32 = 0,
        s6: f32 = 0,
        s7: f32 = 0;
      if (bias != 0) {
        const bj = bias + ((<usize>j0) << 2);
        s0 = load<f32>(bj);
        if (cols > 1) s1 = load<f32>(bj, 4);
        if (cols > 2) s2 = load<f32>(bj, 8);
        if (cols > 3) s3 = load<f32>(bj, 12);
        if (cols > 4) s4 = load<f32>(bj, 16);
        if (cols > 5) s5 = load<f32>(bj, 20);
        if (cols > 6) s6 = load<f32>(bj, 24);
        if (cols > 7) s7 = load<f32>(bj, 28);
      }
      let pa = a + ((<usize>i * <usize>K) << 2);
      let pb = half;
      for (let k = 0; k < K; k++) {
        const av = load<f32>(pa);
        s0 += av * loadB<T>(pb, 0);
        s1 += av * loadB<T>(pb, 1);
        s2 += av * loadB<T>(pb, 2);
        s3 += av * loadB<T>(pb, 3);
        s4 += av * loadB<T>(pb, 4);
        s5 += av * loadB<T>(pb, 5);
        s6 += av * loadB<T>(pb, 6);
        s7 += av * loadB<T>(pb, 7);
        pa += 4;
        pb += rowB;
      }
      const out = c + ((<usize>i * <usize>N + <usize>j0) << 2);
      store<f32>(out, s0);
      if (cols > 1) store<f32>(out, s1, 4);
      if (cols > 2) store<f32>(out, s2, 8);
      if (cols > 3) store<f32>(out, s3, 12);
      if (cols > 4) store<f32>(out, s4, 16);
      if (cols > 5) store<f32>(out, s5, 20);
      if (cols > 6) store<f32>(out, s6, 24);
      if (cols > 7) store<f32>(out, s7, 28);
    }
  }
}

/**
 * C = A @ B (+ bias) with B packed by gemm_pack_b, columns 16 q0 .. 16 q1 - 1 only (panels q0 .. q1 - 1 of B): the
 * whole product with q0 = 0 and q1 = ceil(N / 16), or a thread's share when the panels are split across threads.
 * Each column is computed the same way whatever the range.
 */
export function gemm_packed_panels(
  c: usize,
  a: usize,
  packed: usize,
  bias: usize,
  M: i32,
  K: i32,
  N: i32,
  q0: i32,
  q1: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    gemmSimd<f32>(c, a, packed, bias, M, K, N, q0, q1);
  } else {
    gemmScalar<f32>(c, a, packed, bias, M, K, N, q0, q1);
  }
}

/** gemm_packed_panels on bf16 panels (see the header). */
export function gemm_packed_bf16_panels(
  c: usize,
  a: usize,
  packed: usize,
  bias: usize,
  M: i32,
  K: i32,
  N: i32,
  q0: i32,
  q1: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    gemmSimd<u16>(c, a, packed, bias, M, K, N, q0, q1);
  } else {
    gemmScalar<u16>(c, a, packed, bias, M, K, N, q0, q1);
  }
}

// Products of two f32 matrices with float64 sums, the arithmetic of smallMatmul (src/ops/float-opset.ts):
//   out[i, j] = f32(scale * sum_k a[i, k] * b[k, j])     (or b[j, k] with transposeB)
// each product and each partial sum in f64, k ascending from +0, so every output has the bits the JS loop gives
// (an f32 times an f32 is exact in f64; the sums round as JS numbers do). Two outputs per f64x2 where the build has
// SIMD, one otherwise: the lanes never mix.
//
// Buffers: out (M, N) f32; a (M, K) f32; b (K, N) f32, or (N, K) with transposeB. Rows row0 .. row1 of out only (a
// thread's share). scale arrives as the two 32-bit halves of its f64 bits, as the thread slots carry i32 words.

/** One output from row aRow of a and b's elements bAt, bAt + bStep, ... (K of them). */
function dot(aRow: usize, bAt: usize, bStep: usize, K: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < K; k++) {
    sum += <f64>load<f32>(aRow + ((<usize>k) << 2)) * <f64>load<f32>(bAt + <usize>k * bStep);
  }
  return sum;
}

/** Outputs j and j + 1, b's elements of output j at bAt + k * bStep and of output j + 1 at bNext + k * bStep. */
function dot2(aRow: usize, bAt: usize, bNext: usize, bStep: usize, K: i32): v128 {
  let sum = f64x2.splat(0);
  for (let k = 0; k < K; k++) {
    const av = f64x2.splat(<f64>load<f32>(aRow + ((<usize>k) << 2)));
    const off = <usize>k * bStep;
    const bv = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(bAt + off)), 1, <f64>load<f32>(bNext + off));
    sum = f64x2.add(sum, f64x2.mul(av, bv));
  }
  return sum;
}

export function matmul_f64(
  out: usize,
  a: usize,
  b: usize,
  M: i32,
  K: i32,
  N: i32,
  transposeB: i32,
  scaleLo: i32,
  scaleHi: i32,
  row0: i32,
  row1: i32,
): void {
  const scale = reinterpret<f64>(((<u64>(<u32>scaleHi)) << 32) | (<u64>(<u32>scaleLo)));
  const last = min(row1, M);
  // b's element (k, j): at b + (k N + j) 4 bytes, or b + (j K + k) 4 bytes transposed
  const kStep: usize = transposeB ? 4 : (<usize>N) << 2;
  const jStep: usize = transposeB ? (<usize>K) << 2 : 4;
  for (let i = row0; i < last; i++) {
    const aRow = a + ((<usize>i * <usize>K) << 2);
    const outRow = out + ((<usize>i * <usize>N) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 2 <= N; j += 2) {
        const bAt = b + <usize>j * jStep;
        const sum = f64x2.mul(f64x2.splat(scale), dot2(aRow, bAt, bAt + jStep, kStep, K));
        store<f32>(outRow + ((<usize>j) << 2), <f32>f64x2.extract_lane(sum, 0));
        store<f32>(outRow + ((<usize>(j + 1)) << 2), <f32>f64x2.extract_lane(sum, 1));
      }
    }
    for (; j < N; j++) {
      store<f32>(outRow + ((<usize>j) << 2), <f32>(scale * dot(aRow, b + <usize>j * jStep, kStep, K)));
    }
  }
}

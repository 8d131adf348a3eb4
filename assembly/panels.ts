// The packed B layout shared by gemm and spikemm: (ceil(N / 16), K, 16) panels of f32, or of bf16 (the upper 16
// bits of an f32), zero-padded past N; and loads and stores of a panel row's lanes.

/** Columns per panel. */
export const PANEL: i32 = 16;

/** Element jj of a packed row at pb: an f32, or a bf16 widened exactly (its bits are an f32's upper half). */
export function loadB<T>(pb: usize, jj: i32): f32 {
  if (sizeof<T>() == 2) return reinterpret<f32>((<u32>load<u16>(pb + ((<usize>jj) << 1))) << 16);
  return load<f32>(pb + ((<usize>jj) << 2));
}

/**
 * Lanes 4v .. 4v+3 of a packed row at pb as f32x4 (bf16 widened: each half interleaved above a zero half, one
 * unpack instruction per four lanes).
 */
export function loadB4<T>(pb: usize, v: i32): v128 {
  if (sizeof<T>() == 2) {
    const halves = v128.load(pb + ((<usize>(v >> 1)) << 4)); // 8 bf16
    const zero = i32x4.splat(0);
    return v & 1
      ? i8x16.shuffle(zero, halves, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31)
      : i8x16.shuffle(zero, halves, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
  }
  return v128.load(pb + ((<usize>v) << 4));
}

/** Lanes lane0 .. lane0+3 of a row of `cols` values (bias), zero past cols or when ptr is 0. */
export function loadLanes(ptr: usize, cols: i32, lane0: i32): v128 {
  if (ptr == 0) return f32x4.splat(0);
  const at = ptr + ((<usize>lane0) << 2);
  if (cols >= lane0 + 4) return v128.load(at);
  let v = f32x4.splat(0);
  if (cols > lane0) v = f32x4.replace_lane(v, 0, load<f32>(at));
  if (cols > lane0 + 1) v = f32x4.replace_lane(v, 1, load<f32>(at, 4));
  if (cols > lane0 + 2) v = f32x4.replace_lane(v, 2, load<f32>(at, 8));
  return v;
}

/** Stores lanes lane0 .. min(cols, lane0+4) of v at ptr (ptr addresses lane lane0). */
export function storeLanes(ptr: usize, v: v128, cols: i32, lane0: i32): void {
  if (cols >= lane0 + 4) {
    v128.store(ptr, v);
    return;
  }
  if (cols > lane0) store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (cols > lane0 + 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (cols > lane0 + 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}

/** Stores the first `cols` (1..16) values of a tile row held in four vectors. */
export function storeRow(ptr: usize, v0: v128, v1: v128, v2: v128, v3: v128, cols: i32): void {
  storeLanes(ptr, v0, cols, 0);
  storeLanes(ptr + 16, v1, cols, 4);
  storeLanes(ptr + 32, v2, cols, 8);
  storeLanes(ptr + 48, v3, cols, 12);
}

// IEEE-754 exponent/mantissa split and its inverse, over arrays, by reading and writing the bits.
//
// frexp:      x = M * 2^E with |M| in [0.5, 1) (the C frexp convention); subnormals are normalised.
// frexp_even: x = M * 2^E with |M| in [0.5, 2) and E even, for square roots: sqrt(x) = sqrt(M) * 2^(E/2).
// ldexp:      y = x * 2^k, by adding k to the exponent field; results that leave the normal range (and
//             zero, subnormal, infinite or NaN inputs) take the rounding path: one correctly rounded
//             multiplication in f64, so overflow gives +-Inf and underflow a correctly rounded subnormal.
// Defined results: +-0 -> (M = +-0, E = 0); +-Inf -> (M = +-Inf, E = 0); NaN -> (M = NaN, E = 0).
//
// Buffers: x, mant, y: (n) f32   expo, k: (n) i32

const EXP_MASK: u32 = 0x7f800000;
const KEEP_SIGN_AND_FRACTION: u32 = 0x807fffff;
const HALF_EXPONENT: u32 = 0x3f000000; // biased exponent of [0.5, 1)
const TWO_POW_24: f32 = 16777216;
const K_LIMIT: i32 = 400; // |x| lies in [2^-149, 2^128): beyond +-400 every result is 0 or Inf

function frexpMantissa(x: f32): f32 {
  const biased = (reinterpret<u32>(x) & EXP_MASK) >>> 23;
  if (biased == 255 || x == 0) return x;
  const normal = biased == 0 ? x * TWO_POW_24 : x; // subnormal: scale into the normal range first (exact)
  return reinterpret<f32>((reinterpret<u32>(normal) & KEEP_SIGN_AND_FRACTION) | HALF_EXPONENT);
}

function frexpExponent(x: f32): i32 {
  const biased = <i32>((reinterpret<u32>(x) & EXP_MASK) >>> 23);
  if (biased == 255 || x == 0) return 0;
  if (biased == 0) return <i32>((reinterpret<u32>(x * TWO_POW_24) & EXP_MASK) >>> 23) - 126 - 24;
  return biased - 126;
}

function ldexpScalar(x: f32, k: i32): f32 {
  const biased = <i32>((reinterpret<u32>(x) & EXP_MASK) >>> 23);
  const result = biased + k;
  if (biased >= 1 && biased <= 254 && result >= 1 && result <= 254) {
    return reinterpret<f32>(reinterpret<u32>(x) + ((<u32>k) << 23)); // exponent addition
  }
  const kk = k < -K_LIMIT ? -K_LIMIT : k > K_LIMIT ? K_LIMIT : k;
  return <f32>(<f64>x * reinterpret<f64>((<u64>(kk + 1023)) << 52));
}

export function frexp_ref(mant: usize, expo: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = (<usize>i) << 2;
    const v = load<f32>(x + at);
    store<f32>(mant + at, frexpMantissa(v));
    store<i32>(expo + at, frexpExponent(v));
  }
}

export function frexp_even_ref(mant: usize, expo: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = (<usize>i) << 2;
    const v = load<f32>(x + at);
    const e = frexpExponent(v);
    const odd = e & 1;
    store<f32>(mant + at, odd ? frexpMantissa(v) * 2 : frexpMantissa(v));
    store<i32>(expo + at, e - odd);
  }
}

export function ldexp_ref(y: usize, x: usize, k: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(y + at, ldexpScalar(load<f32>(x + at), load<i32>(k + at)));
  }
}

/** Mantissa and exponent of four lanes. */
function frexpVector(x: v128, mant: usize, expo: usize): void {
  const biased0 = v128.and(i32x4.shr_u(x, 23), i32x4.splat(0xff));
  const subnormal = i32x4.eq(biased0, i32x4.splat(0));
  const normal = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_POW_24)), x, subnormal);
  const biased = v128.and(i32x4.shr_u(normal, 23), i32x4.splat(0xff));
  // Zero, Inf and NaN keep x as the mantissa and get exponent 0.
  const passThrough = v128.or(f32x4.eq(x, f32x4.splat(0)), i32x4.eq(biased0, i32x4.splat(255)));
  const m = v128.or(v128.and(normal, i32x4.splat(KEEP_SIGN_AND_FRACTION)), i32x4.splat(HALF_EXPONENT));
  const e = i32x4.sub(biased, v128.bitselect(i32x4.splat(126 + 24), i32x4.splat(126), subnormal));
  v128.store(mant, v128.bitselect(x, m, passThrough));
  v128.store(expo, v128.andnot(e, passThrough));
}

/**
 * frexp (even false) or frexp_even: four lanes at a time, then the scalar reference for the tail. The two
 * scalar references stay separate loops: one loop with the flag measured 10% slower in the scalar build.
 */
function frexpArray(mant: usize, expo: usize, x: usize, n: i32, even: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = (<usize>i) << 2;
      frexpVector(v128.load(x + at), mant + at, expo + at);
      if (even) {
        // An odd exponent gives one factor of 2 to the mantissa.
        const e = v128.load(expo + at);
        const odd = v128.and(e, i32x4.splat(1));
        const oddMask = i32x4.eq(odd, i32x4.splat(1));
        const m = v128.load(mant + at);
        v128.store(mant + at, v128.bitselect(f32x4.add(m, m), m, oddMask));
        v128.store(expo + at, i32x4.sub(e, odd));
      }
    }
  }
  const tail = (<usize>i) << 2;
  if (even) frexp_even_ref(mant + tail, expo + tail, x + tail, n - i);
  else frexp_ref(mant + tail, expo + tail, x + tail, n - i);
}

export function frexp(mant: usize, expo: usize, x: usize, n: i32): void {
  frexpArray(mant, expo, x, n, false);
}

export function frexp_even(mant: usize, expo: usize, x: usize, n: i32): void {
  frexpArray(mant, expo, x, n, true);
}

/** x * 2^k for two lanes in f64: exact scaling, one rounding back to f32. */
function scaleHalf(x2: v128, k2: v128): v128 {
  const pow2 = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(k2), i64x2.splat(1023)), 52);
  return f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(x2), pow2));
}

export function ldexp(y: usize, x: usize, k: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = (<usize>i) << 2;
      const xv = v128.load(x + at);
      const kv = v128.load(k + at);
      const biased = v128.and(i32x4.shr_u(xv, 23), i32x4.splat(0xff));
      const result = i32x4.add(biased, kv);
      // Fast path: normal in, normal out (a sum that wrapped around cannot land in [1, 254]).
      const fast = v128.and(
        v128.and(i32x4.gt_s(biased, i32x4.splat(0)), i32x4.lt_s(biased, i32x4.splat(255))),
        v128.and(i32x4.gt_s(result, i32x4.splat(0)), i32x4.lt_s(result, i32x4.splat(255))),
      );
      const added = i32x4.add(xv, i32x4.shl(kv, 23));
      const kk = i32x4.min_s(i32x4.max_s(kv, i32x4.splat(-K_LIMIT)), i32x4.splat(K_LIMIT));
      const lo = scaleHalf(xv, kk);
      const hi = scaleHalf(
        i8x16.shuffle(xv, xv, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
        i8x16.shuffle(kk, kk, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
      );
      const rounded = i8x16.shuffle(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
      v128.store(y + at, v128.bitselect(added, rounded, fast));
    }
  }
  const tail = (<usize>i) << 2;
  ldexp_ref(y + tail, x + tail, k + tail, n - i);
}

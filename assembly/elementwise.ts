// Element-wise float kernels of the float model: SiLU, the rows of a softmax under a causal mask, RMSNorm, and
// the sums and products of two arrays.
//
// SiLU and softmax rest on exp of a non-positive argument (silu takes exp(-|x|), softmax exp(x - max)), computed in f32 as
// Cephes' expf does: z = n ln2 + f with n = nearest(z / ln2), |f| <= ln2 / 2 (ln2 in two parts), a degree-7
// polynomial for e^f, and 2^n applied as two factors so that results down to the subnormals stay right. The SIMD
// lanes and the scalar path run the same operations in the same order, so an element's result does not depend
// on where it sits in the array (nor on the build, nor on how a call is split across threads).
//
// Buffers (f32, 16-byte aligned): silu y, x (n); softmax x (rows, n), in place; rms_norm y, x (rows, n), gamma (n);
// add_f32, mul_f32 out, a, b (n).

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
/**
 * Below this, e^z and silu(z) = z e^z round to 0 in f32 even as subnormals (|z e^z| < 2^-150 from about -110 on);
 * the clamp keeps 2^n's two factors normal (n >= -162).
 */
const EXP_FLOOR: f32 = -112;
const P0: f32 = 1.98756915e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

/** e^f for |f| <= ln2 / 2. */
function expReduced(f: f32): f32 {
  return (((((P0 * f + P1) * f + P2) * f + P3) * f + P4) * f + P5) * f * f + f + 1;
}

/** 2^k for k in [-75, 75]: a normal f32 built from its exponent bits. */
function pow2(k: i32): f32 {
  return reinterpret<f32>((k + 127) << 23);
}

/** n = nearest(z / ln2) of a clamped z <= 0, and f = z - n ln2 (ln2 in two parts). */
function reduceN(c: f32): f32 {
  return nearest<f32>(c * LOG2E);
}

/** e^z for z <= 0 (NaN stays NaN): e^f x 2^n1 x 2^n2, n = n1 + n2. */
function expNonPositive(z: f32): f32 {
  const c = max(z, EXP_FLOOR); // NaN propagates
  const nf = reduceN(c);
  const p = expReduced(c - nf * LN2_HI - nf * LN2_LO);
  const n = nf == nf ? <i32>nf : 0; // a NaN argument keeps its NaN through p
  const n1 = n >> 1;
  return p * pow2(n1) * pow2(n - n1);
}

/**
 * x * sigmoid(x) as x / (1 + e) for x >= 0 and x e / (1 + e) below, e = exp(-|x|); x e is taken as ((x e^f) 2^n1)
 * 2^n2, so that it rounds once where it is subnormal. Below EXP_FLOOR (-Inf included) it is -0.
 */
function siluScalar(x: f32): f32 {
  if (x < EXP_FLOOR) return -0.0;
  const c = max(-Mathf.abs(x), EXP_FLOOR);
  const nf = reduceN(c);
  const p = expReduced(c - nf * LN2_HI - nf * LN2_LO);
  const n = nf == nf ? <i32>nf : 0;
  const n1 = n >> 1;
  const s1 = pow2(n1);
  const s2 = pow2(n - n1);
  const e = p * s1 * s2;
  return (x >= 0 ? x : x * p * s1 * s2) / (1 + e);
}

// The same exp, four lanes, in pieces (functions return one v128 each): n of z, e^f, 2^n1 and 2^n2.

/** nearest(z / ln2) of z <= 0 clamped at EXP_FLOOR (NaN stays NaN). */
function reduceN4(z: v128): v128 {
  return f32x4.nearest(f32x4.mul(f32x4.max(z, f32x4.splat(EXP_FLOOR)), f32x4.splat(LOG2E)));
}

/** e^f, f = z - n ln2. */
function expReduced4(z: v128, nf: v128): v128 {
  const c = f32x4.max(z, f32x4.splat(EXP_FLOOR));
  const f = f32x4.sub(f32x4.sub(c, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), f), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(P5));
  return f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, f), f), f), f32x4.splat(1));
}

/** 2^n1 (first) or 2^n2 of n = nearest(...), n1 = n >> 1, n2 = n - n1; a NaN n counts as 0, as in the scalar path. */
function pow2Half4(nf: v128, second: bool): v128 {
  const n = i32x4.trunc_sat_f32x4_s(nf);
  const n1 = i32x4.shr_s(n, 1);
  return i32x4.shl(i32x4.add(second ? i32x4.sub(n, n1) : n1, i32x4.splat(127)), 23);
}

/** y (n) = silu(x (n)). */
export function silu(y: usize, x: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    const floor = f32x4.splat(EXP_FLOOR);
    const negZero = f32x4.splat(-0.0);
    for (; i + 4 <= n; i += 4) {
      const at = (<usize>i) << 2;
      const v = v128.load(x + at);
      const z = f32x4.neg(f32x4.abs(v));
      const nf = reduceN4(z);
      const p = expReduced4(z, nf);
      const s1 = pow2Half4(nf, false);
      const s2 = pow2Half4(nf, true);
      const e = f32x4.mul(f32x4.mul(p, s1), s2);
      const below = f32x4.mul(f32x4.mul(f32x4.mul(v, p), s1), s2);
      const numerator = v128.bitselect(v, below, f32x4.ge(v, f32x4.splat(0)));
      const out = f32x4.div(numerator, f32x4.add(one, e));
      v128.store(y + at, v128.bitselect(negZero, out, f32x4.lt(v, floor)));
    }
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(y + at, siluScalar(load<f32>(x + at)));
  }
}

/**
 * The four lanes of a row's sum (column j in lane j % 4) as (l0 + l1) + (l2 + l3): the one reduction order of the
 * SIMD and the scalar paths, so both give the same bits.
 */
function sumLanes(l0: f32, l1: f32, l2: f32, l3: f32): f32 {
  return l0 + l1 + (l2 + l3);
}

/**
 * One row in place: the first `visible` columns become exp(x - max) / sum, the others 0. The maximum and the sum
 * run over the visible columns only, the sum in four lanes (column j in lane j % 4) then (l0 + l1) + (l2 + l3),
 * then the leftover columns in order.
 */
function softmaxRow(row: usize, n: i32, visible: i32): void {
  let m: f32 = -Infinity;
  for (let j = 0; j < visible; j++) m = max(m, load<f32>(row + ((<usize>j) << 2)));
  const whole = visible & ~3;
  let j = 0;
  let sum: f32;
  if (ASC_FEATURE_SIMD) {
    const mv = f32x4.splat(m);
    let s = f32x4.splat(0);
    for (; j < whole; j += 4) {
      const at = row + ((<usize>j) << 2);
      const z = f32x4.sub(v128.load(at), mv);
      const nf = reduceN4(z);
      const e = f32x4.mul(f32x4.mul(expReduced4(z, nf), pow2Half4(nf, false)), pow2Half4(nf, true));
      v128.store(at, e);
      s = f32x4.add(s, e);
    }
    sum = sumLanes(
      f32x4.extract_lane(s, 0),
      f32x4.extract_lane(s, 1),
      f32x4.extract_lane(s, 2),
      f32x4.extract_lane(s, 3),
    );
  } else {
    let s0: f32 = 0,
      s1: f32 = 0,
      s2: f32 = 0,
      s3: f32 = 0;
    for (; j < whole; j += 4) {
      const at = row + ((<usize>j) << 2);
      const e0 = expNonPositive(load<f32>(at) - m);
      const e1 = expNonPositive(load<f32>(at, 4) - m);
      const e2 = expNonPositive(load<f32>(at, 8) - m);
      const e3 = expNonPositive(load<f32>(at, 12) - m);
      store<f32>(at, e0);
      store<f32>(at, e1, 4);
      store<f32>(at, e2, 8);
      store<f32>(at, e3, 12);
      s0 += e0;
      s1 += e1;
      s2 += e2;
      s3 += e3;
    }
    sum = sumLanes(s0, s1, s2, s3);
  }
  for (; j < visible; j++) {
    const at = row + ((<usize>j) << 2);
    const e = expNonPositive(load<f32>(at) - m);
    store<f32>(at, e);
    sum += e;
  }
  j = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f32x4.splat(sum);
    for (; j < whole; j += 4) {
      const at = row + ((<usize>j) << 2);
      v128.store(at, f32x4.div(v128.load(at), sv));
    }
  }
  for (; j < visible; j++) {
    const at = row + ((<usize>j) << 2);
    store<f32>(at, load<f32>(at) / sum);
  }
  for (j = visible; j < n; j++) store<f32>(row + ((<usize>j) << 2), 0);
}

/**
 * x (rows, n) <- softmax of each row, in place. `causal` 1: row r sees columns 0 .. causalOffset + r (the rest
 * get 0); 0: every column.
 */
export function softmax_rows(x: usize, rows: i32, n: i32, causal: i32, causalOffset: i32): void {
  const rowBytes = (<usize>n) << 2;
  for (let r = 0; r < rows; r++) {
    const visible = causal != 0 ? min(n, max(0, causalOffset + r + 1)) : n;
    softmaxRow(x + <usize>r * rowBytes, n, visible);
  }
}

/**
 * y (rows, n) = gamma * (x * inv) per row, inv = 1 / sqrt(mean(x^2) + eps) in f32; the sum of squares in four
 * lanes (column j in lane j % 4) then (l0 + l1) + (l2 + l3), then the leftover columns. eps comes as its f32 bits
 * (thread kernels take i32 arguments).
 */
export function rms_norm(y: usize, x: usize, gamma: usize, rows: i32, n: i32, epsBits: i32): void {
  const eps = reinterpret<f32>(epsBits);
  const rowBytes = (<usize>n) << 2;
  const whole = n & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let j = 0;
    let ss: f32;
    if (ASC_FEATURE_SIMD) {
      let s = f32x4.splat(0);
      for (; j < whole; j += 4) {
        const v = v128.load(xr + ((<usize>j) << 2));
        s = f32x4.add(s, f32x4.mul(v, v));
      }
      ss = sumLanes(
        f32x4.extract_lane(s, 0),
        f32x4.extract_lane(s, 1),
        f32x4.extract_lane(s, 2),
        f32x4.extract_lane(s, 3),
      );
    } else {
      let s0: f32 = 0,
        s1: f32 = 0,
        s2: f32 = 0,
        s3: f32 = 0;
      for (; j < whole; j += 4) {
        const at = xr + ((<usize>j) << 2);
        const v0 = load<f32>(at);
        const v1 = load<f32>(at, 4);
        const v2 = load<f32>(at, 8);
        const v3 = load<f32>(at, 12);
        s0 += v0 * v0;
        s1 += v1 * v1;
        s2 += v2 * v2;
        s3 += v3 * v3;
      }
      ss = sumLanes(s0, s1, s2, s3);
    }
    for (; j < n; j++) {
      const v = load<f32>(xr + ((<usize>j) << 2));
      ss += v * v;
    }
    const inv: f32 = 1 / Mathf.sqrt(ss / <f32>n + eps);
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const iv = f32x4.splat(inv);
      for (; j < whole; j += 4) {
        const at = (<usize>j) << 2;
        v128.store(yr + at, f32x4.mul(v128.load(gamma + at), f32x4.mul(v128.load(xr + at), iv)));
      }
    }
    for (; j < n; j++) {
      const at = (<usize>j) << 2;
      store<f32>(yr + at, load<f32>(gamma + at) * (load<f32>(xr + at) * inv));
    }
  }
}

/** out (n) = a (n) * b (n) where `product`, else a (n) + b (n): one f32 rounding per element. */
function binaryF32(out: usize, a: usize, b: usize, n: i32, product: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = (<usize>i) << 2;
      const x = v128.load(a + at);
      const y = v128.load(b + at);
      v128.store(out + at, product ? f32x4.mul(x, y) : f32x4.add(x, y));
    }
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const x = load<f32>(a + at);
    const y = load<f32>(b + at);
    store<f32>(out + at, product ? x * y : x + y);
  }
}

/** out (n) = a (n) + b (n), as a float32 store of a JS sum gives it. */
export function add_f32(out: usize, a: usize, b: usize, n: i32): void {
  binaryF32(out, a, b, n, false);
}

/** out (n) = a (n) * b (n), as a float32 store of a JS product gives it. */
export function mul_f32(out: usize, a: usize, b: usize, n: i32): void {
  binaryF32(out, a, b, n, true);
}

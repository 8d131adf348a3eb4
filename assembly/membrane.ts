// Multi-basis MBE membrane simulation (ALGORITHM.md section 1), for n independent elements.
//
// For each basis nb with polarity p, shift c and tables Vth, r, d (N x T):
//   u[0] = p * (x - c);  s[t] = u[t] >= Vth[t];  u[t+1] = u[t] - s[t] r[t];  o[t+1] = o[t] + s[t] d[t]
//   y = (sum_nb w[nb] o_nb[T]) + b
// Sign-magnitude mode (identity code, odd functions): the neuron sees |x| and y takes the sign of x.
// NaN inputs give NaN outputs and no spikes; +-Inf saturates (every threshold is crossed).
//
// Buffers (all f32 unless noted, pointers 16-byte aligned): x, y: (n)   table: the neuron's table block (below)
//   planes: (N, T, rows, words) u32 with words = ceil(rowLen / 32): bit j of word w is element w*32 + j
//   counts: (N, T) u32 spikes per plane   signs: (rows, words) u32, bit set where x < 0 (sign mode only)
//
// The table block, written by src/kernels/membrane-table.ts (a test holds the two sets of offsets equal):
// one pointer instead of a dozen arguments. Its byte offsets are fixed, sized for N <= 8 and T <= 32, so
// every load has a constant offset; (N, T) arrays are row-major with row stride T; 3184 bytes in all.
const N_AT: usize = 0; // i32
const T_AT: usize = 4; // i32
const SIGN_MAGNITUDE_AT: usize = 8; // i32, 0 or 1
const BIAS_AT: usize = 12; // f32
const POLARITY_AT: usize = 16; // (N) f32, +1 or -1
const SHIFT_AT: usize = 48; // (N) f32
const WEIGHT_AT: usize = 80; // (N) f32
const VTH_AT: usize = 112; // (N, T) f32
const RESET_AT: usize = 1136; // (N, T) f32
const INTENSITY_AT: usize = 2160; // (N, T) f32

const SIGN_BIT: u32 = 0x80000000;

/**
 * One element through every basis; ORs its spike bits into `planes` unless that is 0. Scalar reference.
 * The header values come in as the last arguments, read once by the caller: reading them from the table
 * block here, or passing them first, made the SIMD spike path ~35% slower (V8 in Node 20).
 */
function neuronScalar(
  table: usize,
  x: f32,
  planes: usize,
  planeStride: usize, // u32 words between consecutive (basis, t) planes
  bitWord: usize, // byte offset of this element's word inside a plane
  bit: u32, // this element's bit inside that word
  N: i32,
  T: i32,
  signMagnitude: bool,
  bias: f32,
): f32 {
  const input: f32 = signMagnitude ? Mathf.abs(x) : x;
  let acc: f32 = 0;
  for (let nb = 0; nb < N; nb++) {
    const basis = table + ((<usize>nb) << 2);
    let u: f32 = load<f32>(basis, POLARITY_AT) * (input - load<f32>(basis, SHIFT_AT));
    let o: f32 = 0;
    const row = table + ((<usize>(nb * T)) << 2);
    for (let t = 0; t < T; t++) {
      const at = row + ((<usize>t) << 2);
      if (u >= load<f32>(at, VTH_AT)) {
        u -= load<f32>(at, RESET_AT);
        o += load<f32>(at, INTENSITY_AT);
        if (planes != 0) {
          const word = planes + ((<usize>(nb * T + t) * planeStride) << 2) + bitWord;
          store<u32>(word, load<u32>(word) | bit);
        }
      }
    }
    acc += load<f32>(basis, WEIGHT_AT) * o;
  }
  let y: f32 = acc + bias;
  if (signMagnitude && x < 0) y = -y;
  return x != x ? x : y;
}

/** Four elements at once: the SIMD twin of neuronScalar (same operations, same order, so same bits). */
function neuronVector(
  table: usize,
  x: v128,
  planes: usize,
  planeStride: usize,
  bitWord: usize,
  bitShift: u32,
  N: i32,
  T: i32,
  signMagnitude: bool,
  bias: f32,
): v128 {
  const input = signMagnitude ? f32x4.abs(x) : x;
  let acc = f32x4.splat(0);
  for (let nb = 0; nb < N; nb++) {
    const basis = table + ((<usize>nb) << 2);
    let u = f32x4.mul(v128.load32_splat(basis, POLARITY_AT), f32x4.sub(input, v128.load32_splat(basis, SHIFT_AT)));
    let o = f32x4.splat(0);
    const row = table + ((<usize>(nb * T)) << 2);
    for (let t = 0; t < T; t++) {
      const at = row + ((<usize>t) << 2);
      const spike = f32x4.ge(u, v128.load32_splat(at, VTH_AT));
      u = f32x4.sub(u, v128.and(spike, v128.load32_splat(at, RESET_AT)));
      o = f32x4.add(o, v128.and(spike, v128.load32_splat(at, INTENSITY_AT)));
      if (planes != 0) {
        const word = planes + ((<usize>(nb * T + t) * planeStride) << 2) + bitWord;
        store<u32>(word, load<u32>(word) | ((<u32>i32x4.bitmask(spike)) << bitShift));
      }
    }
    acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(basis, WEIGHT_AT), o));
  }
  return finishVector(x, f32x4.add(acc, f32x4.splat(bias)), signMagnitude);
}

/**
 * Sixteen elements at once, j .. j + 15 of one row with j a multiple of 16 (so all sixteen bits lie in one word):
 * four neuronVector chains side by side, so their membrane updates overlap, and one word update per plane for
 * all sixteen (none when `planes` is 0: decoded outputs only). The same operations in the same order per element as
 * neuronScalar, so the same bits.
 */
function neuronVector16(
  table: usize,
  x: usize, // the first of the 16 inputs
  y: usize, // where their 16 outputs go
  planes: usize,
  planeStride: usize,
  bitWord: usize,
  bitShift: u32,
  N: i32,
  T: i32,
  signMagnitude: bool,
  bias: f32,
): void {
  const x0 = v128.load(x);
  const x1 = v128.load(x, 16);
  const x2 = v128.load(x, 32);
  const x3 = v128.load(x, 48);
  const in0 = signMagnitude ? f32x4.abs(x0) : x0;
  const in1 = signMagnitude ? f32x4.abs(x1) : x1;
  const in2 = signMagnitude ? f32x4.abs(x2) : x2;
  const in3 = signMagnitude ? f32x4.abs(x3) : x3;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  for (let nb = 0; nb < N; nb++) {
    const basis = table + ((<usize>nb) << 2);
    const p = v128.load32_splat(basis, POLARITY_AT);
    const c = v128.load32_splat(basis, SHIFT_AT);
    let u0 = f32x4.mul(p, f32x4.sub(in0, c));
    let u1 = f32x4.mul(p, f32x4.sub(in1, c));
    let u2 = f32x4.mul(p, f32x4.sub(in2, c));
    let u3 = f32x4.mul(p, f32x4.sub(in3, c));
    let o0 = f32x4.splat(0);
    let o1 = f32x4.splat(0);
    let o2 = f32x4.splat(0);
    let o3 = f32x4.splat(0);
    const row = table + ((<usize>(nb * T)) << 2);
    let word = planes + ((<usize>(nb * T) * planeStride) << 2) + bitWord;
    const wordStep = planeStride << 2;
    for (let t = 0; t < T; t++) {
      const at = row + ((<usize>t) << 2);
      const th = v128.load32_splat(at, VTH_AT);
      const r = v128.load32_splat(at, RESET_AT);
      const d = v128.load32_splat(at, INTENSITY_AT);
      const s0 = f32x4.ge(u0, th);
      const s1 = f32x4.ge(u1, th);
      const s2 = f32x4.ge(u2, th);
      const s3 = f32x4.ge(u3, th);
      u0 = f32x4.sub(u0, v128.and(s0, r));
      u1 = f32x4.sub(u1, v128.and(s1, r));
      u2 = f32x4.sub(u2, v128.and(s2, r));
      u3 = f32x4.sub(u3, v128.and(s3, r));
      o0 = f32x4.add(o0, v128.and(s0, d));
      o1 = f32x4.add(o1, v128.and(s1, d));
      o2 = f32x4.add(o2, v128.and(s2, d));
      o3 = f32x4.add(o3, v128.and(s3, d));
      const bits =
        (<u32>i32x4.bitmask(s0)) |
        ((<u32>i32x4.bitmask(s1)) << 4) |
        ((<u32>i32x4.bitmask(s2)) << 8) |
        ((<u32>i32x4.bitmask(s3)) << 12);
      if (planes != 0) store<u32>(word, load<u32>(word) | (bits << bitShift));
      word += wordStep;
    }
    const w = v128.load32_splat(basis, WEIGHT_AT);
    a0 = f32x4.add(a0, f32x4.mul(w, o0));
    a1 = f32x4.add(a1, f32x4.mul(w, o1));
    a2 = f32x4.add(a2, f32x4.mul(w, o2));
    a3 = f32x4.add(a3, f32x4.mul(w, o3));
  }
  const b = f32x4.splat(bias);
  v128.store(y, finishVector(x0, f32x4.add(a0, b), signMagnitude));
  v128.store(y, finishVector(x1, f32x4.add(a1, b), signMagnitude), 16);
  v128.store(y, finishVector(x2, f32x4.add(a2, b), signMagnitude), 32);
  v128.store(y, finishVector(x3, f32x4.add(a3, b), signMagnitude), 48);
}

/** Sign-magnitude sign flip and NaN propagation: the last step of every vector path. */
function finishVector(x: v128, y: v128, signMagnitude: bool): v128 {
  if (signMagnitude) y = v128.xor(y, v128.and(f32x4.lt(x, f32x4.splat(0)), i32x4.splat(SIGN_BIT)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/** Decoded outputs only, 16 elements per iteration (neuronVector16) so four independent membrane chains overlap. */
function membraneSimd(y: usize, x: usize, table: usize, n: i32): void {
  const N = load<i32>(table, N_AT);
  const T = load<i32>(table, T_AT);
  const sm = load<i32>(table, SIGN_MAGNITUDE_AT) != 0;
  const bias = load<f32>(table, BIAS_AT);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const at = (<usize>i) << 2;
    neuronVector16(table, x + at, y + at, 0, 0, 0, 0, N, T, sm, bias);
  }
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(y + at, neuronVector(table, v128.load(x + at), 0, 0, 0, 0, N, T, sm, bias));
  }
  membrane_ref(y + ((<usize>i) << 2), x + ((<usize>i) << 2), table, n - i);
}

/** All ones where u >= th (a spike), else zero: AND-ing a table value with it replaces the `if`. */
function spikeMask(u: f32, th: f32): u32 {
  return -u32(u >= th);
}

/** The table value at `at` where the mask is set, else +0 (and u - (+0) == u, o + (+0) == o: o is never -0). */
function masked(at: usize, mask: u32): f32 {
  return reinterpret<f32>(load<u32>(at) & mask);
}

/** Sign-magnitude sign flip and NaN propagation without a branch: the last step of the fast scalar path. */
function finishScalar(x: f32, y: f32, signMagnitude: bool): f32 {
  const flip = select<u32>(SIGN_BIT, 0, signMagnitude && x < 0); // f32.neg flips the sign bit too
  const bits = select<u32>(reinterpret<u32>(x), reinterpret<u32>(y) ^ flip, x != x);
  return reinterpret<f32>(bits);
}

/**
 * Decoded outputs only, for builds without SIMD: branch-free (a spike is a mask, not an `if`), 4 elements
 * per iteration so four independent membrane chains overlap, the tail through the reference. The same
 * operations in the same order as neuronScalar, so the same bits. Integer masks, not `select` on f32:
 * with f32 selects this loop ran no faster than the reference's `if` in Node 20 (~2x slower than masks).
 */
function membraneScalar(y: usize, x: usize, table: usize, n: i32): void {
  const N = load<i32>(table, N_AT);
  const T = load<i32>(table, T_AT);
  const sm = load<i32>(table, SIGN_MAGNITUDE_AT) != 0;
  const bias = load<f32>(table, BIAS_AT);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const x0 = load<f32>(x + at);
    const x1 = load<f32>(x + at, 4);
    const x2 = load<f32>(x + at, 8);
    const x3 = load<f32>(x + at, 12);
    const in0 = sm ? Mathf.abs(x0) : x0;
    const in1 = sm ? Mathf.abs(x1) : x1;
    const in2 = sm ? Mathf.abs(x2) : x2;
    const in3 = sm ? Mathf.abs(x3) : x3;
    let a0: f32 = 0;
    let a1: f32 = 0;
    let a2: f32 = 0;
    let a3: f32 = 0;
    for (let nb = 0; nb < N; nb++) {
      const basis = table + ((<usize>nb) << 2);
      const p = load<f32>(basis, POLARITY_AT);
      const c = load<f32>(basis, SHIFT_AT);
      let u0: f32 = p * (in0 - c);
      let u1: f32 = p * (in1 - c);
      let u2: f32 = p * (in2 - c);
      let u3: f32 = p * (in3 - c);
      let o0: f32 = 0;
      let o1: f32 = 0;
      let o2: f32 = 0;
      let o3: f32 = 0;
      const row = table + ((<usize>(nb * T)) << 2);
      for (let t = 0; t < T; t++) {
        const tat = row + ((<usize>t) << 2);
        const th = load<f32>(tat, VTH_AT);
        const s0 = spikeMask(u0, th);
        const s1 = spikeMask(u1, th);
        const s2 = spikeMask(u2, th);
        const s3 = spikeMask(u3, th);
        u0 -= masked(tat + RESET_AT, s0);
        u1 -= masked(tat + RESET_AT, s1);
        u2 -= masked(tat + RESET_AT, s2);
        u3 -= masked(tat + RESET_AT, s3);
        o0 += masked(tat + INTENSITY_AT, s0);
        o1 += masked(tat + INTENSITY_AT, s1);
        o2 += masked(tat + INTENSITY_AT, s2);
        o3 += masked(tat + INTENSITY_AT, s3);
      }
      const w = load<f32>(basis, WEIGHT_AT);
      a0 += w * o0;
      a1 += w * o1;
      a2 += w * o2;
      a3 += w * o3;
    }
    store<f32>(y + at, finishScalar(x0, a0 + bias, sm));
    store<f32>(y + at, finishScalar(x1, a1 + bias, sm), 4);
    store<f32>(y + at, finishScalar(x2, a2 + bias, sm), 8);
    store<f32>(y + at, finishScalar(x3, a3 + bias, sm), 12);
  }
  membrane_ref(y + ((<usize>i) << 2), x + ((<usize>i) << 2), table, n - i);
}

/** Scalar reference: decoded outputs y (n). */
export function membrane_ref(y: usize, x: usize, table: usize, n: i32): void {
  const N = load<i32>(table, N_AT);
  const T = load<i32>(table, T_AT);
  const sm = load<i32>(table, SIGN_MAGNITUDE_AT) != 0;
  const bias = load<f32>(table, BIAS_AT);
  for (let i = 0; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(y + at, neuronScalar(table, load<f32>(x + at), 0, 0, 0, 0, N, T, sm, bias));
  }
}

/** Decoded outputs y (n): SIMD where the build has it, else the fast scalar kernel. */
export function membrane(y: usize, x: usize, table: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) membraneSimd(y, x, table, n);
  else membraneScalar(y, x, table, n);
}

/** Spikes of each plane, after the bits are OR-ed in. */
function countPlanes(counts: usize, planes: usize, planeWords: usize, first: usize, words: usize, P: i32): void {
  for (let p = 0; p < P; p++) {
    const base = planes + ((<usize>p * planeWords + first) << 2);
    let count: u32 = 0;
    for (let w: usize = 0; w < words; w++) count += popcnt<u32>(load<u32>(base + (w << 2)));
    store<u32>(counts + ((<usize>p) << 2), count);
  }
}

/** Sign bits of one row: bit set where x < 0. */
function writeSigns(signs: usize, x: usize, rowLen: i32): void {
  for (let j = 0; j < rowLen; j++) {
    if (load<f32>(x + ((<usize>j) << 2)) < 0) {
      const word = signs + ((<usize>(j >>> 5)) << 2);
      store<u32>(word, load<u32>(word) | ((<u32>1) << ((<u32>j) & 31)));
    }
  }
}

/**
 * Decoded outputs plus spike planes of rows row0 .. row1 of (rows, rowLen), row by row: only those rows' words of
 * the planes and signs are written, and counts gets their spikes, so row ranges can run on different threads.
 * `vectorised` runs sixteen, then four elements at a time where the build has SIMD (their bits never straddle two
 * words: j is a multiple of 16, then of 4); the tail and the reference go one element at a time.
 */
function spikesByRow(
  y: usize,
  planes: usize,
  counts: usize,
  signs: usize,
  x: usize,
  table: usize,
  rows: i32,
  rowLen: i32,
  row0: i32,
  row1: i32,
  vectorised: bool,
): void {
  const N = load<i32>(table, N_AT);
  const T = load<i32>(table, T_AT);
  const sm = load<i32>(table, SIGN_MAGNITUDE_AT) != 0;
  const bias = load<f32>(table, BIAS_AT);
  const P = N * T;
  const words = (rowLen + 31) >>> 5;
  const planeStride = <usize>rows * <usize>words;
  const first = <usize>row0 * <usize>words; // the range's first word in each plane
  const span = <usize>(row1 - row0) * <usize>words;
  // The bits are OR-ed in, so the range's words of the planes and signs start clear.
  for (let p = 0; p < P; p++) memory.fill(planes + ((<usize>p * planeStride + first) << 2), 0, span << 2);
  memory.fill(signs + (first << 2), 0, span << 2);
  for (let row = row0; row < row1; row++) {
    const rowX = x + ((<usize>row * <usize>rowLen) << 2);
    const rowY = y + ((<usize>row * <usize>rowLen) << 2);
    const rowWord = <usize>row * <usize>words;
    let j = 0;
    if (ASC_FEATURE_SIMD && vectorised) {
      for (; j + 16 <= rowLen; j += 16) {
        const at = (<usize>j) << 2;
        const bitWord = (rowWord + <usize>(j >>> 5)) << 2;
        neuronVector16(table, rowX + at, rowY + at, planes, planeStride, bitWord, (<u32>j) & 31, N, T, sm, bias);
      }
      for (; j + 4 <= rowLen; j += 4) {
        const at = (<usize>j) << 2;
        const bitWord = (rowWord + <usize>(j >>> 5)) << 2;
        const bitShift = (<u32>j) & 31;
        const v = neuronVector(table, v128.load(rowX + at), planes, planeStride, bitWord, bitShift, N, T, sm, bias);
        v128.store(rowY + at, v);
      }
    }
    for (; j < rowLen; j++) {
      const at = (<usize>j) << 2;
      const bitWord = (rowWord + <usize>(j >>> 5)) << 2;
      const bit = (<u32>1) << ((<u32>j) & 31);
      const v = neuronScalar(table, load<f32>(rowX + at), planes, planeStride, bitWord, bit, N, T, sm, bias);
      store<f32>(rowY + at, v);
    }
    if (sm) writeSigns(signs + (rowWord << 2), rowX, rowLen);
  }
  countPlanes(counts, planes, planeStride, first, span, P);
}

/** Scalar reference: decoded outputs plus bit-packed spike planes, plane counts and sign bits. */
export function membrane_spikes_ref(
  y: usize,
  planes: usize,
  counts: usize,
  signs: usize,
  x: usize,
  table: usize,
  rows: i32,
  rowLen: i32,
): void {
  spikesByRow(y, planes, counts, signs, x, table, rows, rowLen, 0, rows, false);
}

/** Decoded outputs plus spike planes: SIMD where the build has it, else the scalar reference. */
export function membrane_spikes(
  y: usize,
  planes: usize,
  counts: usize,
  signs: usize,
  x: usize,
  table: usize,
  rows: i32,
  rowLen: i32,
): void {
  spikesByRow(y, planes, counts, signs, x, table, rows, rowLen, 0, rows, true);
}

/** membrane_spikes on rows row0 .. row1 only (a thread's share); counts gets that range's spikes per plane. */
export function membrane_spikes_rows(
  y: usize,
  planes: usize,
  counts: usize,
  signs: usize,
  x: usize,
  table: usize,
  rows: i32,
  rowLen: i32,
  row0: i32,
  row1: i32,
): void {
  spikesByRow(y, planes, counts, signs, x, table, rows, rowLen, row0, row1, true);
}

// Signed-digit (non-adjacent form) recoding of a binary identity code: the magnitude k of every element,
// held as T binary spike planes, becomes NAF digits in {-1, 0, +1} on T + 1 positions, carried as a
// polarity pair of planes (+1 digits, -1 digits). No two adjacent positions are nonzero, so an element
// spikes about T / 3 times instead of T / 2, and a run of ones (a saturated |x| >= alpha) costs two spikes.
import { popcount32, type SpikeTrain } from './spike-train.js';
import type { Scratch } from './scratch.js';

/**
 * NAF digits of binary planes, bit-sliced: 32 elements per u32 operation, no per-element loop.
 * bits (T, plane) holds bit T-1-t of k in plane t (plane = rows * words u32 words); out (2 (T + 1), plane)
 * gets the +1 digits in planes 0..T and the -1 digits in planes T+1..2T+1, position d worth alpha 2^-d
 * (position 0 is the carry past the top binary plane, position d >= 1 is worth binary plane d - 1).
 * With xh = k >> 1 and x3 = k + xh (= floor(3k / 2), T + 1 bits), c = xh ^ x3 gives
 * plus = x3 & c and minus = xh & c, and k = plus - minus.
 */
export function signedDigitPlanes(bits: Uint32Array, T: number, plane: number, out: Uint32Array): void {
  if (!Number.isInteger(T) || T < 1 || T > 32) throw new Error(`T must be an integer in [1, 32], got ${T}`);
  if (!Number.isInteger(plane) || plane < 0) throw new Error(`plane must be a non-negative integer, got ${plane}`);
  if (bits.length < T * plane) throw new Error(`bits holds ${bits.length} words, (T, plane) needs ${T * plane}`);
  if (out.length < 2 * (T + 1) * plane) {
    throw new Error(`out holds ${out.length} words, (2 (T + 1), plane) needs ${2 * (T + 1) * plane}`);
  }
  const minusAt = (T + 1) * plane;
  for (let i = 0; i < plane; i++) {
    // Ripple-carry x3 = k + xh from the least significant bit b = 0 (binary plane T-1) up; bit b lands
    // on digit position T - b, so the final carry is position 0.
    let carry = 0;
    for (let b = 0; b < T; b++) {
      const k = bits[(T - 1 - b) * plane + i] as number;
      const xh = b + 1 < T ? (bits[(T - 2 - b) * plane + i] as number) : 0; // bit b + 1 of k
      const x3 = k ^ xh ^ carry;
      carry = (k & xh) | (carry & (k ^ xh));
      const c = xh ^ x3;
      const d = T - b;
      out[d * plane + i] = x3 & c;
      out[minusAt + d * plane + i] = xh & c;
    }
    // Bit T: xh is 0 there, so c = x3 = carry: a +1 digit, never a -1.
    out[i] = carry;
    out[minusAt + i] = 0;
  }
}

/**
 * The same values as `train` (a binary code: each plane worth half the one before) as NAF digits on
 * 2 (T + 1) planes, +1 digits then -1 digits, in the scratch buffers of `slot`. The decoded values are
 * the same by construction, so y, signs and x are train's own arrays.
 */
export function signedDigitTrain(train: SpikeTrain, scratch: Scratch, slot: string): SpikeTrain {
  const { bits, planes: T, rows, rowLen, words } = train.spikes.planes;
  if (train.planeValue.length !== T || T < 1 || T > 32) {
    throw new Error(`signedDigitTrain needs a one-basis code of 1..32 planes, got ${T} planes`);
  }
  const v = train.planeValue;
  for (let t = 1; t < T; t++) {
    // Only halving plane values make the planes the bits of one integer k.
    if ((v[t] as number) * 2 !== (v[t - 1] as number)) {
      throw new Error(`signedDigitTrain needs a binary code: plane ${t} is not worth half of plane ${t - 1}`);
    }
  }
  const P = 2 * (T + 1);
  const plane = rows * words;
  const out = scratch.u32(`${slot}.naf.bits`, P * plane); // (2 (T + 1), rows, words)
  signedDigitPlanes(bits, T, plane, out);
  const planeValue = scratch.f64(`${slot}.naf.planeValue`, P); // (2, T + 1): +v_d, then -v_d
  const counts = scratch.u32(`${slot}.naf.counts`, P); // (2, T + 1)
  let total = 0;
  for (let p = 0; p < P; p++) {
    const d = p % (T + 1);
    const value = d === 0 ? 2 * (v[0] as number) : (v[d - 1] as number);
    planeValue[p] = p <= T ? value : -value;
    let count = 0;
    for (let w = p * plane; w < (p + 1) * plane; w++) count += popcount32(out[w] as number);
    counts[p] = count;
    total += count;
  }
  return {
    y: train.y,
    spikes: { y: train.y, planes: { bits: out, planes: P, rows, rowLen, words }, counts, signs: train.spikes.signs },
    planeValue,
    bias: train.bias,
    signMagnitude: train.signMagnitude,
    x: train.x,
    total,
  };
}

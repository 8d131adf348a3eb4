// The NAF recoding of binary identity-code planes: the bit-sliced digits against a scalar NAF written here
// (exhaustive for T <= 12, random up to T = 32), the digit count against the binary one, and the recoded train
// of a real identity code decoding to the kernel's y bit for bit under every wasm build.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels/index.js';
import { identityNeuron, neuronTables } from '../../src/neurons/neuron.js';
import { Scratch } from '../../src/ops/spiking/scratch.js';
import { signedDigitPlanes, signedDigitTrain } from '../../src/ops/spiking/signed-digit.js';
import { elementCounts, fire, type SpikeTrain } from '../../src/ops/spiking/spike-train.js';
import { normal, seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** Binary planes (T, rows, words) of magnitudes ks (rows, rowLen): plane t holds bit T-1-t. */
function packPlanes(ks: Float64Array, T: number, rows: number, rowLen: number) {
  const words = Math.ceil(rowLen / 32);
  const plane = rows * words;
  const bits = new Uint32Array(T * plane); // (T, rows, words)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < rowLen; j++) {
      const k = ks[r * rowLen + j] as number;
      for (let t = 0; t < T; t++) {
        // Number arithmetic: k may need all 32 bits.
        if (Math.floor(k / 2 ** (T - 1 - t)) % 2 === 1) bits[t * plane + r * words + (j >> 5)]! |= 1 << (j & 31);
      }
    }
  }
  return { bits, words, plane };
}

const bitAt = (bits: Uint32Array, p: number, plane: number, r: number, words: number, j: number): number =>
  ((bits[p * plane + r * words + (j >> 5)] as number) >>> (j & 31)) & 1;

/** Classic LSB-first NAF of k: digit b (worth 2^b), as many as it needs. */
function referenceNaf(k: number): number[] {
  const digits: number[] = [];
  while (k > 0) {
    let d = 0;
    if (k % 2 === 1) {
      d = 2 - (k % 4);
      k -= d;
    }
    digits.push(d);
    k /= 2;
  }
  return digits;
}

function popcount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}

/**
 * Runs signedDigitPlanes on ks (rows, rowLen) and checks every element against k and the reference NAF.
 * Returns the nonzero digits and binary ones of each element.
 */
function checkDigits(ks: Float64Array, T: number, rows: number, rowLen: number) {
  const { bits, words, plane } = packPlanes(ks, T, rows, rowLen);
  const out = new Uint32Array(2 * (T + 1) * plane).fill(0xdeadbeef); // (2 (T + 1), rows, words); stale contents
  signedDigitPlanes(bits, T, plane, out);
  const minus = T + 1;
  // Never +1 and -1 at one position; nothing past rowLen (no stale words left over).
  for (let d = 0; d <= T; d++) {
    for (let w = 0; w < plane; w++)
      expect((out[d * plane + w] as number) & (out[(minus + d) * plane + w] as number)).toBe(0);
  }
  if (rowLen % 32 !== 0) {
    const pad = ~((1 << (rowLen % 32)) - 1);
    for (let p = 0; p < 2 * (T + 1); p++) {
      for (let r = 0; r < rows; r++) expect((out[p * plane + r * words + words - 1] as number) & pad).toBe(0);
    }
  }
  const nafCount = new Uint8Array(ks.length); // (rows, rowLen)
  const binCount = new Uint8Array(ks.length); // (rows, rowLen)
  let failures = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < rowLen; j++) {
      const i = r * rowLen + j;
      const k = ks[i] as number;
      const digits: number[] = [];
      let value = 0;
      for (let d = 0; d <= T; d++) {
        const digit = bitAt(out, d, plane, r, words, j) - bitAt(out, minus + d, plane, r, words, j);
        digits.push(digit);
        value += digit * 2 ** (T - d);
      }
      const ref = referenceNaf(k);
      // Position d holds reference digit T - d; the reference never needs more than T + 1 digits.
      const expected = Array.from({ length: T + 1 }, (_, d) => ref[T - d] ?? 0);
      let adjacent = false;
      for (let d = 0; d < T; d++) if (digits[d] !== 0 && digits[d + 1] !== 0) adjacent = true;
      if (value !== k || adjacent || ref.length > T + 1 || digits.some((x, d) => x !== expected[d])) {
        if (failures++ < 3) expect({ k, digits }).toEqual({ k, digits: expected });
      }
      nafCount[i] = digits.filter((x) => x !== 0).length;
      for (let t = 0; t < T; t++) binCount[i]! += bitAt(bits, t, plane, r, words, j);
    }
  }
  expect(failures).toBe(0);
  return { nafCount, binCount };
}

describe('signedDigitPlanes', () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('T = %i: every k in [0, 2^T) is its NAF', (T) => {
    const rows = 3;
    let rowLen = Math.ceil(2 ** T / rows) + 7;
    if (rowLen % 32 === 0) rowLen++;
    const ks = new Float64Array(rows * rowLen); // (rows, rowLen)
    for (let i = 0; i < ks.length; i++) ks[i] = i % 2 ** T;
    checkDigits(ks, T, rows, rowLen);
  });

  it.each([16, 24, 31, 32])('T = %i: random k and the edge patterns are their NAF', (T) => {
    const random = seededRandom(1000 + T);
    const [rows, rowLen] = [4, 301];
    const ks = new Float64Array(rows * rowLen); // (rows, rowLen)
    for (let i = 0; i < ks.length; i++) ks[i] = Math.floor(random() * 2 ** T);
    const top = 2 ** T - 1;
    let alternate = 0;
    for (let b = 0; b < T; b += 2) alternate += 2 ** b;
    const edges = [0, 1, top, top - 1, 2 ** (T - 1), 2 ** (T - 1) - 1, alternate, top - alternate, 3, 2 ** T - 3];
    ks.set(edges);
    ks.set(edges, ks.length - edges.length); // the last word of the last row
    checkDigits(ks, T, rows, rowLen);
  });

  it('T = 16: NAF spends about T / 3 digits where binary spends T / 2, and never more', () => {
    const T = 16;
    const random = seededRandom(16);
    const [rows, rowLen] = [8, 2500];
    const ks = new Float64Array(rows * rowLen); // (rows, rowLen)
    for (let i = 0; i < ks.length; i++) ks[i] = Math.floor(random() * 2 ** T);
    const { nafCount, binCount } = checkDigits(ks, T, rows, rowLen);
    let [naf, bin] = [0, 0];
    for (let i = 0; i < ks.length; i++) {
      expect(nafCount[i]).toBeLessThanOrEqual(binCount[i] as number);
      naf += nafCount[i] as number;
      bin += binCount[i] as number;
    }
    const [meanNaf, meanBin] = [naf / ks.length, bin / ks.length];
    const ratio = naf / bin;
    console.log(
      `T = 16, uniform k: NAF ${meanNaf.toFixed(3)} digits, binary ${meanBin.toFixed(3)} ones, ratio ${ratio.toFixed(4)}`,
    );
    // Over all 2^16 k, exactly: binary 8, NAF 5.7778 = T / 3 + 4 / 9 on T + 1 positions, ratio 0.7222.
    // Measured on these 20000 draws (seed 16): NAF 5.778, binary 7.993, ratio 0.7229; standard error ~0.0015.
    expect(meanBin).toBeCloseTo(T / 2, 1);
    expect(Math.abs(meanNaf - (T / 3 + 4 / 9))).toBeLessThan(0.05);
    expect(ratio).toBeGreaterThan(0.71);
    expect(ratio).toBeLessThan(0.735);
  });

  it('rejects T outside 1..32 and short buffers', () => {
    expect(() => signedDigitPlanes(new Uint32Array(33), 33, 1, new Uint32Array(68))).toThrow(Error);
    expect(() => signedDigitPlanes(new Uint32Array(0), 0, 1, new Uint32Array(2))).toThrow(Error);
    expect(() => signedDigitPlanes(new Uint32Array(3), 4, 1, new Uint32Array(10))).toThrow(Error);
    expect(() => signedDigitPlanes(new Uint32Array(4), 4, 1, new Uint32Array(9))).toThrow(Error);
  });
});

/** A train's values decoded from its planes in float64: sign * (sum of the set planes' values + bias), as f32. */
function decode(train: SpikeTrain): Float32Array {
  const { bits, planes, rows, rowLen, words } = train.spikes.planes;
  const plane = rows * words;
  const y = new Float32Array(rows * rowLen); // (rows, rowLen)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < rowLen; j++) {
      let sum = 0;
      for (let p = 0; p < planes; p++) if (bitAt(bits, p, plane, r, words, j)) sum += train.planeValue[p] as number;
      const negative = train.signMagnitude && bitAt(train.spikes.signs, 0, plane, r, words, j) === 1;
      y[r * rowLen + j] = (negative ? -1 : 1) * (sum + train.bias);
    }
  }
  return y;
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`signedDigitTrain, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    it.each([4, 8, 16])('T = %i: the NAF train of the identity code decodes to its y bit for bit', (T) => {
      const alpha = 2.7;
      const [rows, rowLen] = [5, 77];
      const x = normal(seededRandom(T), rows * rowLen, 1.5);
      const scratch = new Scratch();
      const train = fire(kernels, neuronTables(identityNeuron(T, alpha)), x, rows, true, scratch, 'x');
      const naf = signedDigitTrain(train, scratch, 'x');

      expect(naf.spikes.planes).toMatchObject({ planes: 2 * (T + 1), rows, rowLen, words: train.spikes.planes.words });
      expect(naf.planeValue.length).toBe(2 * (T + 1));
      for (let d = 0; d <= T; d++) {
        const v = d === 0 ? 2 * (train.planeValue[0] as number) : (train.planeValue[d - 1] as number);
        expect([naf.planeValue[d], naf.planeValue[T + 1 + d]]).toEqual([v, -v]);
      }
      expect(naf.y).toBe(train.y);
      expect(naf.spikes.signs).toBe(train.spikes.signs);
      expect([naf.x, naf.bias, naf.signMagnitude]).toEqual([train.x, train.bias, train.signMagnitude]);

      // Bit for bit, the sign of a zero included.
      const want = new Uint32Array(Float32Array.from(train.y).buffer);
      expect(new Uint32Array(decode(naf).buffer)).toEqual(want);
      expect(new Uint32Array(decode(train).buffer)).toEqual(want);

      let counted = 0;
      const plane = rows * train.spikes.planes.words;
      naf.spikes.counts.forEach((c, p) => {
        let n = 0;
        for (let w = p * plane; w < (p + 1) * plane; w++) n += popcount(naf.spikes.planes.bits[w] as number);
        expect(c).toBe(n);
        counted += c;
      });
      expect(naf.total).toBe(counted);
      expect(naf.total).toBeLessThan(train.total);
      const nafPer = Array.from(elementCounts(naf, scratch, 'naf.counts'));
      const binPer = Array.from(elementCounts(train, scratch, 'bin.counts'));
      nafPer.forEach((c, i) => expect(c).toBeLessThanOrEqual(binPer[i] as number));
      console.log(
        `${variant}, T = ${T}: spikes NAF ${naf.total}, binary ${train.total}, ratio ${(naf.total / train.total).toFixed(4)}`,
      );
    });

    it('rejects a code whose planes are not halving', () => {
      const scratch = new Scratch();
      const train = fire(kernels, neuronTables(identityNeuron(4)), Float32Array.of(0.3, -0.6), 1, true, scratch, 'x');
      const planeValue = Float64Array.from(train.planeValue);
      planeValue[2] = 0.3;
      expect(() => signedDigitTrain({ ...train, planeValue }, scratch, 'x')).toThrow(Error);
      expect(() => signedDigitTrain({ ...train, planeValue: planeValue.subarray(0, 3) }, scratch, 'x')).toThrow(Error);
    });
  });
}

import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

// Independent references: logarithms and float64 powers of two, no bit manipulation.

function frexp64(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  // log2 may be off by one near powers of two: correct until |x| / 2^e is in [0.5, 1).
  while (Math.abs(x) / 2 ** e >= 1) e++;
  while (Math.abs(x) / 2 ** e < 0.5) e--;
  return [x / 2 ** e, e];
}

function frexpEven64(x: number): [number, number] {
  const [m, e] = frexp64(x);
  return e % 2 === 0 ? [m, e] : [m * 2, e - 1];
}

function ldexp64(x: number, k: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  if (k > 400) return x > 0 ? Infinity : -Infinity;
  if (k < -400) return x > 0 ? 0 : -0;
  return Math.fround(x * 2 ** k); // exact in float64, then one rounding to float32
}

const F32_MIN_SUBNORMAL = 2 ** -149;
const F32_MAX = Math.fround(3.4028234663852886e38);

function edgeValues(random: () => number, n: number): Float32Array {
  const specials = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    F32_MIN_SUBNORMAL,
    -F32_MIN_SUBNORMAL,
    2 ** -127,
    2 ** -126,
    F32_MAX,
    -F32_MAX,
    1,
    -1,
    0.5,
    0.75,
    2,
    3,
    1e-40,
    123456.789,
  ];
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Log-uniform magnitudes over the whole float32 range, both signs.
    const magnitude = 2 ** (-149 + 277 * random());
    x[i] = (random() < 0.5 ? -1 : 1) * magnitude;
  }
  for (let i = 0; i < Math.min(n, specials.length); i++) x[i] = specials[i] as number;
  return x;
}

function sameFloat(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`bits kernels, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    for (const n of [0, 1, 3, 4, 5, 19, 33, 4099]) {
      it(`frexp and frexpEven match log2-based references on ${n} values`, () => {
        const x = edgeValues(seededRandom(n + 1), n);
        for (const [run, reference] of [
          [(v: Float32Array) => kernels.frexp(v), frexp64],
          [(v: Float32Array) => kernels.frexpRef(v), frexp64],
          [(v: Float32Array) => kernels.frexpEven(v), frexpEven64],
          [(v: Float32Array) => kernels.frexpEvenRef(v), frexpEven64],
        ] as const) {
          const { mantissa, exponent } = run(x);
          const wrong: string[] = [];
          for (let i = 0; i < n; i++) {
            const [m, e] = reference(x[i] as number);
            if (!sameFloat(mantissa[i] as number, m) || exponent[i] !== e) {
              wrong.push(`x=${x[i]}: got (${mantissa[i]}, ${exponent[i]}), want (${m}, ${e})`);
            }
          }
          expect(wrong.slice(0, 5)).toEqual([]);
        }
      });

      it(`ldexp matches x * 2^k rounded once, on ${n} values and exponents across the range`, () => {
        const random = seededRandom(n + 99);
        const x = edgeValues(random, n);
        const k = new Int32Array(n);
        const specialK = [0, 1, -1, 127, -126, 254, -254, 300, -300, 2 ** 31 - 1, -(2 ** 31), 149, -149, 24, -24];
        for (let i = 0; i < n; i++)
          k[i] =
            i < specialK.length ? (specialK[(i * 5) % specialK.length] as number) : Math.round((random() - 0.5) * 600);
        for (const run of [
          (a: Float32Array, b: Int32Array) => kernels.ldexp(a, b),
          (a: Float32Array, b: Int32Array) => kernels.ldexpRef(a, b),
        ]) {
          const y = run(x, k);
          const wrong: string[] = [];
          for (let i = 0; i < n; i++) {
            const want = ldexp64(x[i] as number, k[i] as number);
            if (!sameFloat(y[i] as number, want)) wrong.push(`ldexp(${x[i]}, ${k[i]}) = ${y[i]}, want ${want}`);
          }
          expect(wrong.slice(0, 5)).toEqual([]);
        }
      });
    }

    it('documented results: zeros, infinities and NaN pass through with exponent 0; subnormals normalise', () => {
      const x = Float32Array.of(0, -0, Infinity, -Infinity, NaN, F32_MIN_SUBNORMAL, -3 * F32_MIN_SUBNORMAL);
      const { mantissa, exponent } = kernels.frexp(x);
      expect(Object.is(mantissa[0], 0) && Object.is(mantissa[1], -0)).toBe(true);
      expect([mantissa[2], mantissa[3]]).toEqual([Infinity, -Infinity]);
      expect(Number.isNaN(mantissa[4])).toBe(true);
      expect(Array.from(exponent.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
      expect([mantissa[5], exponent[5]]).toEqual([0.5, -148]);
      expect([mantissa[6], exponent[6]]).toEqual([-0.75, -147]);
      const even = kernels.frexpEven(Float32Array.of(2, 8, 0.25, 3));
      expect(Array.from(even.mantissa)).toEqual([0.5, 0.5, 1, 0.75]);
      expect(Array.from(even.exponent)).toEqual([2, 4, -2, 2]);
      expect(Array.from(kernels.ldexp(Float32Array.of(1, 1, 1.5, -1), Int32Array.of(128, -150, -149, 127)))).toEqual([
        Infinity,
        0,
        2 ** -148, // 1.5 * 2^-149 rounds to even: 2 * 2^-149
        -(2 ** 127),
      ]);
    });
  });
}

describe('bits argument checks', () => {
  it('rejects mismatched exponent arrays', async () => {
    const kernels = await Kernels.load({ variant: 'scalar' });
    expect(() => kernels.ldexp(new Float32Array(3), new Int32Array(2))).toThrow(
      /k must have 3 elements \(n, like x\), got 2/,
    );
  });
});

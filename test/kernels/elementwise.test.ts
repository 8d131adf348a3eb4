// The element-wise float kernels against float64 references (SiLU as neurons/targets.ts computes it, softmax and
// RMSNorm in float64 here; sums and products exactly as JS rounds them), on random and edge-case inputs, under every build.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { silu } from '../../src/neurons/targets.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { normal, seededRandom, uniform } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** Distance in units in the last place between two float32 values (NaN and NaN: 0; ordered across zero). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (v: number) => (v < 0 ? -(v & 0x7fffffff) : v);
  return Math.abs(ordered(bits[0] as number) - ordered(bits[1] as number));
}

const SILU_EDGES = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  1e-40,
  -1e-40,
  1e-30,
  -87,
  -88,
  -103.9,
  -104,
  -110,
  -111.9,
  -112,
  -113,
  -150,
  1e30,
  -1e30,
  3.4e38,
  -3.4e38,
  88,
  104,
];

/** float64 softmax of row r's first `visible` values; the rest 0. */
function softmaxRow64(x: Float32Array, row: number, n: number, visible: number): Float64Array {
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let j = 0; j < visible; j++) max = Math.max(max, x[row * n + j] as number);
  let sum = 0;
  for (let j = 0; j < visible; j++) sum += Math.exp((x[row * n + j] as number) - max);
  for (let j = 0; j < visible; j++) out[j] = Math.exp((x[row * n + j] as number) - max) / sum;
  return out;
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`element-wise kernels, ${title}`, () => {
    let kernels: Kernels;
    let scalar: Kernels; // every build gives the scalar build's bits
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
      scalar = await Kernels.load({ variant: 'scalar' });
    });

    it('silu is within 3 ulp of float64 silu on random inputs and exact on the edge cases', () => {
      const random = seededRandom(11);
      const x = new Float32Array([
        ...normal(random, 50_000, 3),
        ...uniform(random, 50_000, -125, 125),
        ...SILU_EDGES,
        ...uniform(random, 1_001, -1e-3, 1e-3),
      ]);
      const y = kernels.silu(x);
      let worst = 0;
      for (let i = 0; i < x.length; i++)
        worst = Math.max(worst, ulps(y[i] as number, Math.fround(silu(x[i] as number))));
      console.log(`${variant}: silu max error ${worst} ulp over ${x.length} inputs`);
      expect(worst).toBeLessThanOrEqual(3);
      const edges = kernels.silu(new Float32Array(SILU_EDGES));
      expect(Object.is(edges[1], -0)).toBe(true);
      expect(edges[2]).toBe(Infinity);
      expect(Object.is(edges[3], -0)).toBe(true);
      expect(edges[4]).toBeNaN();
      expect(Object.is(edges[SILU_EDGES.indexOf(-1e30)], -0)).toBe(true);
      // an element's result depends on its value only: alone, or at any place in the array, and in every build
      for (const i of [0, 1, 2, 3, 4, 5, 99_999, x.length - 1]) {
        const alone = kernels.silu(x.subarray(i, i + 1));
        expect(ulps(alone[0] as number, y[i] as number), `element ${i}`).toBe(0);
      }
      const shifted = kernels.silu(x.subarray(1));
      expect(Array.from(shifted)).toEqual(Array.from(y.subarray(1)));
      expect(Array.from(y)).toEqual(Array.from(scalar.silu(x)));
    });

    it('softmax rows are within 2.5e-6 (relative) of float64, causal or not, and masked columns are 0', () => {
      const random = seededRandom(12);
      for (const [rows, n, causalOffset] of [
        [1, 1, undefined],
        [3, 7, undefined],
        [64, 300, 10],
        [9, 33, 0],
        [5, 17, 40],
        [4, 0, undefined],
        [0, 5, 3],
      ] as const) {
        const x = uniform(random, rows * n, -30, 30);
        const y = kernels.softmax(x, rows, n, causalOffset === undefined ? {} : { causalOffset });
        let worst = 0;
        for (let r = 0; r < rows; r++) {
          const visible = causalOffset === undefined ? n : Math.min(n, causalOffset + r + 1);
          const expected = softmaxRow64(x, r, n, visible);
          for (let j = 0; j < n; j++) {
            const e = expected[j] as number;
            const v = y[r * n + j] as number;
            if (j >= visible) expect(Object.is(v, 0), `masked (${r}, ${j})`).toBe(true);
            else if (e > 1e-30) worst = Math.max(worst, Math.abs(v - e) / e);
            else expect(v).toBeLessThan(1e-30);
          }
        }
        console.log(
          `${variant}: softmax ${rows}x${n} (causal offset ${causalOffset}) max relative error ${worst.toExponential(2)}`,
        );
        // measured 2.1e-6: x - max rounds in float32 (|x - max| up to 60 here: half an ulp is 1.9e-6 relative in exp)
        expect(worst).toBeLessThan(2.5e-6);
      }
    });

    it("a causal row equals that row's visible columns alone (a decoding step gives a prefill's bits)", () => {
      const random = seededRandom(13);
      const [rows, n] = [37, 37];
      const x = normal(random, rows * n, 4);
      const y = kernels.softmax(x, rows, n, { causalOffset: 0 });
      for (let r = 0; r < rows; r++) {
        const alone = kernels.softmax(x.slice(r * n, r * n + r + 1), 1, r + 1);
        expect(Array.from(y.subarray(r * n, r * n + r + 1)), `row ${r}`).toEqual(Array.from(alone));
      }
    });

    it('softmax keeps NaN and Inf as float64 does, and writes in place', () => {
      const x = new Float32Array([1, NaN, 2, 3, Infinity, 0, -Infinity, -Infinity, -Infinity]);
      const y = kernels.softmax(x, 3, 3, { out: x });
      expect(y).toBe(x);
      expect(Array.from(y.subarray(0, 6)).every(Number.isNaN)).toBe(true); // a NaN or an Inf poisons its row
      expect(Array.from(y.subarray(6)).every(Number.isNaN)).toBe(true); // exp(-Inf - -Inf), as Math.exp gives
    });

    it('rmsNorm rows are within 3e-7 (relative) of float64, alone or in a batch, in place too', () => {
      const random = seededRandom(14);
      for (const [rows, n] of [
        [1, 1],
        [3, 7],
        [33, 64],
        [5, 770],
        [0, 4],
        [2, 0],
      ] as const) {
        const x = normal(random, rows * n, 3);
        const gamma = normal(random, n);
        const eps = 1e-5;
        const y = kernels.rmsNorm(x, gamma, rows, eps);
        let worst = 0;
        for (let r = 0; r < rows; r++) {
          let ss = 0;
          for (let j = 0; j < n; j++) ss += (x[r * n + j] as number) ** 2;
          const inv = 1 / Math.sqrt(ss / n + eps);
          for (let j = 0; j < n; j++) {
            const e = (gamma[j] as number) * (x[r * n + j] as number) * inv;
            const bound = Math.abs(e) + 1e-30;
            worst = Math.max(worst, Math.abs((y[r * n + j] as number) - e) / bound);
          }
          const alone = kernels.rmsNorm(x.subarray(r * n, (r + 1) * n), gamma, 1, eps);
          expect(Array.from(alone), `row ${r} alone`).toEqual(Array.from(y.subarray(r * n, (r + 1) * n)));
        }
        console.log(`${variant}: rmsNorm ${rows}x${n} max relative error ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(3e-7); // measured 2.1e-7 (float32 sum of squares over 770 columns)
        const inPlace = x.slice();
        expect(Array.from(kernels.rmsNorm(inPlace, gamma, rows, eps, { out: inPlace }))).toEqual(Array.from(y));
      }
      const nan = kernels.rmsNorm(new Float32Array([1, NaN, 2, 3]), new Float32Array([1, 1]), 2, 1e-5);
      expect([Number.isNaN(nan[0]), Number.isNaN(nan[1]), Number.isNaN(nan[2])]).toEqual([true, true, false]);
    });

    it('add and mul give the bits of a float32 store of the JS sum and product, special values included', () => {
      const random = seededRandom(15);
      const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-38, 3.4e38, -3.4e38, 1];
      const a = new Float32Array([...normal(random, 10_001, 1e3), ...specials, ...specials]);
      const b = new Float32Array([...normal(random, 10_001, 1e-3), ...specials, ...specials.reverse()]);
      for (const [name, f, js] of [
        ['add', (x: Float32Array, y: Float32Array) => kernels.add(x, y), (x: number, y: number) => x + y],
        ['mul', (x: Float32Array, y: Float32Array) => kernels.mul(x, y), (x: number, y: number) => x * y],
      ] as const) {
        const out = f(a, b);
        const expected = Float32Array.from(a, (v, i) => js(v, b[i] as number));
        for (let i = 0; i < a.length; i++) {
          expect(Object.is(out[i], expected[i]), `${name} ${a[i]}, ${b[i]}: ${out[i]} vs ${expected[i]}`).toBe(true);
        }
      }
      // in place, as a residual addition writes it
      const x = a.slice();
      expect(kernels.add(x, b, { out: x })).toBe(x);
      expect(Array.from(x)).toEqual(Array.from(kernels.add(a, b)));
    });

    it('reject bad arguments with errors that name them', () => {
      const x = new Float32Array(6);
      expect(() => kernels.silu([1, 2] as never)).toThrow(InvalidArgumentError);
      expect(() => kernels.silu(x, { out: new Float32Array(5) })).toThrow(/out must have 6 elements/);
      expect(() => kernels.softmax(x, 2, 4)).toThrow(/x must have 8 elements \(rows, n\) = \(2, 4\), got 6/);
      expect(() => kernels.softmax(x, 2, 3, { causalOffset: -1 })).toThrow(/options.causalOffset must be an integer/);
      expect(() => kernels.softmax(x, 2.5, 3)).toThrow(/rows must be an integer/);
      expect(() => kernels.rmsNorm(x, new Float32Array(4), 2, 1e-5)).toThrow(/x must have 8 elements/);
      expect(() => kernels.add(x, new Float32Array(5))).toThrow(/b must have 6 elements \(n, like a\), got 5/);
      expect(() => kernels.mul(x, null as never)).toThrow(/b must be a Float32Array/);
      expect(() => kernels.rmsNorm(x, new Float32Array(3), 2, NaN)).toThrow(/eps must be a finite number/);
      expect(() => kernels.rmsNorm(x, new Float32Array(3), 2, -1)).toThrow(/eps must be at least 0, got -1/);
    });
  });
}

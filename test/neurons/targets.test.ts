import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  TARGETS,
  TARGET_NAMES,
  erf,
  gelu,
  geluTanh,
  sigmoid,
  silu,
  targetByName,
  type TargetName,
} from '../../src/neurons/targets.js';

// Independent float64 references for erf, slow but accurate, sharing nothing with the rational
// approximations under test:
// - |x| < 0.5: the all-positive series erf(x) = 2/sqrt(pi) e^-x^2 sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)),
//   which has no cancellation (error about 3e-16 against 200-bit values here);
// - |x| >= 0.5: 1 - erfc(x) with Laplace's continued fraction
//   erfc(x) = e^-x^2 / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / ...)))),
//   evaluated bottom-up from a depth of max(50, 1000 / x^2) terms (error about 2e-16 here).

const SQRT_PI = Math.sqrt(Math.PI);

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** The continued fraction's denominator: erfc(x) = e^-x^2 / (sqrt(pi) * erfcDenominator(x)), x >= 0.5. */
function erfcDenominator(x: number): number {
  let t = x;
  for (let k = Math.max(50, Math.ceil(1000 / (x * x))); k >= 1; k--) t = x + k / 2 / t;
  return t;
}

function erfcReference(x: number): number {
  return Math.exp(-x * x) / (SQRT_PI * erfcDenominator(x));
}

function erfReference(x: number): number {
  const y = Math.abs(x);
  if (y < 0.5) return erfSeries(x);
  const r = 1 - erfcReference(y);
  return x < 0 ? -r : r;
}

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** The next float64 above x (x finite, positive). */
function nextUp(x: number): number {
  const bits = new BigUint64Array(new Float64Array([x]).buffer);
  bits[0] = bits[0]! + 1n;
  return new Float64Array(bits.buffer)[0]!;
}

function maxAbsError(f: (x: number) => number, ref: (x: number) => number, xs: readonly number[]): number {
  let worst = 0;
  for (const x of xs) worst = Math.max(worst, Math.abs(f(x) - ref(x)));
  return worst;
}

function relError(got: number, want: number): number {
  return Math.abs(got - want) / Math.abs(want);
}

describe('erf', () => {
  it('matches published values to the last bit or two', () => {
    // erf to 25 digits (Abramowitz & Stegun table 7.1 gives the leading 15), rounded to float64.
    const published: [number, number][] = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [5, 0.9999999999984626],
    ];
    for (const [x, want] of published) {
      expect(Math.abs(erf(x) - want)).toBeLessThanOrEqual(2.3e-16);
      expect(Math.abs(erf(-x) + want)).toBeLessThanOrEqual(2.3e-16);
    }
  });

  it('has the references themselves right: they agree with each other and with erfc values', () => {
    // The two references overlap on [0.5, 1]; erfc(x) for larger x checks the continued fraction alone.
    for (const x of grid(0.5, 1, 101)) expect(Math.abs(erfSeries(x) - (1 - erfcReference(x)))).toBeLessThan(1e-15);
    expect(relError(erfcReference(3), 2.209049699858544e-5)).toBeLessThan(1e-14);
    expect(relError(erfcReference(5), 1.537459794428035e-12)).toBeLessThan(1e-14);
    expect(relError(erfcReference(10), 2.088487583762545e-45)).toBeLessThan(1e-14);
  });

  it('is within 1e-15 absolute of the reference on a dense grid and across its interval boundaries', () => {
    const xs = grid(-7, 7, 14_001);
    for (const b of [0.46875, 4, 6]) {
      let x = b * (1 - 64 * Number.EPSILON);
      for (let k = 0; k < 200; k++, x = nextUp(x)) xs.push(x, -x);
    }
    for (let e = -300; e <= 0; e += 3) xs.push(10 ** e, -(10 ** e));
    const worst = maxAbsError(erf, erfReference, xs);
    expect(worst).toBeLessThan(1e-15);
  });

  it('is odd, exactly', () => {
    for (const x of [...grid(0, 7, 7001), 1e-300, 0.46875, 4, 6, 1e300]) expect(erf(-x)).toBe(-erf(x));
  });

  it('handles zeros, infinities, NaN, tiny and huge arguments', () => {
    expect(erf(0)).toBe(0);
    expect(erf(-0)).toBe(-0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    expect(erf(1e300)).toBe(1);
    expect(erf(-Number.MAX_VALUE)).toBe(-1);
    expect(erf(27)).toBe(1);
    // Near 0, erf(x) = 2x / sqrt(pi); subnormals must not flush to 0 or lose their sign.
    expect(relError(erf(1e-200), 1.1283791670955125e-200)).toBeLessThan(1e-15);
    expect(erf(Number.MIN_VALUE)).toBeGreaterThan(0);
    expect(erf(-Number.MIN_VALUE)).toBeLessThan(0);
  });

  it('is non-decreasing, and bounded by 1 in magnitude', () => {
    // On a grid whose step moves the true value by more than the error: in order, no exceptions.
    let decreases = 0;
    let beyondOne = 0;
    let prev = -Infinity;
    for (const x of grid(-8, 8, 16_001)) {
      const v = erf(x);
      if (v < prev) decreases++;
      if (Math.abs(v) > 1) beyondOne++;
      prev = v;
    }
    expect([decreases, beyondOne]).toEqual([0, 0]);
    // Ulp by ulp across the interval boundaries: never back by more than 2^-52 (below that, any function
    // that is not correctly rounded wobbles; Cody's intervals meet without a visible step).
    for (const b of [0.46875, 4, 6]) {
      let x = b * (1 - 1024 * Number.EPSILON);
      let last = erf(x);
      let worstStepBack = 0;
      for (let k = 0; k < 4096; k++) {
        x = nextUp(x);
        const v = erf(x);
        worstStepBack = Math.max(worstStepBack, last - v);
        last = v;
      }
      expect(worstStepBack).toBeLessThanOrEqual(Number.EPSILON);
      expect(erf(b * (1 + 1e-9))).toBeGreaterThanOrEqual(erf(b * (1 - 1e-9)));
    }
  });
});

describe('activations', () => {
  // 200-bit values (mpmath), rounded to float64.
  it('gelu (erf form) at known points, tail included', () => {
    const known: [number, number][] = [
      [-3, -0.0040496940948902835],
      [-1, -0.15865525393145705],
      [-0.5, -0.15426876936299344],
      [0.5, 0.34573123063700656],
      [1, 0.8413447460685429],
      [2, 1.9544997361036416],
      [3, 2.99595030590511],
    ];
    for (const [x, want] of known) expect(relError(gelu(x), want)).toBeLessThan(1e-15);
    expect(gelu(0)).toBe(0);
    // Far out the value is x * erfc(|x| / sqrt 2) / 2, not 1 + erf with its total cancellation.
    expect(relError(gelu(-5), -1.4332578593959695e-6)).toBeLessThan(1e-14);
    expect(relError(gelu(-10), -7.619853024160526e-23)).toBeLessThan(1e-14);
    expect(relError(gelu(-20), -5.507248237212468e-88)).toBeLessThan(1e-14);
    expect(relError(gelu(-30), -1.472014178144456e-196)).toBeLessThan(1e-14);
    // The same from the continued fraction, where x^2 / 2 is exact so the reference keeps its accuracy.
    for (const x of [-6, -8, -12, -16, -24, -36]) {
      const want = (0.5 * x * Math.exp((-x * x) / 2)) / (SQRT_PI * erfcDenominator(-x * Math.SQRT1_2));
      expect(relError(gelu(x), want)).toBeLessThan(1e-14);
    }
  });

  it('gelu_tanh (GPT-2 gelu_new) at known points', () => {
    const known: [number, number][] = [
      [-5, -2.291796196629506e-7],
      [-3, -0.003637392081773019],
      [-1, -0.1588080093917233],
      [-0.5, -0.15428599017485609],
      [0.5, 0.34571400982514394],
      [1, 0.8411919906082767],
      [2, 1.954597694087775],
      [3, 2.996362607918227],
    ];
    for (const [x, want] of known) expect(relError(geluTanh(x), want)).toBeLessThan(1e-14);
    expect(relError(geluTanh(-10), -1.204092348209806e-37)).toBeLessThan(1e-12);
    // The same expression PyTorch and GPT-2 write, away from the tail where it cancels.
    for (const x of grid(-3, 3, 61)) {
      const literal = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      expect(Math.abs(geluTanh(x) - literal)).toBeLessThan(1e-15);
    }
  });

  it('gelu and gelu_tanh stay within 1e-3 of each other on [-5, 5]', () => {
    const worst = maxAbsError(gelu, geluTanh, grid(-5, 5, 10_001));
    expect(worst).toBeLessThan(1e-3);
    expect(worst).toBeGreaterThan(1e-4); // they are different functions
  });

  it('sigmoid and silu at known points, and no overflow at large |x|', () => {
    const known: [number, number, number][] = [
      [-10, 4.5397868702434395e-5, -0.00045397868702434395],
      [-3, 0.04742587317756678, -0.14227761953270035],
      [-1, 0.2689414213699951, -0.2689414213699951],
      [0.5, 0.6224593312018546, 0.3112296656009273],
      [2, 0.8807970779778824, 1.7615941559557649],
      [3, 0.9525741268224333, 2.8577223804672998],
    ];
    for (const [x, s, sw] of known) {
      expect(relError(sigmoid(x), s)).toBeLessThan(1e-15);
      expect(relError(silu(x), sw)).toBeLessThan(1e-15);
    }
    expect(sigmoid(0)).toBe(0.5);
    expect(relError(sigmoid(-40), 4.248354255291589e-18)).toBeLessThan(1e-14);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-Infinity)).toBe(0);
    expect(sigmoid(Infinity)).toBe(1);
    expect(silu(-800)).toBe(-0);
    expect(silu(800)).toBe(800);
    for (const x of grid(-50, 50, 1001)) expect(Math.abs(sigmoid(x) + sigmoid(-x) - 1)).toBeLessThan(4.5e-16);
  });

  it('the gated activations give the limits at +-Inf and keep NaN', () => {
    for (const f of [gelu, geluTanh, silu]) {
      expect(f(Infinity)).toBe(Infinity);
      expect(f(-Infinity)).toBe(-0);
      expect(f(-1e300)).toBe(-0);
      expect(f(1e300)).toBe(1e300);
      expect(f(NaN)).toBeNaN();
    }
    expect(sigmoid(NaN)).toBeNaN();
  });
});

describe('TARGETS', () => {
  const f = (name: TargetName): ((x: number) => number) => TARGETS[name].f;

  it('holds every target under its own name, in TARGET_NAMES order', () => {
    expect(Object.keys(TARGETS)).toEqual([...TARGET_NAMES]);
    expect(new Set(TARGET_NAMES).size).toBe(10);
    for (const name of TARGET_NAMES) {
      expect(TARGETS[name].name).toBe(name);
      expect(TARGETS[name].description.length).toBeGreaterThan(5);
    }
    expect(Object.isFrozen(TARGETS)).toBe(true);
    expect(Object.isFrozen(TARGETS.gelu)).toBe(true);
    expect(Object.isFrozen(TARGETS.gelu.defaultDomain)).toBe(true);
  });

  it('has the documented default domains, basis counts and parity', () => {
    const expected: Record<TargetName, [number, number, number, boolean]> = {
      gelu: [-120, 10, 4, false],
      gelu_tanh: [-120, 10, 4, false],
      silu: [-8, 8, 4, false],
      tanh: [-6, 6, 4, true],
      sigmoid: [-12, 12, 4, false],
      relu: [-10, 10, 4, false],
      exp2: [0, 1, 8, false],
      reciprocal: [0.5, 1, 8, false],
      rsqrt: [0.5, 2, 8, false],
      identity: [-1, 1, 1, true],
    };
    for (const name of TARGET_NAMES) {
      const t = TARGETS[name];
      expect([...t.defaultDomain, t.defaultN, t.odd]).toEqual(expected[name]);
    }
  });

  it('has valid domains: finite, lo < hi, f finite on them; odd targets symmetric and odd', () => {
    for (const name of TARGET_NAMES) {
      const { defaultDomain: domain, defaultN, odd } = TARGETS[name];
      const [lo, hi] = domain;
      expect(domain).toHaveLength(2);
      expect(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi).toBe(true);
      expect(Number.isInteger(defaultN) && defaultN >= 1).toBe(true);
      for (const x of grid(lo, hi, 1001)) expect(Number.isFinite(f(name)(x))).toBe(true);
      if (odd) {
        expect(lo).toBe(-hi);
        for (const x of grid(0, hi, 501)) expect(f(name)(-x)).toBe(-f(name)(x));
      }
    }
  });

  it('computes each function at known points', () => {
    expect(f('gelu')(1)).toBe(gelu(1));
    expect(f('gelu_tanh')(1)).toBe(geluTanh(1));
    expect(f('silu')(-1)).toBe(silu(-1));
    expect(f('sigmoid')(2)).toBe(sigmoid(2));
    expect(relError(f('tanh')(0.5), 0.46211715726000974)).toBeLessThan(1e-15);
    expect(f('tanh')(-0.5)).toBe(-f('tanh')(0.5));
    expect(f('relu')(-3)).toBe(0);
    expect(f('relu')(2.5)).toBe(2.5);
    expect(f('relu')(-0)).toBe(0);
    expect(f('relu')(NaN)).toBeNaN();
    expect(f('exp2')(0)).toBe(1);
    expect(f('exp2')(1)).toBe(2);
    expect(relError(f('exp2')(0.5), Math.SQRT2)).toBeLessThan(2.3e-16);
    expect(f('reciprocal')(0.5)).toBe(2);
    expect(f('reciprocal')(0.8)).toBe(1.25);
    expect(relError(f('rsqrt')(0.5), Math.SQRT2)).toBeLessThan(2.3e-16);
    expect(relError(f('rsqrt')(2), Math.SQRT1_2)).toBeLessThan(2.3e-16);
    expect(f('rsqrt')(1)).toBe(1);
    expect(f('identity')(-0.375)).toBe(-0.375);
  });
});

describe('targetByName', () => {
  it('returns the record for every valid name', () => {
    for (const name of TARGET_NAMES) expect(targetByName(name)).toBe(TARGETS[name]);
  });

  it('throws InvalidArgumentError listing the valid names', () => {
    for (const bad of ['GELU', 'gelu ', '', 'swish', 'toString', '__proto__', 'constructor']) {
      expect(() => targetByName(bad)).toThrow(InvalidArgumentError);
    }
    try {
      targetByName('swish');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidArgumentError);
      const message = (e as InvalidArgumentError).message;
      expect(message).toContain('"swish"');
      for (const name of TARGET_NAMES) expect(message).toContain(name);
      expect((e as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

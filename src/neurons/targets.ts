// The target functions MBE neurons are fitted to (ALGORITHM.md sections 1-2), in float64, with the domain and
// basis count each shipped neuron uses by default. Also the float reference for the activations themselves,
// so erf, GELU, SiLU and sigmoid are written to be accurate everywhere (tails included) and cheap per call.
import { InvalidArgumentError } from '../errors.js';

export type TargetName =
  'gelu' | 'gelu_tanh' | 'silu' | 'tanh' | 'sigmoid' | 'relu' | 'exp2' | 'reciprocal' | 'rsqrt' | 'identity';

export interface TargetFunction {
  readonly name: TargetName;
  readonly description: string;
  /** The function itself, float64. */
  readonly f: (x: number) => number;
  /** [a, b] the shipped neuron is fitted on. */
  readonly defaultDomain: readonly [number, number];
  /** Bases N used for it by default. */
  readonly defaultN: number;
  /**
   * f(-x) = -f(x) on a default domain symmetric about 0, so a neuron may use sign-magnitude
   * (sgn(x) * MBE(|x|)). 1/x is odd too, but its domain [0.5, 1] has no negative side, so it is false there.
   */
  readonly odd: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// erf: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631-638, with the double-precision coefficients of his SPECFUN routine CALERF (Argonne, 1990). Three
// intervals of |x|:
//   [0, 0.46875]  erf(x)  = x * R1(x^2)                                        degree 4/4
//   (0.46875, 4]  erfc(x) = exp(-x^2) * R2(x)                                  degree 8/8
//   (4, inf)      erfc(x) = exp(-x^2) / x * (1/sqrt(pi) - z * R3(z)), z = 1/x^2, degree 5/5
// Cody states at least 18 significant digits for each rational function, so float64 rounding dominates.
// Coefficients are listed highest degree first, each as the shortest decimal of the float64 nearest Cody's
// 18-digit value. Unlike CALERF, erf takes exp(-x^2) in one call: the rounding of x^2 costs x^2 * 2^-53
// relative on erfc(x), and x^2 erfc(x) < 0.17, so under 2^-55 absolute on erf.
// ---------------------------------------------------------------------------------------------------------

const ERF_SMALL = 0.46875;
const ERFC_MID = 4;
// erfc(5.93) < 2^-54: from here on 1 - erfc(x) rounds to 1 exactly, so skip the exp.
const ERF_ONE = 6;
const INV_SQRT_PI = 0.5641895835477563;

/** erf(x) for |x| <= 0.46875; keeps the sign of zero. */
function erfSmall(x: number): number {
  const z = x * x;
  const num =
    (((0.18577770618460315 * z + 3.1611237438705655) * z + 113.86415415105016) * z + 377.485237685302) * z +
    3209.3775891384694;
  const den = (((z + 23.601290952344122) * z + 244.02463793444417) * z + 1282.6165260773723) * z + 2844.236833439171;
  return (x * num) / den;
}

/** exp(y^2) * erfc(y) for 0.46875 < y <= 4. */
function erfcxMid(y: number): number {
  const num =
    (((((((2.1531153547440383e-8 * y + 0.5641884969886701) * y + 8.883149794388377) * y + 66.11919063714163) * y +
      298.6351381974001) *
      y +
      881.952221241769) *
      y +
      1712.0476126340707) *
      y +
      2051.0783778260716) *
      y +
    1230.3393547979972;
  const den =
    (((((((y + 15.744926110709835) * y + 117.6939508913125) * y + 537.1811018620099) * y + 1621.3895745666903) * y +
      3290.7992357334597) *
      y +
      4362.619090143247) *
      y +
      3439.3676741437216) *
      y +
    1230.3393548037495;
  return num / den;
}

/** exp(y^2) * erfc(y) for y > 4 (NaN stays NaN). */
function erfcxLarge(y: number): number {
  const z = 1 / (y * y);
  const num =
    ((((0.016315387137302097 * z + 0.30532663496123236) * z + 0.36034489994980445) * z + 0.12578172611122926) * z +
      0.016083785148742275) *
      z +
    0.0006587491615298378;
  const den =
    ((((z + 2.568520192289822) * z + 1.8729528499234604) * z + 0.5279051029514285) * z + 0.06051834131244132) * z +
    0.0023352049762686918;
  return (INV_SQRT_PI - (z * num) / den) / y;
}

/** The error function, within 2^-52 absolute for every x (measured); +-Inf gives +-1, -0 gives -0, NaN NaN. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= ERF_SMALL) return erfSmall(x);
  if (y >= ERF_ONE) return x > 0 ? 1 : -1;
  // NaN fails both tests above and propagates through erfcxLarge.
  const r = 1 - Math.exp(-y * y) * (y <= ERFC_MID ? erfcxMid(y) : erfcxLarge(y));
  return x < 0 ? -r : r;
}

/**
 * exp(-x^2 / 2) to about an ulp, for |x| <= 40 (where gelu uses it). x^2 is split exactly into s + e (Veltkamp
 * split, Dekker product), so its rounding, which would cost x^2 / 2 * 2^-53 relative, does not reach the
 * result; exp(-e / 2) = 1 - e / 2 to within e^2.
 */
function expNegHalfSquare(x: number): number {
  const s = x * x;
  const c = 134217729 * x; // 2^27 + 1
  const hi = c - (c - x);
  const lo = x - hi;
  const e = hi * hi - s + 2 * hi * lo + lo * lo;
  return Math.exp(-0.5 * s) * (1 - 0.5 * e);
}

// ---------------------------------------------------------------------------------------------------------
// Activations. On the negative side each is x times a gate that underflows to 0; they are written so the
// gate is computed without cancellation (relative accuracy in the tail) and without overflow, and so that
// x = -Inf gives -0 (the limit) instead of -Inf * 0 = NaN.
// ---------------------------------------------------------------------------------------------------------

/** GELU, exact erf form: x * Phi(x) = x * (1 + erf(x / sqrt 2)) / 2. */
export function gelu(x: number): number {
  if (x >= 0) return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
  // exp(-x^2 / 2) underflows below -38.6: the result is -0 from there on, and -Inf must not reach the split.
  if (x < -40) return -0;
  // For x < 0, 1 + erf(x / sqrt 2) = erfc(y), y = -x / sqrt 2 > 0; computed as erfc, not 1 - erf, and with
  // exp(-y^2) = exp(-x^2 / 2) taken from x itself (y is rounded), so the tail keeps a few ulp relative accuracy.
  const y = -x * Math.SQRT1_2;
  if (y <= ERF_SMALL) return 0.5 * x * (1 - erfSmall(y));
  // NaN reaches this line and stays NaN.
  return 0.5 * x * expNegHalfSquare(x) * (y <= ERFC_MID ? erfcxMid(y) : erfcxLarge(y));
}

/** The logistic function 1 / (1 + e^-x); exp only ever sees a non-positive argument, so it cannot overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh form (GPT-2's gelu_new): x * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2, evaluated through the
 * identity (1 + tanh u) / 2 = sigmoid(2u), which has no cancellation for large negative u.
 */
export function geluTanh(x: number): number {
  if (x === -Infinity) return -0;
  return x * sigmoid(2 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
}

/** SiLU (swish): x * sigmoid(x). */
export function silu(x: number): number {
  if (x === -Infinity) return -0;
  return x * sigmoid(x);
}

function relu(x: number): number {
  return Math.max(x, 0); // NaN stays NaN, -0 becomes 0
}

function exp2(x: number): number {
  return 2 ** x;
}

function reciprocal(x: number): number {
  return 1 / x;
}

function rsqrt(x: number): number {
  return 1 / Math.sqrt(x);
}

function identity(x: number): number {
  return x;
}

function target(
  name: TargetName,
  description: string,
  f: (x: number) => number,
  defaultDomain: readonly [number, number],
  defaultN: number,
  odd = false,
): TargetFunction {
  return Object.freeze({ name, description, f, defaultDomain: Object.freeze(defaultDomain), defaultN, odd });
}

/**
 * Every target by name. Domains follow ALGORITHM.md: GELU on the paper's (-120, 10); SiLU on (-8, 8), since
 * a wider domain costs resolution where inputs concentrate; the operator mantissas (2^x on [0, 1], 1/x on
 * [0.5, 1], 1/sqrt(x) on [0.5, 2]) use N = 8 as in the paper's appendix.
 */
export const TARGETS: Readonly<Record<TargetName, TargetFunction>> = Object.freeze({
  gelu: target('gelu', 'GELU, exact erf form: x * (1 + erf(x / sqrt 2)) / 2', gelu, [-120, 10], 4),
  gelu_tanh: target(
    'gelu_tanh',
    "GELU, tanh form (GPT-2's gelu_new): x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) / 2",
    geluTanh,
    [-120, 10],
    4,
  ),
  silu: target('silu', 'SiLU (swish): x * sigmoid(x) = x / (1 + exp(-x))', silu, [-8, 8], 4),
  tanh: target('tanh', 'hyperbolic tangent: tanh(x)', Math.tanh, [-6, 6], 4, true),
  sigmoid: target('sigmoid', 'logistic sigmoid: 1 / (1 + exp(-x))', sigmoid, [-12, 12], 4),
  relu: target('relu', 'ReLU: max(x, 0)', relu, [-10, 10], 4),
  exp2: target('exp2', '2^x on the fractional part of x * log2(e), for exp', exp2, [0, 1], 8),
  reciprocal: target('reciprocal', '1 / x on the frexp mantissa in [0.5, 1), for softmax', reciprocal, [0.5, 1], 8),
  rsqrt: target('rsqrt', '1 / sqrt(x) on the even-exponent mantissa in [0.5, 2), for norms', rsqrt, [0.5, 2], 8),
  identity: target('identity', 'identity x: the fixed binary code Q(x), not fitted', identity, [-1, 1], 1, true),
});

export const TARGET_NAMES: readonly TargetName[] = Object.freeze(Object.keys(TARGETS) as TargetName[]);

/** The target called `name`; throws InvalidArgumentError listing the valid names. */
export function targetByName(name: string): TargetFunction {
  // hasOwn, not `in`: 'toString' or '__proto__' must not resolve to something on the prototype.
  if (!Object.hasOwn(TARGETS, name)) {
    throw new InvalidArgumentError(
      `unknown target function ${JSON.stringify(name)}; expected one of ${TARGET_NAMES.join(', ')}`,
    );
  }
  return TARGETS[name as TargetName];
}

// Seeded sample sets for fitting and for held-out evaluation.
import { gaussian, seededRandom } from '../../random.js';

export interface SampleSet {
  /** (M) inputs */
  readonly x: Float64Array;
  /** (M) f(x) */
  readonly f: Float64Array;
}

/** Extra samples where real inputs concentrate: a normal of this scale around 0, kept inside the domain. */
export interface NearZeroSamples {
  readonly count: number;
  readonly scale: number;
}

/** `count` uniform samples on [a, b], plus optional samples near 0, with their targets. */
export function trainingSamples(
  f: (x: number) => number,
  domain: readonly [number, number],
  count: number,
  seed: number,
  nearZero?: NearZeroSamples,
): SampleSet {
  const [a, b] = domain;
  const random = seededRandom(seed);
  const extra = nearZero && a < 0 && b > 0 ? nearZero.count : 0;
  const x = new Float64Array(count + extra);
  for (let i = 0; i < count; i++) x[i] = a + (b - a) * random();
  for (let i = 0; i < extra; i++)
    x[count + i] = Math.min(b, Math.max(a, (nearZero as NearZeroSamples).scale * gaussian(random)));
  return { x, f: x.map(f) };
}

/** `count` uniform samples on [a, b] as float32 (what the kernel sees), for held-out errors. */
export function heldOutInputs(domain: readonly [number, number], count: number, seed: number): Float32Array {
  const [a, b] = domain;
  const random = seededRandom(seed);
  const x = new Float32Array(count);
  for (let i = 0; i < count; i++) x[i] = a + (b - a) * random();
  return x;
}

/** Where a neuron's real inputs are: values and their weights (e.g. a calibrated histogram's bins and counts). */
export interface InputDistribution {
  /** (K) values */
  readonly x: ArrayLike<number>;
  /** (K) non-negative weights, not all 0 */
  readonly weight: ArrayLike<number>;
}

/**
 * `count` samples drawn from a distribution (by inverse CDF, seeded), each spread over +-1/64 of its value (a
 * histogram bin's relative width), folded to |x| for sign-magnitude fits and clamped into `domain`.
 */
export function distributionSamples(
  distribution: InputDistribution,
  domain: readonly [number, number],
  count: number,
  seed: number,
  fold: boolean,
): Float64Array {
  const { x: values, weight } = distribution;
  const cdf = new Float64Array(weight.length); // (K) running sums of the weights
  let total = 0;
  for (let k = 0; k < weight.length; k++) cdf[k] = total += weight[k] as number;
  const random = seededRandom(seed);
  const [a, b] = domain;
  const x = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = random() * total;
    let [lo, hi] = [0, cdf.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    const v = (values[lo] as number) * (1 + (random() - 0.5) / 32);
    x[i] = Math.min(b, Math.max(a, fold ? Math.abs(v) : v));
  }
  return x;
}

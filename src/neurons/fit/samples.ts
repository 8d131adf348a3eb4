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

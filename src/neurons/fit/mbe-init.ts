// The MBE fit's initialisation (ALGORITHM.md "Fitting"): where the optimiser starts. A polarity split around
// the shift, amplitudes from each side's span (or from where f bends), decay rates spread around the binary
// halving code ln 2, and which slots the mode lets the optimiser move; a non-zero seed jitters the start.
import { gaussian, seededRandom } from '../../random.js';
import { SLOTS, type Layout, type MbeForm } from './mbe-params.js';

export interface MbeInitSettings extends MbeForm {
  readonly domain: readonly [number, number];
  /** Initialisation seed: 0 is the deterministic spread, others jitter it. */
  readonly seed: number;
}

/** ln 2 times these spread the bases' decay rates around the binary halving code. */
const SPREAD = [1, 0.75, 1.25, 0.5, 1.5, 0.625, 1.375, 0.875];

/** The fitting domain after sign-magnitude folding. */
export function effectiveDomain(domain: readonly [number, number], signMagnitude: boolean): [number, number] {
  return signMagnitude ? [0, Math.max(Math.abs(domain[0]), Math.abs(domain[1]))] : [domain[0], domain[1]];
}

/** Initial parameters: polarity split around the shift, amplitudes from each side's span, spread decays. */
export function initialLayout(settings: MbeInitSettings, f: (x: number) => number): Layout {
  const { N, mode, seed } = settings;
  const [a, b] = effectiveDomain(settings.domain, settings.signMagnitude);
  const random = seededRandom(0x5eed + seed);
  const jitter = (scale: number) => (seed === 0 ? 0 : scale * gaussian(random));
  const polarity = new Float64Array(N);
  const shift = new Float64Array(N);
  const theta = new Float64Array(N * SLOTS);
  const learned = new Uint8Array(N * SLOTS);
  // The shift is where the domain crosses 0, or its nearest end: each side's bases code distance from it.
  const c = mode === 'paper' ? 0 : a > 0 ? a : b < 0 ? b : 0;
  const positive = mode === 'paper' || c === a ? N : c === b ? 0 : Math.ceil(N / 2);
  let maxAbsF = 0;
  for (let i = 0; i <= 1000; i++) maxAbsF = Math.max(maxAbsF, Math.abs(f(a + ((b - a) * i) / 1000)));
  const spans = { positive: b - c, negative: c - a };
  const bends = { positive: curvatureSpan(f, c, b), negative: curvatureSpan(f, c, a) };
  for (let n = 0; n < N; n++) {
    const isPositive = n < positive;
    const k = isPositive ? n : n - positive; // rank within its side
    polarity[n] = isPositive ? 1 : -1;
    shift[n] = c;
    // The first basis of a side codes its whole span (linear parts need it); the others start on the
    // stretch where f bends, which is where the error concentrates (GELU's dip spans 5 of 120 units).
    const side = isPositive ? 'positive' : 'negative';
    const span = k === 0 ? spans[side] : bends[side];
    const alpha = mode === 'paper' ? maxAbsF || 1 : Math.max(span, 1e-6) / 2;
    const lam = Math.LN2 * (SPREAD[k % SPREAD.length] as number);
    const slot = n * SLOTS;
    theta[slot] = Math.log(alpha) + jitter(0.1);
    theta[slot + 1] = Math.log(alpha) + jitter(0.1);
    theta[slot + 2] = Math.log(lam) + jitter(0.15);
    theta[slot + 3] = Math.log(lam) + jitter(0.15);
    theta[slot + 4] = Math.log(lam) + jitter(0.15);
    const learnAmplitudes = mode !== 'paper';
    const learnDecays = mode !== 'no-decay';
    learned[slot] = learned[slot + 1] = learnAmplitudes ? 1 : 0;
    learned[slot + 2] = learned[slot + 3] = learned[slot + 4] = learnDecays ? 1 : 0;
  }
  return { polarity, shift, theta, learned };
}

/**
 * Distance from `from` towards `to` that holds 99% of |f''| (second differences on a grid): where f bends.
 * A side on which f is straight gets its full length.
 */
function curvatureSpan(f: (x: number) => number, from: number, to: number): number {
  const length = Math.abs(to - from);
  if (length === 0) return 0;
  const steps = 2000;
  const h = (to - from) / steps;
  const bend = new Float64Array(steps);
  let total = 0;
  for (let i = 1; i < steps; i++) {
    const x = from + i * h;
    const value = Math.abs(f(x + h) - 2 * f(x) + f(x - h));
    bend[i] = Number.isFinite(value) ? value : 0;
    total += bend[i] as number;
  }
  if (!(total > 0)) return length;
  let sum = 0;
  for (let i = 1; i < steps; i++) {
    sum += bend[i] as number;
    if (sum >= 0.99 * total) return Math.max((i + 1) * Math.abs(h), length / 256);
  }
  return length;
}

// Ranges for identity codes and domains for activation neurons, from calibrated operand ranges.
import type { MagnitudeHistogram } from '../histogram.js';

/** How the identity code rounds a magnitude to its grid of alpha 2^-T steps. */
export type IdentityRounding = 'nearest' | 'floor';

/**
 * How a static identity range is chosen from calibration: `power-of-two`, the smallest power of two at or above
 * the largest magnitude (the paper's rule); `max`, the largest magnitude itself as the code's top value; `mse`,
 * the range (at or below `max`) with the least squared coding error over the calibrated histogram.
 */
export type IdentityRangeRule = 'power-of-two' | 'max' | 'mse';

/** The identity code's range alpha: the smallest power of two at or above the largest magnitude. */
export function powerOfTwoRange(absMax: number): number {
  if (!(absMax > 0) || !Number.isFinite(absMax)) return 1;
  return 2 ** Math.ceil(Math.log2(absMax));
}

/** The range whose largest code, alpha (1 - 2^-T), is exactly absMax. */
export function maxRange(absMax: number, T: number): number {
  if (!(absMax > 0) || !Number.isFinite(absMax)) return 1;
  return absMax / (1 - 2 ** -T);
}

/** The magnitude above which the code saturates (its error exceeds the rounding step's). */
export function saturationLevel(alpha: number, T: number, rounding: IdentityRounding): number {
  const unit = alpha * 2 ** -T;
  return rounding === 'nearest' ? alpha - unit / 2 : alpha - unit;
}

/**
 * Mean squared coding error of |x| over a histogram, for range alpha: inside the range the rounding error of a
 * uniform step (unit^2 / 12 rounding to nearest, unit^2 / 3 flooring), below one step the value itself, above
 * the top code the distance to it. Each bin is taken at its midpoint (bins are 1/32 octave wide).
 */
export function codingError(
  histogram: MagnitudeHistogram,
  alpha: number,
  T: number,
  rounding: IdentityRounding,
): number {
  const unit = alpha * 2 ** -T;
  const top = alpha - unit;
  const saturates = saturationLevel(alpha, T, rounding);
  const zeroBelow = rounding === 'nearest' ? unit / 2 : unit;
  const inside = rounding === 'nearest' ? (unit * unit) / 12 : (unit * unit) / 3;
  let sum = 0;
  histogram.forEach((lo, hi, count) => {
    const m = (lo + hi) / 2;
    const e = m >= saturates ? (m - top) ** 2 : m < zeroBelow ? m * m : inside;
    sum += e * count;
  });
  return histogram.total > 0 ? sum / histogram.total : 0;
}

/** Candidate ranges per octave below the largest magnitude, and how many octaves down `mse` looks. */
const MSE_STEPS_PER_OCTAVE = 16;
const MSE_OCTAVES = 6;
const MSE_SLACK = 0.02;

/** The identity range of an operand by a rule, from its largest magnitude and (for `mse`) its histogram. */
export function identityRange(
  rule: IdentityRangeRule,
  absMax: number,
  T: number,
  rounding: IdentityRounding,
  histogram?: MagnitudeHistogram,
): number {
  if (rule === 'power-of-two') return powerOfTwoRange(absMax);
  const top = maxRange(absMax, T);
  if (rule === 'max' || !histogram || histogram.total === 0) return top;
  const candidates = Array.from({ length: MSE_STEPS_PER_OCTAVE * MSE_OCTAVES + 1 }, (_, j) => {
    const alpha = top * 2 ** (-j / MSE_STEPS_PER_OCTAVE);
    return { alpha, error: codingError(histogram, alpha, T, rounding) };
  });
  const least = Math.min(...candidates.map((c) => c.error));
  // The error is flat near its minimum: the widest range within MSE_SLACK of it, so that a calibration a rounding
  // away (another wasm build) picks the same range, and clipping is no deeper than it has to be.
  return (candidates.find((c) => c.error <= least * (1 + MSE_SLACK)) as { alpha: number }).alpha;
}

const LADDER = [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest value of the 1-1.25-1.5-2-2.5-3-4-5-6-8 ladder (times a power of ten) at or above v > 0. */
function roundUpNice(v: number): number {
  const decade = 10 ** Math.floor(Math.log10(v));
  for (const step of LADDER) if (step * decade >= v * (1 - 1e-12)) return step * decade;
  return 10 * decade;
}

/**
 * An activation neuron's domain: the calibrated [min, max] widened by `margin` of its width on each side
 * and rounded outwards to nice numbers, so sites with similar ranges share one fitted neuron. It always
 * contains 0 (where the polarity split sits) and is at least [-1, 1] wide.
 */
export function activationDomain(min: number, max: number, margin: number): [number, number] {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const pad = (hi - lo) * margin;
  const a = -roundUpNice(Math.max(-(lo - pad), 1));
  const b = roundUpNice(Math.max(hi + pad, 1));
  return [a, b];
}

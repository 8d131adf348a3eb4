// Ranges for identity codes and domains for activation neurons, from calibrated operand ranges.

/** The identity code's range alpha: the smallest power of two at or above the largest magnitude. */
export function powerOfTwoRange(absMax: number): number {
  if (!(absMax > 0) || !Number.isFinite(absMax)) return 1;
  return 2 ** Math.ceil(Math.log2(absMax));
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

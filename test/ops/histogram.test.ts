// The calibration histogram and the identity-range rules that read it: bins by sign and 1/32 octave, the coding
// error it estimates against the error measured on the values themselves, and each rule's range.
import { describe, expect, it } from 'vitest';
import { binLowerEdge, MagnitudeHistogram } from '../../src/ops/histogram.js';
import { codingError, identityRange, maxRange, saturationLevel } from '../../src/ops/spiking/ranges.js';
import { gaussian, seededRandom } from '../../src/random.js';

/** The identity code's value for |x| (rounded as asked, saturated at its top), sign carried. */
function code(x: number, alpha: number, T: number, rounding: 'nearest' | 'floor'): number {
  const unit = alpha * 2 ** -T;
  const k = Math.min(
    2 ** T - 1,
    rounding === 'nearest' ? Math.floor(Math.abs(x) / unit + 0.5) : Math.floor(Math.abs(x) / unit),
  );
  return Math.sign(x) * k * unit;
}

describe('the calibration histogram', () => {
  it('bins each value by sign and 1/32 octave of its magnitude, skipping non-finite values', () => {
    const h = new MagnitudeHistogram();
    h.record(Float32Array.of(1, 1.02, -1, 3, 0, -0, Infinity, NaN));
    expect(h.total).toBe(6);
    const bins: [number, number, number][] = [];
    h.forEach((lo, hi, count) => bins.push([lo, hi, count]));
    // 0 and -0 share the lowest bin; 1 and 1.02 share [1, 1 + 1/32); -1 joins them as a magnitude
    expect(bins).toEqual([
      [0, binLowerEdge(1), 2],
      [1, 1 + 1 / 32, 3],
      [3, 3 + 2 / 32, 1],
    ]);
    const { x, count } = h.points();
    expect(Array.from(count)).toEqual([1, 2, 1, 1, 1]);
    expect(Array.from(x).map((v) => Math.sign(v))).toEqual([1, 1, 1, -1, -1]); // +0, 1 & 1.02, 3, then -0, -1
    expect(x[1]).toBeCloseTo(1 + 1 / 64, 6);
  });

  it('estimates the coding error the values themselves give, for both roundings and several ranges', () => {
    const random = seededRandom(3);
    const values = Float32Array.from({ length: 20000 }, () => gaussian(random) * (random() < 0.01 ? 8 : 1));
    const h = new MagnitudeHistogram();
    h.record(values);
    const absMax = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let worst = 0;
    for (const rounding of ['nearest', 'floor'] as const) {
      for (const T of [4, 6, 8]) {
        for (const alpha of [absMax, absMax / 2, absMax / 8]) {
          let exact = 0;
          for (const v of values) exact += (v - code(v, alpha, T, rounding)) ** 2;
          exact /= values.length;
          const estimate = codingError(h, alpha, T, rounding);
          worst = Math.max(worst, Math.abs(estimate / exact - 1));
        }
      }
    }
    console.log(`histogram coding error vs exact: worst relative difference ${worst.toFixed(3)}`);
    expect(worst).toBeLessThan(0.15); // measured 0.134
  });

  it('chooses ranges by rule: the power of two, the top code at the largest magnitude, or the least error', () => {
    const random = seededRandom(4);
    const h = new MagnitudeHistogram();
    const values = Float32Array.from({ length: 20000 }, () => gaussian(random));
    values[0] = 40; // one outlier: clipping it costs less than coarse steps for everything else at T = 4
    h.record(values);
    expect(identityRange('power-of-two', 40, 4, 'nearest', h)).toBe(64);
    expect(identityRange('max', 40, 4, 'nearest', h)).toBe(maxRange(40, 4));
    expect(maxRange(40, 4) * (1 - 2 ** -4)).toBeCloseTo(40, 12);
    const mse = identityRange('mse', 40, 4, 'nearest', h);
    expect(mse).toBeLessThan(maxRange(40, 4) / 4);
    expect(codingError(h, mse, 4, 'nearest')).toBeLessThan(codingError(h, maxRange(40, 4), 4, 'nearest'));
    // at 16 bits the steps are fine everywhere, and clipping the outlier is what costs: the full range is kept
    expect(identityRange('mse', 40, 16, 'nearest', h)).toBe(maxRange(40, 16));
    expect(saturationLevel(8, 3, 'nearest')).toBe(7.5);
    expect(saturationLevel(8, 3, 'floor')).toBe(7);
  });
});

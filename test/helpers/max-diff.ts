// Holding outputs to measured tolerances, as llm.c's check_tensor does: the largest absolute difference is
// printed with its tolerance on every run, so the margin is in the log and a drift shows before it fails.
import { expect } from 'vitest';

/** max_i |got[i] - want[i]| over the elements of `want` (got may be longer); the lengths must cover want. */
export function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length, 'compared lengths').toBeGreaterThanOrEqual(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs((got[i] as number) - (want[i] as number));
    // NaN fails the comparison below instead of being skipped by Math.max
    worst = Number.isNaN(d) ? NaN : Math.max(worst, d);
    if (Number.isNaN(worst)) break;
  }
  return worst;
}

/** Logs `label: max |diff| 5.9e-6 (tolerance 1e-5)` and expects the difference within the tolerance. */
export function expectMaxDiff(label: string, diff: number, tolerance: number): void {
  console.log(`${label}: max |diff| ${diff.toExponential(1)} (tolerance ${tolerance.toExponential(0)})`);
  expect(diff, label).toBeLessThanOrEqual(tolerance);
}

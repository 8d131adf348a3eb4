// A histogram of an operand's values on log-spaced magnitude bins, by sign, recorded during calibration: each bin
// is the float32 exponent and top 5 mantissa bits of |x| (32 bins per octave), so recording needs no logarithm and
// the bins cover every finite float32. It is what distribution-aware choices (identity ranges, weighted errors)
// read instead of the min/max alone.

const MANTISSA_BITS_KEPT = 5;
const SHIFT = 23 - MANTISSA_BITS_KEPT;
/** Bins: 8 exponent bits and 5 mantissa bits; the last 32 (exponent 255) hold Inf/NaN and are never filled. */
export const HISTOGRAM_BINS = 1 << (8 + MANTISSA_BITS_KEPT);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The smallest magnitude of a bin (its lower edge). */
export function binLowerEdge(bin: number): number {
  u32[0] = bin << SHIFT;
  return f32[0] as number;
}

const upperEdge = (bin: number) => Math.min(binLowerEdge(bin + 1), 3.4028234663852886e38);

/** Bin edges and counts of a recorded histogram, with the values it saw. */
export class MagnitudeHistogram {
  /** (2, HISTOGRAM_BINS) elements per bin: x >= 0 (and +0), then x < 0 (and -0) */
  readonly counts = new Uint32Array(2 * HISTOGRAM_BINS);
  total = 0;

  record(values: ArrayLike<number>): void {
    const { counts } = this;
    for (let i = 0; i < values.length; i++) {
      f32[0] = values[i] as number;
      const bits = u32[0] as number;
      const bin = (bits & 0x7fffffff) >>> SHIFT;
      if (bin < HISTOGRAM_BINS - 32) {
        counts[bin + (bits >>> 31) * HISTOGRAM_BINS]! += 1;
        this.total++;
      }
    }
  }

  /** Visits every bin holding a magnitude, with its magnitude interval and count (both signs together). */
  forEach(visit: (lo: number, hi: number, count: number) => void): void {
    const { counts } = this;
    for (let bin = 0; bin < HISTOGRAM_BINS - 32; bin++) {
      const c = (counts[bin] as number) + (counts[bin + HISTOGRAM_BINS] as number);
      if (c > 0) visit(binLowerEdge(bin), upperEdge(bin), c);
    }
  }

  /** The bins' midpoints with their signs, and their counts: where the values were, for weighted errors. */
  points(): { x: Float32Array; count: Float64Array } {
    const x: number[] = [];
    const count: number[] = [];
    for (let sign = 0; sign < 2; sign++) {
      for (let bin = 0; bin < HISTOGRAM_BINS - 32; bin++) {
        const c = this.counts[bin + sign * HISTOGRAM_BINS] as number;
        if (c === 0) continue;
        const mid = (binLowerEdge(bin) + upperEdge(bin)) / 2;
        x.push(sign === 1 ? -mid : mid);
        count.push(c);
      }
    }
    return { x: Float32Array.from(x), count: Float64Array.from(count) };
  }
}

// A histogram of an operand's magnitudes on log-spaced bins, recorded during calibration: each bin is the
// float32 exponent and top 5 mantissa bits of |x| (32 bins per octave), so recording needs no logarithm and
// the bins cover every finite float32. It is what distribution-aware choices (identity ranges, weighted
// errors) read instead of the min/max alone.

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

/** Bin edges and counts of a recorded histogram, with the magnitudes it saw. */
export class MagnitudeHistogram {
  /** (HISTOGRAM_BINS) elements per bin */
  readonly counts = new Float64Array(HISTOGRAM_BINS);
  total = 0;

  record(values: ArrayLike<number>): void {
    const { counts } = this;
    for (let i = 0; i < values.length; i++) {
      f32[0] = values[i] as number;
      const bin = ((u32[0] as number) & 0x7fffffff) >>> SHIFT;
      if (bin < HISTOGRAM_BINS - 32) {
        counts[bin]! += 1;
        this.total++;
      }
    }
  }

  /** Visits every non-empty bin with its magnitude interval and count. */
  forEach(visit: (lo: number, hi: number, count: number) => void): void {
    const { counts } = this;
    for (let bin = 0; bin < HISTOGRAM_BINS - 32; bin++) {
      const c = counts[bin] as number;
      if (c > 0) visit(binLowerEdge(bin), Math.min(binLowerEdge(bin + 1), 3.4028234663852886e38), c);
    }
  }
}

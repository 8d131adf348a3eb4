// Axis scaling: maps data to axis units (linear or log10) and chooses each axis's range, ticks and tick labels.

/** One axis: a linear map from (transformed) data units to pixels, with labelled major ticks. */
export interface Axis {
  readonly lo: number; // transformed units (log10 for log axes)
  readonly hi: number;
  readonly ticks: readonly { readonly at: number; readonly label: string }[];
  readonly minor: readonly number[];
}

/** Returns the data value in axis units, or undefined if the axis cannot show it. */
export function transform(v: number, log: boolean): number | undefined {
  if (!Number.isFinite(v)) return undefined;
  if (!log) return v;
  return v > 0 ? Math.log10(v) : undefined;
}

/** Whether `u` (axis units) lies within the axis's range, give or take rounding. */
export function onAxis(axis: Axis, u: number): boolean {
  return u >= Math.min(axis.lo, axis.hi) - 1e-9 && u <= Math.max(axis.lo, axis.hi) + 1e-9;
}

/** Widens a degenerate (single value) range so that the scale never divides by zero. */
function widen(lo: number, hi: number, log: boolean): [number, number] {
  if (!(lo <= hi)) return [0, 1]; // no data
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo > scale * 1e-10) return [lo, hi];
  const mid = (lo + hi) / 2;
  if (log) return [Math.floor(mid + 1e-9) - 1, Math.ceil(mid - 1e-9) + 1];
  const d = mid === 0 ? 1 : Math.abs(mid) * 0.1;
  return [mid - d, mid + d];
}

/** Formats tick labels for one axis, switching the whole axis to exponent form for very small or large values. */
function formatLabels(values: readonly number[]): string[] {
  const exp = values.some((v) => v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6));
  return values.map((v) => {
    if (v === 0) return '0';
    const p = Number(v.toPrecision(6));
    return exp ? p.toExponential().replace('e+', 'e') : String(p);
  });
}

/** A linear axis from the first to the last of `values`, with a labelled tick at each. */
function tickedAxis(values: readonly number[]): Axis {
  const labels = formatLabels(values);
  return {
    lo: values[0]!,
    hi: values[values.length - 1]!,
    ticks: values.map((at, k) => ({ at, label: labels[k]! })),
    minor: [],
  };
}

/** Nice linear ticks (steps of 1, 2 or 5 times a power of ten) whose ends enclose [lo, hi]. */
function linearAxis(lo: number, hi: number, target: number): Axis {
  const span = hi - lo;
  const raw = span / target;
  // Ranges beyond float64 (overflowing or subnormal spans): just label the two ends.
  if (!Number.isFinite(raw) || !(raw > 0)) return tickedAxis([lo, hi]);
  let e = Math.floor(Math.log10(raw));
  const r = raw / Number(`1e${e}`);
  let nice = r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10;
  if (nice === 10) {
    nice = 1;
    e += 1;
  }
  const step = Number(`${nice}e${e}`);
  const i0 = Math.floor(lo / step + 1e-9);
  const i1 = Math.ceil(hi / step - 1e-9);
  const values: number[] = [];
  for (let i = i0; i <= i1; i++) values.push(Number(`${i * nice}e${e}`));
  return tickedAxis(values);
}

/** Log axis in log10 units: ticks at powers of ten (every k-th decade when there are many), labelled 1eN. */
function logAxis(lo: number, hi: number): Axis {
  let a = Math.floor(lo + 1e-9);
  let b = Math.ceil(hi - 1e-9);
  if (b <= a) b = a + 1;
  const k = b - a <= 8 ? 1 : Math.ceil((b - a) / 8);
  a = Math.floor(a / k) * k;
  b = Math.ceil(b / k) * k;
  const ticks: { at: number; label: string }[] = [];
  const minor: number[] = [];
  for (let d = a; d <= b; d += k) {
    ticks.push({ at: d, label: `1e${d}` });
    if (k === 1 && b - a <= 6 && d < b) for (let m = 2; m <= 9; m++) minor.push(d + Math.log10(m));
  }
  return { lo: a, hi: b, ticks, minor };
}

/** An axis through the given explicit ticks (data units); its range covers both the data and the ticks. */
function explicitAxis(dataLo: number, dataHi: number, ticks: readonly number[], log: boolean): Axis {
  const kept = ticks.filter((t) => transform(t, log) !== undefined);
  const at = kept.map((t) => transform(t, log)!);
  let lo = dataLo;
  let hi = dataHi;
  for (const u of at) {
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
  }
  [lo, hi] = widen(lo, hi, log);
  const plain = formatLabels(kept);
  const label = (i: number): string => (log && Number.isInteger(at[i]) ? `1e${at[i]}` : plain[i]!);
  return { lo, hi, ticks: at.map((u, i) => ({ at: u, label: label(i) })), minor: [] };
}

/**
 * The axis for data spanning [dataLo, dataHi] in axis units (an empty range, lo > hi, when there is none): through
 * the `explicit` ticks (data units) if given, else about `target` nice linear ticks or decade ticks on a log axis.
 */
export function buildAxis(
  dataLo: number,
  dataHi: number,
  log: boolean,
  target: number,
  explicit: readonly number[] | undefined,
): Axis {
  if (explicit !== undefined) return explicitAxis(dataLo, dataHi, explicit, log);
  const [lo, hi] = widen(dataLo, dataHi, log);
  return log ? logAxis(lo, hi) : linearAxis(lo, hi, target);
}

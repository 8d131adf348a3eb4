// A tensor as spike trains: the output of one neuron run over every element, with what decoding and
// the spike-driven products need (plane values, per-element spike counts, signs).
import type { Kernels, MembraneSpikes, MembraneTables, ResidentTables } from '../../kernels/index.js';
import type { Scratch } from './scratch.js';

export interface SpikeTrain {
  /** (n) decoded values: sign * (sum of the set planes' values + bias) */
  readonly y: Float32Array;
  readonly spikes: MembraneSpikes;
  /** (P) value of one spike in each plane: weight[nb] * intensity[nb, t] */
  readonly planeValue: Float64Array;
  readonly bias: number;
  readonly signMagnitude: boolean;
  /** (n) the input, for signs */
  readonly x: Float32Array;
  /** Spikes over all planes. */
  readonly total: number;
}

/** Each slot's buffer names, made once: a name built at every call costs a string and its hash each time. */
const FIRE_SLOTS = new Map<string, { y: string; bits: string; counts: string; signs: string; planeValue: string }>();

function fireSlots(slot: string) {
  let names = FIRE_SLOTS.get(slot);
  if (names === undefined) {
    names = {
      y: `${slot}.y`,
      bits: `${slot}.bits`,
      counts: `${slot}.counts`,
      signs: `${slot}.signs`,
      planeValue: `${slot}.planeValue`,
    };
    FIRE_SLOTS.set(slot, names);
  }
  return names;
}

/**
 * Runs a neuron over x (rows, rowLen) and keeps its spikes, in the scratch buffers of `slot`; the kernel reads
 * `resident`, a resident copy of `tables`, where given.
 */
export function fire(
  kernels: Kernels,
  tables: MembraneTables,
  x: Float32Array,
  rows: number,
  signMagnitude: boolean,
  scratch: Scratch,
  slot: string,
  resident?: ResidentTables,
): SpikeTrain {
  const { N, T } = tables;
  const words = rows > 0 ? Math.ceil(x.length / rows / 32) : 0;
  const names = fireSlots(slot);
  const out = {
    y: scratch.f32(names.y, x.length), // (rows, rowLen)
    bits: scratch.u32(names.bits, N * T * rows * words), // (N * T, rows, words)
    counts: scratch.u32(names.counts, N * T), // (N, T)
    signs: scratch.u32(names.signs, rows * words), // (rows, words)
  };
  const spikes = kernels.membraneSpikes(x, resident ?? tables, { rows, signMagnitude, out });
  const planeValue = scratch.f64(names.planeValue, N * T); // (N * T)
  for (let nb = 0; nb < N; nb++) {
    for (let t = 0; t < T; t++)
      planeValue[nb * T + t] = (tables.weight[nb] as number) * (tables.intensity[nb * T + t] as number);
  }
  let total = 0;
  for (const c of spikes.counts) total += c;
  return { y: spikes.y, spikes, planeValue, bias: tables.bias, signMagnitude, x, total };
}

/** Spikes of each element over all planes: (n), in the scratch slot. */
export function elementCounts(train: SpikeTrain, scratch: Scratch, slot: string): Uint16Array {
  const { bits, planes, rows, rowLen, words } = train.spikes.planes;
  const counts = scratch.u16(slot, rows * rowLen); // (rows, rowLen)
  counts.fill(0);
  for (let p = 0; p < planes; p++) {
    for (let r = 0; r < rows; r++) {
      for (let w = 0; w < words; w++) {
        let word = bits[(p * rows + r) * words + w] as number;
        while (word !== 0) {
          const j = w * 32 + (31 - Math.clz32(word & -word));
          word &= word - 1;
          counts[r * rowLen + j]! += 1;
        }
      }
    }
  }
  return counts;
}

/** The set planes of every element, as lists: element i's planes are list[start[i] .. start[i + 1]). */
export function elementPlanes(
  train: SpikeTrain,
  scratch: Scratch,
  slot: string,
): { start: Uint32Array; list: Uint16Array } {
  const counts = elementCounts(train, scratch, `${slot}.counts`);
  const n = counts.length;
  const start = scratch.u32(`${slot}.start`, n + 1); // (n + 1)
  start[0] = 0;
  for (let i = 0; i < n; i++) start[i + 1] = (start[i] as number) + (counts[i] as number);
  const list = scratch.u16(`${slot}.list`, start[n] as number); // (spikes)
  const fill = scratch.u32(`${slot}.fill`, n); // (n) next free place of each element's list
  fill.set(start.subarray(0, n));
  const { bits, planes, rows, rowLen, words } = train.spikes.planes;
  for (let p = 0; p < planes; p++) {
    for (let r = 0; r < rows; r++) {
      for (let w = 0; w < words; w++) {
        let word = bits[(p * rows + r) * words + w] as number;
        while (word !== 0) {
          const i = r * rowLen + w * 32 + (31 - Math.clz32(word & -word));
          word &= word - 1;
          list[fill[i]!++] = p;
        }
      }
    }
  }
  return { start, list };
}

/** -1 where the train carries a negative sign (sign-magnitude trains), else +1. */
export function signOf(train: SpikeTrain, i: number): number {
  return train.signMagnitude && (train.x[i] as number) < 0 ? -1 : 1;
}

/**
 * The product of two trains element by element, from the spikes alone (Eq. 10-12 with the readout
 * weights and biases in D): y1 y2 = s1 s2 (sum_pq v_p v'_q + b2 sum_p v_p + b1 sum_q v'_q + b1 b2).
 * Returns the products and the accumulates spent: one per coincident spike pair, one per spike that
 * meets the other side's nonzero bias.
 */
export function spikeProduct(
  a: SpikeTrain,
  b: SpikeTrain,
  out: Float32Array,
  scratch: Scratch,
  scale = 1,
  /** 0: b is as long as a; else b holds one element per row of `broadcast` elements of a (one reciprocal per row). */
  broadcast = 0,
): number {
  const pa = elementPlanes(a, scratch, 'product.a');
  const pb = elementPlanes(b, scratch, 'product.b');
  let sops = 0;
  for (let i = 0; i < out.length; i++) {
    const k = broadcast === 0 ? i : Math.floor(i / broadcast);
    let pairs = 0;
    let sumA = 0;
    let sumB = 0;
    const b0 = pb.start[k] as number;
    const b1 = pb.start[k + 1] as number;
    for (let q = b0; q < b1; q++) sumB += b.planeValue[pb.list[q] as number] as number;
    for (let p = pa.start[i] as number; p < (pa.start[i + 1] as number); p++) {
      const va = a.planeValue[pa.list[p] as number] as number;
      sumA += va;
      for (let q = b0; q < b1; q++) pairs += va * (b.planeValue[pb.list[q] as number] as number);
    }
    const ca = (pa.start[i + 1] as number) - (pa.start[i] as number);
    const cb = b1 - b0;
    sops += ca * cb + (b.bias !== 0 ? ca : 0) + (a.bias !== 0 ? cb : 0);
    const value = pairs + b.bias * sumA + a.bias * sumB + a.bias * b.bias;
    out[i] = scale * signOf(a, i) * signOf(b, k) * value;
  }
  return sops;
}

/**
 * The accumulates spikeProduct would spend (equivalent mode's prediction): from per-element spike counts, or with
 * b broadcast, from a's spikes per row (every spike of row r meets each spike of b's element r).
 */
export function predictedProductSops(a: SpikeTrain, b: SpikeTrain, scratch: Scratch, broadcast = 0): number {
  const cb = elementCounts(b, scratch, 'product.b.counts');
  let sops = 0;
  if (broadcast === 0) {
    const ca = a === b ? cb : elementCounts(a, scratch, 'product.a.counts');
    for (let i = 0; i < ca.length; i++) {
      const x = ca[i] as number;
      const y = cb[i] as number;
      sops += x * y + (b.bias !== 0 ? x : 0) + (a.bias !== 0 ? y : 0);
    }
    return sops;
  }
  const { rows, rowLen } = a.spikes.planes;
  if (rowLen !== broadcast || cb.length !== rows) {
    throw new Error(
      `a broadcast product needs a (${rows}, ${broadcast}) and b (${rows}), got rows of ${rowLen} and b (${cb.length})`,
    );
  }
  const perRow = rowSpikes(a, scratch.u32('product.a.rows', rows), 0); // (rows)
  for (let r = 0; r < rows; r++) {
    const x = perRow[r] as number;
    const y = cb[r] as number;
    sops += x * y + (b.bias !== 0 ? x : 0) + (a.bias !== 0 ? broadcast * y : 0);
  }
  return sops;
}

/** Spikes of each row of a train over all its planes, into totals[first ..] (returned). */
export function rowSpikes(train: SpikeTrain, totals: Uint32Array, first: number): Uint32Array {
  const { bits, planes, rows, words } = train.spikes.planes;
  totals.fill(0, first, first + rows);
  for (let p = 0; p < planes; p++) {
    for (let r = 0; r < rows; r++) {
      let count = 0;
      for (let w = (p * rows + r) * words; w < (p * rows + r + 1) * words; w++) count += popcount32(bits[w] as number);
      totals[first + r]! += count;
    }
  }
  return totals;
}

/** Set bits of a u32 word (SWAR). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

// An identity-coded matrix remembered row by row across calls. Attention codes the whole KV cache as the
// second operand of q k^T and p v at every decoding step, though only its last row is new. With a static range
// the code of a row depends on that row alone, so the rows equal (bit for bit) to those of the previous call
// on the same source are taken from the memo instead of being fired again. The counters are charged as if
// every row had been fired, so outputs and reports are the same with or without the memo. It holds each source's
// rows twice more (inputs to compare, decoded values), as many as the longest call had.
import type { SiteCounters } from '../instrumentation.js';
import { rowSpikes, type SpikeTrain } from './spike-train.js';

/** What a coded matrix's rows need downstream: decoded values and the spikes over all rows. */
export interface CodedRows {
  /** (rows, rowLen) decoded values Q(x); valid until the next call on the same source. */
  readonly y: Float32Array;
  readonly total: number;
  /** From the memo: what coding the same rows again would charge (every row reused). */
  readonly again?: ReuseCharge;
}

/** The counters a call that reuses every row charges. */
export interface ReuseCharge {
  readonly neuronInputs: number;
  readonly neuronSteps: number;
  readonly spikes: number;
  readonly saturations: number;
}

/** Charges the counters as coding the same rows again would (a memo hit on every row), without comparing them. */
export function chargeAgain(counters: SiteCounters, { neuronInputs, neuronSteps, spikes, saturations }: ReuseCharge) {
  counters.spiking = true;
  counters.neuronInputs += neuronInputs;
  counters.neuronSteps += neuronSteps;
  counters.spikes += spikes;
  counters.saturations += saturations;
}

/** Fires rows of x (rows, rowLen) through the identity code and charges the counters for them. */
export type FireRows = (x: Float32Array, rows: number) => SpikeTrain;

interface Memo {
  /** The code the rows were fired with (its tables): a row is reused only under the same one. */
  readonly code: object;
  readonly rowLen: number;
  rows: number;
  /** (capacity, rowLen) the inputs, compared bit for bit */
  input: Int32Array;
  /** (capacity, rowLen) their decoded values */
  y: Float32Array;
  /** (capacity) spikes of each row */
  rowSpikes: Uint32Array;
  /** (capacity) saturated elements of each row */
  rowSaturations: Uint32Array;
}

export class RowMemo {
  /** By the source's buffer, then by "site/operand@byteOffset" (one entry per KV head). */
  private readonly memos = new WeakMap<ArrayBufferLike, Map<string, Memo>>();

  /**
   * Q(x) for x (rows, rowLen), reusing the leading rows that equal the previous call's on the same source and
   * code. `code` stands for everything a row's code depends on (range, T, digits); `stepsPerElement` and
   * `saturation` are what firing one element charges (neuron steps, and the level beyond which it saturates).
   */
  encode(
    counters: SiteCounters,
    key: string,
    code: object,
    x: Float32Array,
    rows: number,
    rowLen: number,
    stepsPerElement: number,
    saturation: number,
    fireRows: FireRows,
  ): CodedRows {
    const memo = this.memo(key, code, x, rowLen);
    const n = rows * rowLen;
    const bits = new Int32Array(x.buffer, x.byteOffset, n); // (rows, rowLen) x's bits
    const known = Math.min(rows, memo.rows);
    const reused = Math.floor(firstDifference(bits, memo.input, known * rowLen) / rowLen);
    this.grow(memo, rows);
    if (reused < rows) {
      const fresh = x.subarray(reused * rowLen, n);
      const train = fireRows(fresh, rows - reused);
      memo.input.set(bits.subarray(reused * rowLen), reused * rowLen);
      memo.y.set(train.y.subarray(0, fresh.length), reused * rowLen);
      rowSpikes(train, memo.rowSpikes, reused);
      for (let r = reused; r < rows; r++) {
        let saturated = 0;
        for (let j = r * rowLen; j < (r + 1) * rowLen; j++) if (Math.abs(x[j] as number) > saturation) saturated++;
        memo.rowSaturations[r] = saturated;
      }
    }
    memo.rows = rows;
    // the reused rows, charged as firing them would have been (fireRows charged the fresh ones)
    let reusedSpikes = 0;
    let reusedSaturations = 0;
    for (let r = 0; r < reused; r++) {
      reusedSpikes += memo.rowSpikes[r] as number;
      reusedSaturations += memo.rowSaturations[r] as number;
    }
    let total = reusedSpikes;
    let saturations = reusedSaturations;
    for (let r = reused; r < rows; r++) {
      total += memo.rowSpikes[r] as number;
      saturations += memo.rowSaturations[r] as number;
    }
    chargeAgain(counters, {
      neuronInputs: reused * rowLen,
      neuronSteps: reused * rowLen * stepsPerElement,
      spikes: reusedSpikes,
      saturations: reusedSaturations,
    });
    const again = { neuronInputs: n, neuronSteps: n * stepsPerElement, spikes: total, saturations };
    return { y: memo.y.subarray(0, n), total, again };
  }

  private memo(key: string, code: object, x: Float32Array, rowLen: number): Memo {
    let bySource = this.memos.get(x.buffer);
    if (!bySource) {
      bySource = new Map();
      this.memos.set(x.buffer, bySource);
    }
    const name = `${key}@${x.byteOffset}`;
    let memo = bySource.get(name);
    if (!memo || memo.code !== code || memo.rowLen !== rowLen) {
      memo = {
        code,
        rowLen,
        rows: 0,
        input: new Int32Array(0),
        y: new Float32Array(0),
        rowSpikes: new Uint32Array(0),
        rowSaturations: new Uint32Array(0),
      };
      bySource.set(name, memo);
    }
    return memo;
  }

  /** Room for `rows` rows, keeping the ones held (half again, so one row at a time reallocates rarely). */
  private grow(memo: Memo, rows: number): void {
    if (memo.rowSpikes.length >= rows) return;
    const capacity = Math.max(rows, Math.ceil(memo.rowSpikes.length * 1.5));
    const keep = memo.rows;
    memo.input = resized(memo.input, capacity * memo.rowLen, keep * memo.rowLen);
    memo.y = resized(memo.y, capacity * memo.rowLen, keep * memo.rowLen);
    memo.rowSpikes = resized(memo.rowSpikes, capacity, keep);
    memo.rowSaturations = resized(memo.rowSaturations, capacity, keep);
  }
}

/**
 * The first index below n where the two arrays' words differ (n when none does). Where both start 8-byte aligned,
 * pairs of words are compared as one float64: equal float64s have equal bits except +0 and -0, and a NaN never
 * equals itself, so a pair that compares equal as 0, or unequal, is compared word by word.
 */
function firstDifference(bits: Int32Array, held: Int32Array, n: number): number {
  let i = 0;
  if (bits.byteOffset % 8 === 0 && held.byteOffset % 8 === 0) {
    const a = new Float64Array(bits.buffer, bits.byteOffset, n >>> 1);
    const b = new Float64Array(held.buffer, held.byteOffset, n >>> 1);
    for (let p = 0; p < a.length; p++) {
      const v = a[p] as number;
      if (v === b[p] && v !== 0) continue;
      if (bits[2 * p] !== held[2 * p]) return 2 * p;
      if (bits[2 * p + 1] !== held[2 * p + 1]) return 2 * p + 1;
    }
    i = 2 * a.length;
  }
  for (; i < n; i++) if (bits[i] !== held[i]) return i;
  return n;
}

function resized<A extends Int32Array | Float32Array | Uint32Array>(array: A, length: number, keep: number): A {
  const next = new (array.constructor as new (length: number) => A)(length);
  next.set(array.subarray(0, keep));
  return next;
}

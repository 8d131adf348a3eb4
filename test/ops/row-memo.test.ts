// The coded rows of a product's second operand are remembered between calls (RowMemo): decoding reuses the
// KV cache's rows instead of firing them again. Outputs and every counter must be those of a model that fires
// all rows on every call.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import { RowMemo } from '../../src/ops/spiking/row-memo.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import type { SpikingOptions } from '../../src/ops/spiking/options.js';
import { normal, seededRandom } from '../helpers/random.js';

let kernels: Kernels;
let neurons: NeuronProvider;
beforeAll(async () => {
  kernels = await Kernels.load();
  neurons = new NeuronProvider(kernels);
});

const HEAD_DIM = 8;
const STEPS = 12;

/** Random keys and values for STEPS positions: (STEPS, HEAD_DIM) each, and a query per step. */
function sequence(seed: number) {
  const random = seededRandom(seed);
  const n = STEPS * HEAD_DIM;
  return { keys: normal(random, n), values: normal(random, n), queries: normal(random, n) };
}

/**
 * One decoding run: at step s, scores (1, s + 1) = q k^T over the first s + 1 keys and out (1, HEAD_DIM) = scores v,
 * with k and v read in place from the same cache buffers, twice per step (two query heads of one KV head). `fresh`
 * builds a new op set for every call, so no row is ever reused. Returns the outputs of every call and the counters of
 * the two sites, summed over the op sets.
 */
function decode(
  options: SpikingOptions,
  fresh: boolean,
  overwrite?: { step: number; row: number },
): { outputs: Float32Array[]; counters: object[] } {
  const { keys, values, queries } = sequence(7);
  const calibrating = new CalibratingOpSet(kernels);
  const scores = new Float32Array(STEPS);
  const out = new Float32Array(HEAD_DIM);
  calibrating.matmul('qk', scores, queries, keys, 1, HEAD_DIM, STEPS, { transposeB: true });
  calibrating.matmul('pv', out, scores, values, 1, STEPS, HEAD_DIM);
  const make = () => new SpikingOpSet({ kernels, calibration: calibrating.calibration, options, neurons });
  let ops = make();
  const outputs: Float32Array[] = [];
  const counters: object[] = [];
  const cacheK = new Float32Array(STEPS * HEAD_DIM); // (STEPS, HEAD_DIM), filled one row per step
  const cacheV = new Float32Array(STEPS * HEAD_DIM);
  for (let step = 0; step < STEPS; step++) {
    cacheK.set(keys.subarray(step * HEAD_DIM, (step + 1) * HEAD_DIM), step * HEAD_DIM);
    cacheV.set(values.subarray(step * HEAD_DIM, (step + 1) * HEAD_DIM), step * HEAD_DIM);
    if (overwrite?.step === step)
      cacheK[overwrite.row * HEAD_DIM + 3] = -(cacheK[overwrite.row * HEAD_DIM + 3] as number);
    const L = step + 1;
    const q = queries.subarray(step * HEAD_DIM, (step + 1) * HEAD_DIM);
    // both heads of a group read the same rows: the second call reuses all of them
    for (let h = 0; h < 2; h++) {
      if (fresh) {
        if (step + h > 0) counters.push(...snapshot(ops));
        ops = make();
      }
      ops.matmul('qk', scores, q, cacheK.subarray(0, L * HEAD_DIM), 1, HEAD_DIM, L, { transposeB: true, scale: 0.5 });
      ops.matmul('pv', out, scores, cacheV.subarray(0, L * HEAD_DIM), 1, L, HEAD_DIM);
      outputs.push(scores.slice(0, L), out.slice());
    }
  }
  counters.push(...snapshot(ops));
  return { outputs, counters: sumBySite(counters) };
}

function snapshot(ops: SpikingOpSet): object[] {
  return ops.counters.all().map((c) => ({ ...c }));
}

/** Counters summed over the fresh op sets, by site (numbers added, the rest kept). */
function sumBySite(all: object[]): object[] {
  const bySite = new Map<string, Record<string, unknown>>();
  for (const c of all as Record<string, unknown>[]) {
    const held = bySite.get(c['site'] as string);
    if (!held) {
      bySite.set(c['site'] as string, { ...c });
      continue;
    }
    for (const [k, v] of Object.entries(c)) if (typeof v === 'number') held[k] = (held[k] as number) + v;
  }
  return [...bySite.values()];
}

describe('the rows of a product operand reused across calls', () => {
  const codes: [string, SpikingOptions][] = [
    ['binary, equivalent', { T: 16 }],
    ['signed digits, equivalent', { T: 16, code: 'signed-digit' }],
    ['binary, spike-driven', { T: 8, mode: 'spike-driven' }],
    ['per-family T', { T: 16, siteT: { products: 6 } }],
    ['dynamic ranges', { T: 12, ranges: 'dynamic' }],
  ];
  for (const [name, options] of codes) {
    it(`${name}: the same outputs and counters as firing every row on every call`, () => {
      const reused = decode(options, false);
      const fired = decode(options, true);
      expect(reused.outputs).toEqual(fired.outputs);
      expect(reused.counters).toEqual(fired.counters);
    });
  }

  it('a row rewritten in place is fired again, not taken from the memo', () => {
    const rewritten = { step: 8, row: 2 };
    const reused = decode({ T: 16 }, false, rewritten);
    const fired = decode({ T: 16 }, true, rewritten);
    expect(reused.outputs).toEqual(fired.outputs);
    expect(reused.counters).toEqual(fired.counters);
    // and the rewrite changed the scores of that step (the test would not see a stale row otherwise)
    const untouched = decode({ T: 16 }, false);
    const at = 2 * 2 * rewritten.step; // two heads, two outputs each per step
    expect(reused.outputs[at]).not.toEqual(untouched.outputs[at]);
  });
});

describe('RowMemo row comparison', () => {
  /** Encodes x (rows, 4) twice, the second time after `change`; returns the rows fired on the second call. */
  function refired(x: Float32Array, change: (x: Float32Array) => void): number {
    const memo = new RowMemo();
    const code = {};
    const counters = { spiking: false, neuronInputs: 0, neuronSteps: 0, spikes: 0, saturations: 0 };
    let fired = 0;
    const fire = (fresh: Float32Array, rows: number) => {
      fired = rows;
      return { y: fresh.slice(), total: 0, spikes: { planes: { bits: new Uint32Array(rows), words: 1 } } };
    };
    const encode = () => memo.encode(counters as never, 's/b', code, x, x.length / 4, 4, 17, Infinity, fire as never);
    encode();
    fired = 0;
    change(x);
    encode();
    return fired;
  }

  it('tells +0 from -0 and a changed NaN payload, and reuses rows whose bits are unchanged, NaN included', () => {
    const rows = () => Float32Array.of(1, 2, 3, 4, 0, 0, 5, 6, NaN, 7, 8, 9); // (3, 4)
    expect(refired(rows(), () => {})).toBe(0);
    expect(refired(rows(), (x) => (x[5] = -0))).toBe(2); // rows 1 and 2 again
    expect(refired(rows(), (x) => (x[4] = -0))).toBe(2);
    expect(refired(rows(), (x) => (new Uint32Array(x.buffer)[8]! ^= 1))).toBe(1); // another NaN payload in row 2
    expect(refired(rows(), (x) => (x[11] = 10))).toBe(1);
  });
});

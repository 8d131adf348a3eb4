// Spike-aware rounding of identity codes: the chosen code value against a brute-force search over every k, its
// spikes against an independent count, the code reading the rounded values back as their k under every wasm
// build, and the linear layer spending fewer spikes than round-to-nearest.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels/index.js';
import { identityNeuron, neuronTables } from '../../src/neurons/neuron.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { Scratch } from '../../src/ops/spiking/scratch.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { fire } from '../../src/ops/spiking/spike-train.js';
import { codeSpikes, inputWeights, MIN_INPUT_WEIGHT, sparseRound } from '../../src/ops/spiking/sparse-rounding.js';
import type { IdentityCode } from '../../src/ops/spiking/options.js';
import type { IdentityRounding } from '../../src/ops/spiking/ranges.js';
import { normal, seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** Spikes of k written out digit by digit: binary ones, or the nonzero digits of the classic LSB-first NAF. */
function referenceSpikes(k: number, code: IdentityCode): number {
  let spikes = 0;
  while (k > 0) {
    if (k % 2 === 1) {
      spikes++;
      k -= code === 'binary' ? 1 : 2 - (k % 4);
    }
    k /= 2;
  }
  return spikes;
}

describe('codeSpikes', () => {
  it.each(['binary', 'signed-digit'] as const)('%s: every k below 2^14 and the 32-bit edges', (code) => {
    const ks = Array.from({ length: 2 ** 14 }, (_, k) => k);
    ks.push(2 ** 32 - 1, 2 ** 31, 2 ** 31 - 1, 0xaaaaaaaa, 0x55555555);
    for (const k of ks) if (codeSpikes(k, code) !== referenceSpikes(k, code)) expect({ k, code }).toBe('equal');
  });
});

/** The k a rounded value stands for: its magnitude over the step, less the floor code's half-step placement. */
function kOf(v: number, unit: number, rounding: IdentityRounding): number {
  return Math.round(Math.abs(v) / unit - (rounding === 'floor' && v !== 0 ? 0.5 : 0));
}

const CASES: readonly [IdentityCode, IdentityRounding, number, number][] = [
  ['binary', 'nearest', 3, 0.3],
  ['signed-digit', 'nearest', 4, 0.3],
  ['signed-digit', 'nearest', 8, 1],
  ['binary', 'floor', 6, 2],
  ['signed-digit', 'floor', 5, 16],
];

describe('sparseRound', () => {
  it.each(CASES)(
    '%s, %s, T = %i, cost %d: the least cost over every k, never more spikes',
    (code, rounding, T, cost) => {
      const alpha = 1.7;
      const unit = alpha * 2 ** -T;
      const kMax = 2 ** T - 1;
      const [rows, rowLen] = [7, 53];
      const x = normal(seededRandom(T * 31 + cost), rows * rowLen, 0.6);
      x.set([0, -0, kMax * unit, 2 * alpha, -3 * alpha, unit / 2, -unit * 1.5, 0.5 * alpha]);
      const weights = new Float32Array(rowLen).map((_, j) => (j === 0 ? MIN_INPUT_WEIGHT : 0.25 + (j % 5)));
      const out = new Float32Array(x.length); // (rows, rowLen)
      sparseRound(x, out, rowLen, { alpha, T, rounding, code, spikeCost: cost, weights });
      let moved = 0;
      for (let i = 0; i < x.length; i++) {
        const v = x[i] as number;
        const u = Math.abs(v) / unit;
        const nearest = Math.round(u);
        if (nearest >= kMax || v === 0) {
          expect(Object.is(out[i], v), `element ${i}`).toBe(true); // saturated and zeros pass through
          continue;
        }
        const k = kOf(out[i] as number, unit, rounding);
        if (k > 0) expect(Math.sign(out[i] as number), `element ${i}: sign`).toBe(Math.sign(v));
        const perSpike = cost / (weights[i % rowLen] as number);
        const costOf = (j: number) => (u - j) ** 2 + perSpike * referenceSpikes(j, code);
        let best = 0;
        for (let j = 1; j <= kMax; j++) if (costOf(j) < costOf(best) - 1e-12) best = j;
        expect(costOf(k), `element ${i}: k ${k}, best ${best}`).toBeLessThanOrEqual(costOf(best) + 1e-12);
        expect(referenceSpikes(k, code)).toBeLessThanOrEqual(referenceSpikes(nearest, code));
        if (k !== nearest) moved++;
      }
      expect(moved).toBeGreaterThan(0); // the costs chosen make some values move
    },
  );

  it.each(CASES)(
    '%s, %s, T = %i, cost %d: the chosen k rises with |x| (a staircase of thresholds)',
    (code, rounding, T, cost) => {
      const alpha = 1;
      const unit = alpha * 2 ** -T;
      const x = new Float32Array(4001).map((_, i) => (i / 4000) * alpha); // (4001) 0 .. alpha, ascending
      const out = new Float32Array(x.length);
      sparseRound(x, out, x.length, { alpha, T, rounding, code, spikeCost: cost, weights: undefined });
      let previous = 0;
      for (let i = 0; i < x.length; i++) {
        if (Math.round((x[i] as number) / unit) >= 2 ** T - 1) break; // saturated values pass through
        const k = kOf(out[i] as number, unit, rounding);
        if (k < previous) expect({ i, k, previous }).toBe('non-decreasing');
        previous = k;
      }
      expect(previous).toBeGreaterThan(0);
    },
  );

  it('NaN stays NaN; a zero weight column counts as MIN_INPUT_WEIGHT; an all-zero W weighs every input 1', () => {
    const out = new Float32Array(2);
    sparseRound(new Float32Array([Number.NaN, 0.3]), out, 2, {
      alpha: 1,
      T: 4,
      rounding: 'nearest',
      code: 'binary',
      spikeCost: 1,
      weights: undefined,
    });
    expect(out[0]).toBeNaN();
    // W (out 2, in 3): column 0 all zero, column 1 norm^2 2, column 2 norm^2 8: mean 10 / 3
    const w = inputWeights(new Float32Array([0, 1, 2, 0, 1, 2]), 3, 2);
    expect(Array.from(w)).toEqual([MIN_INPUT_WEIGHT, Math.fround(0.6), Math.fround(2.4)]);
    expect(Array.from(inputWeights(new Float32Array(6), 3, 2))).toEqual([1, 1, 1]);
  });
});

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`sparseRound through the identity code, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    it.each([
      ['nearest', 4],
      ['floor', 4],
      ['nearest', 16],
      ['floor', 12],
    ] as const)('%s, T = %i: the code reads every rounded value back as its k', (rounding, T) => {
      const alpha = 2.9;
      const unit = alpha * 2 ** -T;
      const [rows, rowLen] = [3, 101];
      const x = normal(seededRandom(7 + T), rows * rowLen, 1);
      const rounded = new Float32Array(x.length); // (rows, rowLen)
      sparseRound(x, rounded, rowLen, {
        alpha,
        T,
        rounding,
        code: 'signed-digit',
        spikeCost: 0.7,
        weights: undefined,
      });
      const train = fire(
        kernels,
        neuronTables(identityNeuron(T, alpha, rounding)),
        rounded,
        rows,
        true,
        new Scratch(),
        'x',
      );
      let [worst, checked] = [0, 0];
      for (let i = 0; i < x.length; i++) {
        const v = rounded[i] as number;
        if (Math.round(Math.abs(x[i] as number) / unit) >= 2 ** T - 1) continue; // saturated: passed through
        const k = kOf(v, unit, rounding);
        const y = train.y[i] as number;
        expect(Math.round(Math.abs(y) / unit), `element ${i}`).toBe(k);
        if (k > 0) expect(Math.sign(y)).toBe(Math.sign(v));
        worst = Math.max(worst, Math.abs(Math.abs(y) - k * unit) / unit);
        checked++;
      }
      // y is the planes' sum in f32: off k * unit by rounding only, far below half a step
      console.log(
        `${title}, ${rounding}, T = ${T}: ${checked} values, max |y - k unit| / unit ${worst.toExponential(2)}`,
      );
      expect(checked).toBeGreaterThan(0.9 * x.length);
      expect(worst).toBeLessThan(5e-3); // measured 4.3e-3 at T = 16 (y about 2.5, unit 4.4e-5), 1.1e-6 at T = 4
    });
  });
}

describe('spike-aware rounding in a linear layer', () => {
  it('spends fewer spikes than round-to-nearest, with the same saturations, and 0 changes nothing', async () => {
    const kernels = await Kernels.load();
    const [rows, K, Nout] = [9, 48, 20];
    const random = seededRandom(5);
    const weight = normal(random, Nout * K, 0.3); // (Nout, K)
    const x = normal(random, rows * K, 1.2); // (rows, K)
    const calibrating = new CalibratingOpSet(kernels);
    const run = (ops: CalibratingOpSet | SpikingOpSet, input: Float32Array) => {
      const layer = ops.prepareLinear(weight, K, Nout);
      const y = new Float32Array(rows * Nout); // (rows, Nout)
      ops.linear('fc', y, input, layer, rows);
      layer.dispose();
      return y;
    };
    run(
      calibrating,
      x.map((v) => v * 0.8),
    ); // calibrated on smaller inputs: some of x saturate
    const counts = (spikeCost: number) => {
      const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 8, spikeCost } });
      const y = run(ops, x);
      const [c] = ops.counters.all();
      return { y, spikes: c!.spikes, saturations: c!.saturations };
    };
    const plain = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 8 } });
    const plainY = run(plain, x);
    const zero = counts(0);
    const sparse = counts(0.5);
    expect(Array.from(zero.y)).toEqual(Array.from(plainY));
    expect(sparse.saturations).toBe(zero.saturations);
    expect(sparse.saturations).toBeGreaterThan(0);
    console.log(`linear, T = 8: ${zero.spikes} spikes at nearest, ${sparse.spikes} at spike cost 0.5`);
    expect(sparse.spikes).toBeLessThan(0.9 * zero.spikes); // measured 1282 of 1474 (0.87)
  });
});

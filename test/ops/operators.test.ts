import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { ACTIVATION_KINDS, type ActivationKind } from '../../src/ops/opset.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import type { SpikingOptions } from '../../src/ops/spiking/options.js';
import { CASES, params, REALISTIC, type OperatorCase } from '../helpers/operator-cases.js';
import { activationInputs, edgeRows, layerNormInputs, rowError, type RowsInput } from '../helpers/operator-inputs.js';

let kernels: Kernels;
let neurons: NeuronProvider;
beforeAll(async () => {
  kernels = await Kernels.load();
  // Activation neurons are fitted on demand for each calibrated domain; a short fit keeps the suite fast.
  neurons = new NeuronProvider(kernels, { fit: { seeds: 1, epochs: 150, samples: 3000 } });
});

function calibrate(input: RowsInput, cases: readonly OperatorCase[]) {
  const calibrating = new CalibratingOpSet(kernels);
  for (const c of cases) c.run(calibrating, input);
  return calibrating.calibration;
}

function spiking(calibration: ReturnType<typeof calibrate>, options: SpikingOptions): SpikingOpSet {
  return new SpikingOpSet({ kernels, calibration, options, neurons });
}

/**
 * Worst row-normalised error at T = 16 allowed on the realistic inputs. Measured (the same on the relaxed, simd
 * and scalar builds): softmax 3.9e-3, causal softmax 4.8e-3, layerNorm 4.8e-3, rmsNorm 2.6e-3, mul 3.3e-5,
 * matmul 4.5e-4, linear 7.2e-4. mul is held to about 10x its error; the others keep 1e-2.
 */
const BOUND_T16: Record<string, number> = {
  softmax: 1e-2,
  'causal softmax': 1e-2,
  layerNorm: 1e-2,
  rmsNorm: 1e-2,
  mul: 4e-4,
  'matmul (Q K^T, scaled)': 1e-2,
  'linear (inputs encoded)': 1e-2,
};

/**
 * Row-normalised error allowed for an activation neuron fitted on the calibrated domain (the short fit above, T = 16,
 * N = 4 on [-15, 20]). Measured, identical on the relaxed, simd and scalar builds: gelu 1.44e-2, gelu_tanh 1.43e-2,
 * silu 2.23e-2, tanh 5.66e-2, sigmoid 3.00e-2, relu 2.68e-5 (its one-polarity identity code, not a fit). Each tolerance is about 3x its function's error,
 * rounded up to one significant digit: tighter than the 10x the issue suggested, because 10x of the fitted
 * functions' errors (0.14 to 0.57) would pass a neuron that had stopped tracking its function.
 */
const ACTIVATION_TOLERANCE: Record<ActivationKind, number> = {
  gelu: 0.05,
  gelu_tanh: 0.05,
  silu: 0.07,
  tanh: 0.2,
  sigmoid: 0.09,
  relu: 7e-5,
};

describe('spiking operators against the float OpSet', () => {
  for (const [name, evaluation, calibrationInput] of REALISTIC) {
    it(`${name}: on realistic inputs within the bound at T = 16, and more accurate as T grows`, () => {
      const op = CASES.find((c) => c.name === name)!;
      const calibration = calibrate(calibrationInput(), [op]);
      const input = evaluation();
      const ref = op.run(new FloatOpSet(kernels), input);
      // the evaluation inputs reach past the calibrated ones: the paper's power-of-two ranges leave headroom
      const errors = [8, 12, 16].map((T) => {
        const { y, rows, n } = op.run(spiking(calibration, { T, identityRange: 'power-of-two' }), input);
        return rowError(y, ref.y, rows, n);
      });
      expect(errors[2]).toBeLessThanOrEqual(BOUND_T16[name]!);
      expect(errors[2]).toBeLessThanOrEqual((errors[0] as number) * 1.05);
    });

    it(`${name}: the default code (rounded to nearest, mse ranges) is at least as close as the paper's on calibrated inputs`, () => {
      const op = CASES.find((c) => c.name === name)!;
      const input = calibrationInput();
      const calibration = calibrate(input, [op]);
      const ref = op.run(new FloatOpSet(kernels), input);
      const error = (options: SpikingOptions) => {
        const { y, rows, n } = op.run(spiking(calibration, options), input);
        return rowError(y, ref.y, rows, n);
      };
      for (const T of [8, 16]) {
        const paper = error({ T, rounding: 'floor', identityRange: 'power-of-two' });
        const ours = error({ T });
        console.log(`${name} T = ${T}: row error ${ours.toExponential(2)} (paper's code ${paper.toExponential(2)})`);
        // measured: equal on softmax at T = 16 (its exp2 neuron dominates), 1.2x to 4x lower elsewhere
        expect(ours).toBeLessThanOrEqual(paper * 1.01);
      }
    });
  }

  for (const kind of ACTIVATION_KINDS) {
    it(`activation ${kind}: its neuron on the calibrated domain tracks the float function`, () => {
      const input = activationInputs(3);
      const calibrating = new CalibratingOpSet(kernels);
      const out = new Float32Array(input.n);
      calibrating.activation('act', kind, out, activationInputs(103).x, input.n);
      const ops = spiking(calibrating.calibration, { T: 16 });
      const ref = new Float32Array(input.n);
      new FloatOpSet(kernels).activation('act', kind, ref, input.x, input.n);
      ops.activation('act', kind, out, input.x, input.n);
      const error = rowError(out, ref, 1, input.n);
      const tolerance = ACTIVATION_TOLERANCE[kind];
      console.log(
        `activation ${kind} (${kernels.variant} build): row error ${error.toExponential(2)} (tolerance ${tolerance})`,
      );
      expect(error).toBeLessThanOrEqual(tolerance);
      if (kind === 'relu') {
        // ReLU is the one-polarity identity code: nothing fitted
        expect(ops.context.activationNeurons.get('act')).toBeUndefined();
        return;
      }
      const entry = ops.context.activationNeurons.get('act')!;
      expect(entry.domain[0]).toBeLessThanOrEqual(Math.min(...input.x));
      expect(entry.domain[1]).toBeGreaterThanOrEqual(Math.max(...input.x));
    });
  }

  for (const input of edgeRows()) {
    it(`edge case "${input.name}": every operator gives finite outputs close to float`, () => {
      const cases = CASES.filter((c) => c.name !== 'causal softmax' || input.n >= input.rows);
      const calibration = calibrate(input, cases);
      for (const op of cases) {
        const ref = op.run(new FloatOpSet(kernels), input);
        const { y, rows, n } = op.run(spiking(calibration, { T: 16 }), input);
        for (let i = 0; i < rows * n; i++) expect(Number.isFinite(y[i]), `${op.name} [${i}]`).toBe(true);
        // Zero-variance rows have no scale to normalise by; softmax of equal values must stay uniform. Measured
        // worst over the cases and operators: 5.3e-3 (softmax, all negative); 1.3e-3 on one huge value.
        expect(rowError(y, ref.y, rows, n), op.name).toBeLessThan(0.02);
      }
    });
  }

  it('softmax rows sum to one and equal logits give a uniform row; norms of a constant row give beta', () => {
    const input = edgeRows()[0]!; // equal values
    const calibration = calibrate(input, CASES);
    const ops = spiking(calibration, { T: 16 });
    const y = input.x.slice();
    ops.softmax('softmax', y, input.rows, input.n);
    for (let j = 0; j < input.n; j++) expect(y[j]).toBeCloseTo(1 / input.n, 3);
    const { gamma, beta } = params(input.n, 11);
    const ln = new Float32Array(input.rows * input.n);
    ops.layerNorm('ln', ln, input.x, gamma, beta, input.rows, input.n, 1e-5);
    for (let j = 0; j < input.n; j++) expect(ln[j]).toBeCloseTo(beta[j] as number, 6);
  });
});

/** The codes both modes must agree on: binary, signed digits, and signed digits with per-family timesteps. */
const MODE_VARIANTS: readonly [string, Omit<SpikingOptions, 'T'>][] = [
  ['binary code', {}],
  ['signed-digit code', { code: 'signed-digit' }],
  [
    'signed digits, per-family T',
    { code: 'signed-digit', siteT: { multiplications: 7, softmax: 9, norms: 10, linearInputs: 8, activations: 11 } },
  ],
  ['signed digits, spike-aware rounding', { code: 'signed-digit', spikeCost: 0.5 }],
  ['binary code floored, spike-aware rounding', { rounding: 'floor', spikeCost: 2 }],
];

describe('equivalent and spike-driven modes', () => {
  for (const [name, evaluation, calibrationInput] of REALISTIC) {
    it.each(MODE_VARIANTS)(
      `${name}, %s: same outputs within 1e-5 and SOPs equal to the prediction from spike totals`,
      (_, variant) => {
        const op = CASES.find((c) => c.name === name)!;
        const calibration = calibrate(calibrationInput(), [op]);
        const input = evaluation();
        const equivalent = spiking(calibration, { ...variant, T: 12, mode: 'equivalent' });
        const driven = spiking(calibration, { ...variant, T: 12, mode: 'spike-driven' });
        const a = op.run(equivalent, input);
        const b = op.run(driven, input);
        let scale = 0;
        for (const v of a.y) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < a.y.length; i++)
          expect(Math.abs((a.y[i] as number) - (b.y[i] as number))).toBeLessThanOrEqual(1e-5 * scale);
        const sops = (ops: SpikingOpSet) => ops.counters.all().map((c) => [c.site, c.spikes, c.sops]);
        expect(sops(driven)).toEqual(sops(equivalent));
        expect(equivalent.counters.all().some((c) => c.sops > 0)).toBe(true);
      },
    );
  }
});

describe('equivalent and spike-driven modes, activations', () => {
  it('every activation gives the same outputs and SOPs in both modes', () => {
    const input = activationInputs(3);
    for (const kind of ACTIVATION_KINDS) {
      const calibrating = new CalibratingOpSet(kernels);
      calibrating.activation('act', kind, new Float32Array(input.n), input.x, input.n);
      const run = (mode: 'equivalent' | 'spike-driven') => {
        const ops = spiking(calibrating.calibration, { T: 12, mode });
        const out = new Float32Array(input.n);
        ops.activation('act', kind, out, input.x, input.n);
        return { out, counters: ops.counters.all().map((c) => [c.spikes, c.sops]) };
      };
      const a = run('equivalent');
      const b = run('spike-driven');
      expect(Array.from(b.out), kind).toEqual(Array.from(a.out));
      expect(b.counters, kind).toEqual(a.counters);
    }
  });
});

describe('spiking options', () => {
  it('reject bad values with errors that name the option', () => {
    const calibration = new Map();
    const make = (options: Record<string, unknown>) => () =>
      new SpikingOpSet({ kernels, calibration, options: options as unknown as SpikingOptions });
    expect(make({ T: 0 })).toThrow(/option T must be an integer in \[1, 32\], got 0/);
    expect(make({ T: 8.5 })).toThrow(/option T must be an integer/);
    expect(make({ T: 8, activationBases: 9 })).toThrow(/activationBases must be an integer in \[1, 8\]/);
    expect(make({ T: 8, mode: 'fast' })).toThrow(/mode must be "equivalent" or "spike-driven", got "fast"/);
    expect(make({ T: 8, ranges: 'auto' })).toThrow(/ranges must be "static" or "dynamic"/);
    expect(make({ T: 8, spiking: { attention: true } })).toThrow(/spiking.attention is not an op family/);
    expect(make({ T: 8, domainMargin: -1 })).toThrow(/domainMargin must be a number in \[0, 10\]/);
    expect(make({ T: 8, rounding: 'up' })).toThrow(/option rounding must be "nearest" or "floor", got "up"/);
    expect(make({ T: 8, identityRange: 7 })).toThrow(
      /option identityRange must be "mse" or "max" or "power-of-two", got 7/,
    );
    expect(make({ T: 8, code: 'naf' })).toThrow(/option code must be "binary" or "signed-digit", got "naf"/);
    expect(make({ T: 8, activationFit: 'weighted' })).toThrow(
      /option activationFit must be "uniform" or "calibrated", got "weighted"/,
    );
    expect(make({ T: 8, spikeCost: -0.1 })).toThrow(/option spikeCost must be a number in \[0, 16\], got -0.1/);
    expect(make({ T: 8, spikeCost: Number.NaN })).toThrow(/option spikeCost must be a number in \[0, 16\], got NaN/);
    expect(make({ T: 8, spikeCost: '1' })).toThrow(/option spikeCost must be a number in \[0, 16\], got "1"/);
    expect(make({ T: 8, siteT: 'layer0' })).toThrow(/option siteT must be an object of site or family names/);
    expect(make({ T: 8, siteT: { norms: 33 } })).toThrow(
      /option siteT\["norms"\] must be an integer in \[1, 32\], got 33/,
    );
  });

  it('an uncalibrated site is an error, not a silent guess', () => {
    const ops = new SpikingOpSet({ kernels, calibration: new Map(), options: { T: 8 } });
    const x = new Float32Array(8).fill(1);
    expect(() => ops.mul('nowhere', new Float32Array(8), x, x, 8)).toThrow(
      /site "nowhere" has no calibrated range for its operand "a"/,
    );
  });

  it('families left float are float, and counted as residual MACs', () => {
    const input = layerNormInputs(2);
    const op = CASES.find((c) => c.name === 'layerNorm')!;
    const calibration = calibrate(input, [op]);
    const ops = spiking(calibration, { T: 8, spiking: { norms: false } });
    const ref = op.run(new FloatOpSet(kernels), input);
    expect(Array.from(op.run(ops, input).y)).toEqual(Array.from(ref.y));
    const counters = ops.counters.all()[0]!;
    expect(counters.spiking).toBe(false);
    expect(counters.residualMacs).toBe(counters.floatMacs);
  });

  it('dynamic ranges follow each tensor and are counted as comparisons', () => {
    const input = activationInputs(3);
    const calibration = calibrate(
      input,
      CASES.filter((c) => c.name === 'mul'),
    );
    const ops = spiking(calibration, { T: 12, ranges: 'dynamic' });
    const op = CASES.find((c) => c.name === 'mul')!;
    const ref = op.run(new FloatOpSet(kernels), input);
    // measured 4.2e-4 on every build; held to about 10x
    expect(rowError(op.run(ops, input).y, ref.y, 1, input.n)).toBeLessThan(5e-3);
    expect(ops.counters.all()[0]!.comparisons).toBe(2 * input.n);
  });
});

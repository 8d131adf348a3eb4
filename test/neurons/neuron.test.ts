import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import {
  checkNeuron,
  identityNeuron,
  neuronTables,
  simulate,
  type FsNeuron,
  type MbeNeuron,
} from '../../src/neurons/neuron.js';
import { shippedNeurons } from '../../src/neurons/table.js';
import { seededRandom, uniform } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/**
 * The neuron equations evaluated in float64 on the neuron's float32 tables, every spike recorded.
 * `storage` 'f32' rounds the membrane state and the output sums to float32 after each update, as the
 * state is stored in the kernel; 'f64' keeps everything in float64 and records how close each spike
 * decision came to its threshold.
 */
function reference64(neuron: MbeNeuron | FsNeuron, x: Float32Array, storage: 'f32' | 'f64') {
  const round = storage === 'f32' ? Math.fround : (v: number) => v;
  const t = neuronTables(neuron);
  const { N, T } = t;
  const y = new Float64Array(x.length);
  const spikes = new Uint8Array(N * T * x.length); // (N, T, n)
  const margin = new Float64Array(N * T * x.length); // (N, T, n) |u - Vth| / max(1, |Vth|)
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const input = neuron.signMagnitude ? Math.abs(xi) : xi;
    let acc = 0;
    for (let n = 0; n < N; n++) {
      let u = round((t.polarity[n] as number) * round(input - (t.shift[n] as number)));
      let o = 0;
      for (let s = 0; s < T; s++) {
        const th = t.vth[n * T + s] as number;
        margin[(n * T + s) * x.length + i] = Math.abs(u - th) / Math.max(1, Math.abs(th));
        if (u >= th) {
          u = round(u - (t.reset[n * T + s] as number));
          o = round(o + (t.intensity[n * T + s] as number));
          spikes[(n * T + s) * x.length + i] = 1;
        }
      }
      acc = round(acc + round((t.weight[n] as number) * o));
    }
    const value = round(acc + t.bias);
    y[i] = neuron.signMagnitude && xi < 0 ? -value : value;
  }
  return { y, spikes, margin };
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`neuron simulation, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    it('every shipped neuron matches the equations with float32 state: same spikes, outputs within 1e-6', () => {
      const random = seededRandom(17);
      let checked = 0;
      for (const entry of shippedNeurons()) {
        const [a, b] = entry.domain;
        const x = uniform(random, 2000, a, b);
        const expected = reference64(entry.neuron, x, 'f32');
        const exact = reference64(entry.neuron, x, 'f64');
        const tables = neuronTables(entry.neuron);
        const got = kernels.membraneSpikes(x, tables, { signMagnitude: entry.neuron.signMagnitude });
        let flips = 0;
        let divergedAwayFromTies = 0;
        for (let n = 0; n < tables.N; n++) {
          for (let i = 0; i < x.length; i++) {
            let diverged = false;
            for (let t = 0; t < tables.T; t++) {
              const p = n * tables.T + t;
              const bit = ((got.planes.bits[p * got.planes.words + (i >>> 5)] as number) >>> (i & 31)) & 1;
              if (bit !== expected.spikes[p * x.length + i]) flips++;
              // Pure float64 may first part ways with float32 state only at a float32-rounding tie.
              if (!diverged && bit !== exact.spikes[p * x.length + i]) {
                diverged = true;
                if ((exact.margin[p * x.length + i] as number) > 1e-5) divergedAwayFromTies++;
              }
            }
          }
        }
        expect(flips, `${entry.target} T=${entry.T}: spikes differing from float32-state equations`).toBe(0);
        expect(divergedAwayFromTies, `${entry.target} T=${entry.T}: float64 divergences away from ties`).toBe(0);
        let worst = 0;
        for (let i = 0; i < x.length; i++) {
          const scale = Math.max(1, Math.abs(expected.y[i] as number));
          worst = Math.max(worst, Math.abs((got.y[i] as number) - (expected.y[i] as number)) / scale);
        }
        expect(worst, `${entry.target} T=${entry.T}`).toBeLessThanOrEqual(1e-6);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(40);
    });

    it('the FS binary code is exact T-bit quantisation', () => {
      for (const T of [4, 8, 16]) {
        const alpha = 8;
        const code = Array.from({ length: T }, (_, t) => alpha * 2 ** -(t + 1));
        const fs: FsNeuron = { kind: 'fs', T, vth: code, reset: code, intensity: code, signMagnitude: false };
        const step = alpha * 2 ** -T;
        const x = Float32Array.from({ length: 3001 }, (_, i) => (i - 500) * step * 0.41);
        const y = simulate(kernels, fs, x);
        for (let i = 0; i < x.length; i++) {
          const q = Math.min(Math.max(Math.floor((x[i] as number) / step), 0), 2 ** T - 1) * step;
          expect(y[i]).toBe(q);
        }
      }
    });

    it('the identity neuron quantises |x| to T bits of its range and keeps the sign', () => {
      const T = 10;
      const alpha = 4;
      const step = alpha * 2 ** -T;
      const x = Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) * step * 0.53);
      const y = simulate(kernels, identityNeuron(T, alpha), x);
      for (let i = 0; i < x.length; i++) {
        const m = Math.min(Math.floor(Math.abs(x[i] as number) / step), 2 ** T - 1) * step;
        expect(y[i]).toBe((x[i] as number) < 0 ? -m : m);
      }
    });
  });
}

describe('neuron records', () => {
  const valid: MbeNeuron = identityNeuron(8, 2);

  it('reject out-of-range T or N, wrong lengths, NaN, bad polarity and negative decay', () => {
    expect(() => checkNeuron({ ...valid, T: 0 })).toThrow(/neuron.T must be an integer in \[1, 32\], got 0/);
    expect(() => checkNeuron({ ...valid, T: 33 })).toThrow(/neuron.T/);
    expect(() => checkNeuron({ ...valid, N: 9 })).toThrow(/neuron.N must be an integer in \[1, 8\], got 9/);
    expect(() => checkNeuron({ ...valid, aV: [1, 2] })).toThrow(/neuron.aV must be an array of 1 numbers/);
    expect(() => checkNeuron({ ...valid, weight: [NaN] })).toThrow(
      /neuron.weight\[0\] must be a finite number, got NaN/,
    );
    expect(() => checkNeuron({ ...valid, polarity: [0] })).toThrow(/polarity\[0\] must be \+1 or -1/);
    expect(() => checkNeuron({ ...valid, lamV: [-0.1] })).toThrow(/lamV\[0\] must be >= 0/);
    expect(() => checkNeuron({ ...valid, bias: Infinity })).toThrow(/bias must be a finite number/);
    const fs: FsNeuron = { kind: 'fs', T: 2, vth: [1, 0.5], reset: [1], intensity: [1, 0.5], signMagnitude: false };
    expect(() => checkNeuron(fs)).toThrow(/neuron.reset must be an array of 2 numbers/);
    expect(() => identityNeuron(8, 0)).toThrow(/alpha must be a positive finite number/);
  });

  it('derive tables once per record: Vth = aV exp(-lamV t), r = aR exp(-lamR t), d = exp(-lamD t)', () => {
    const neuron: MbeNeuron = {
      ...valid,
      N: 2,
      polarity: [1, -1],
      shift: [0, 0.5],
      aV: [2, 3],
      aR: [1, 4],
      lamV: [0.5, 0],
      lamR: [0.25, 1],
      lamD: [0.1, 2],
      weight: [1, -1],
    };
    const t = neuronTables(neuron);
    expect(neuronTables(neuron)).toBe(t);
    for (let s = 0; s < 8; s++) {
      expect(t.vth[s]).toBe(Math.fround(2 * Math.exp(-0.5 * s)));
      expect(t.vth[8 + s]).toBe(3);
      expect(t.reset[8 + s]).toBe(Math.fround(4 * Math.exp(-s)));
      expect(t.intensity[s]).toBe(Math.fround(Math.exp(-0.1 * s)));
    }
  });
});

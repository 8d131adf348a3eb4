// The README's kernel example, executed: if this fails, the README is wrong.
import { describe, expect, it } from 'vitest';
import { loadKernels, shippedNeuron, simulate, TARGETS, type MembraneTables } from '../../src/index.js';

describe('README kernel example', () => {
  it('gives the values the README states', async () => {
    const kernels = await loadKernels();
    const T = 8;
    const code = Float32Array.from({ length: T }, (_, t) => 4 * 2 ** -(t + 1));
    const neuron: MembraneTables = {
      N: 1,
      T,
      polarity: Float32Array.of(1),
      shift: Float32Array.of(0),
      vth: code,
      reset: code,
      intensity: code,
      weight: Float32Array.of(1),
      bias: 0,
    };
    const x = Float32Array.of(-1.3, 0.2, 3.99);
    expect(Array.from(kernels.membrane(x, neuron, { signMagnitude: true }))).toEqual([-1.296875, 0.1875, 3.984375]);
    const spikes = kernels.membraneSpikes(x, neuron, { signMagnitude: true });
    const W = kernels.upload(new Float32Array(3 * 2).fill(1), 3, 2);
    const out = kernels.spikemm(spikes.planes, code, W);
    W.free();
    // Magnitudes summed (signs are kept separately in spikes.signs): 1.296875 + 0.1875 + 3.984375.
    expect(Array.from(out)).toEqual([5.46875, 5.46875]);
    const B = kernels.pack(new Float32Array(3 * 4).fill(0.5), 3, 4);
    expect(Array.from(kernels.gemm(Float32Array.of(1, 2, 3), B, 1, { bias: new Float32Array(4) }))).toEqual([
      3, 3, 3, 3,
    ]);
    B.free();
    const { mantissa, exponent } = kernels.frexp(Float32Array.of(6, 0.1));
    expect(Array.from(mantissa)).toEqual([0.75, Math.fround(0.8)]);
    expect(Array.from(exponent)).toEqual([3, -3]);
    expect(Array.from(kernels.ldexp(mantissa, exponent))).toEqual([6, Math.fround(0.1)]);
  });

  it('the neuron example runs: a shipped GELU neuron simulated on a few inputs', async () => {
    const kernels = await loadKernels();
    const gelu = shippedNeuron({ target: 'gelu', T: 16 });
    const y = simulate(kernels, gelu.neuron, Float32Array.of(-2, -0.5, 0, 0.5, 2));
    const exact = [-2, -0.5, 0, 0.5, 2].map((x) => TARGETS.gelu.f(x));
    y.forEach((v, i) => expect(Math.abs(v - (exact[i] as number))).toBeLessThan(0.1));
  });
});

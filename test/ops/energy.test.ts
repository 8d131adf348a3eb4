import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { energyReport, formatEnergyReport } from '../../src/metrics/energy.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import type { OpSet } from '../../src/ops/opset.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { gaussian, seededRandom } from '../../src/random.js';

/** A small pre-LN Transformer block over (S, D) written against an OpSet. */
function block(ops: OpSet, x: Float32Array, S: number, D: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const weights = (o: number, i: number) => Float32Array.from({ length: o * i }, () => gaussian(random) / Math.sqrt(i));
  const ones = new Float32Array(D).fill(1);
  const zeros = new Float32Array(D);
  const qkv = ops.prepareLinear(weights(3 * D, D), D, 3 * D);
  const proj = ops.prepareLinear(weights(D, D), D, D);
  const up = ops.prepareLinear(weights(2 * D, D), D, 2 * D);
  const down = ops.prepareLinear(weights(D, 2 * D), 2 * D, D);
  const h = new Float32Array(S * D); // (S, D)
  ops.layerNorm('layer0.ln1', h, x, ones, zeros, S, D, 1e-5);
  const q3 = new Float32Array(S * 3 * D); // (S, 3D)
  ops.linear('layer0.qkv', q3, h, qkv, S);
  const q = new Float32Array(S * D);
  const k = new Float32Array(S * D);
  const v = new Float32Array(S * D);
  for (let s = 0; s < S; s++) {
    q.set(q3.subarray(s * 3 * D, s * 3 * D + D), s * D);
    k.set(q3.subarray(s * 3 * D + D, s * 3 * D + 2 * D), s * D);
    v.set(q3.subarray(s * 3 * D + 2 * D, s * 3 * D + 3 * D), s * D);
  }
  const att = new Float32Array(S * S); // (S, S)
  ops.matmul('layer0.qk', att, q, k, S, D, S, { transposeB: true, scale: 1 / Math.sqrt(D) });
  ops.softmax('layer0.softmax', att, S, S, { causalOffset: 0 });
  const ctx = new Float32Array(S * D);
  ops.matmul('layer0.pv', ctx, att, v, S, S, D);
  const o = new Float32Array(S * D);
  ops.linear('layer0.proj', o, ctx, proj, S);
  const x1 = new Float32Array(S * D);
  ops.add('layer0.residual1', x1, x, o, S * D);
  ops.layerNorm('layer1.ln2', h, x1, ones, zeros, S, D, 1e-5);
  const u = new Float32Array(S * 2 * D);
  ops.linear('layer1.up', u, h, up, S);
  const g = new Float32Array(S * 2 * D);
  ops.activation('layer1.gelu', 'gelu', g, u, S * 2 * D);
  const d = new Float32Array(S * D);
  ops.linear('layer1.down', d, g, down, S);
  const out = new Float32Array(S * D);
  ops.add('layer1.residual2', out, x1, d, S * D);
  for (const layer of [qkv, proj, up, down]) layer.dispose();
  return out;
}

describe('energy report of a synthetic block', () => {
  it('lists per-site and per-layer firing rates, SOPs and float MACs, with Eq. 14 and its assumptions', async () => {
    const kernels = await Kernels.load();
    const S = 9;
    const D = 24;
    const random = seededRandom(1);
    const input = () => Float32Array.from({ length: S * D }, () => gaussian(random));
    const calibrating = new CalibratingOpSet(kernels);
    for (let i = 0; i < 4; i++) block(calibrating, input(), S, D, 7);
    const neurons = new NeuronProvider(kernels, { fit: { seeds: 1, epochs: 100, samples: 2000 } });
    const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 12 }, neurons });
    block(ops, input(), S, D, 7);
    const report = energyReport(ops.counters.all());
    const sites = new Map(report.sites.map((s) => [s.site, s]));
    for (const name of [
      'layer0.ln1',
      'layer0.qkv',
      'layer0.qk',
      'layer0.softmax',
      'layer0.pv',
      'layer1.gelu',
      'layer1.down',
    ]) {
      const site = sites.get(name)!;
      expect(site, name).toBeDefined();
      expect(site.spiking, name).toBe(true);
      expect(site.firingRate, name).toBeGreaterThan(0);
      expect(site.firingRate, name).toBeLessThan(1);
      expect(site.sops, name).toBeGreaterThan(0);
      expect(site.floatMacs, name).toBeGreaterThan(0);
    }
    expect(sites.get('layer0.qkv')!.floatMacs).toBe(S * D * 3 * D);
    expect(sites.get('layer0.residual1')!.spiking).toBe(false);
    expect(report.groups.map((g) => g.group)).toEqual(['layer0', 'layer1']);
    expect(report.totals.residualMacs).toBe(0); // every family spiking, every linear input encoded
    expect(report.totals.ratio).toBeGreaterThan(0);
    expect(report.totals.ratio).toBe((report.totals.sops * 0.9) / (report.totals.floatMacs * 4.6));
    const text = formatEnergyReport(report);
    expect(text).toMatch(/layer0\s+\d+\.\d+%/);
    expect(text).toMatch(/E_AC = 0\.9 pJ, E_MAC = 4\.6 pJ/);
    expect(text).toMatch(/SOPs: one accumulate per spike/);
    expect(text).toMatch(/70 FLOPs/);
    expect(() => energyReport([], { eAcPj: 0, eMacPj: 4.6 })).toThrow(/eAcPj must be a positive number of pJ/);
  });
});

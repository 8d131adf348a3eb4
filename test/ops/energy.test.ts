import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { ENERGY_PRESETS, energyReport, formatEnergyReport } from '../../src/metrics/energy.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { gaussian, seededRandom } from '../../src/random.js';
import { block } from '../helpers/synthetic-block.js';

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

    // the ANN at its own precision: the same MACs at 4.6, 1.5 and 0.23 pJ against the same E_SNN
    const snn = report.totals.sops * 0.9;
    expect(report.annAtPrecision.map((c) => [c.precision, c.eMacPj])).toEqual([
      ['fp32', 4.6],
      ['fp16', 1.5],
      ['int8', 0.23],
    ]);
    for (const c of report.annAtPrecision) expect(c.ratio).toBe(snn / (report.totals.floatMacs * c.eMacPj));
    expect(text).toMatch(
      /Against an ANN at its own precision .*: fp32 \(E_MAC = 4\.6 pJ\) \d+\.\d\d%, fp16 .*int8 \(E_MAC = 0\.23 pJ\)/,
    );
    // an fp16 spiking model against an fp16 ANN
    const fp16 = energyReport(ops.counters.all(), ENERGY_PRESETS.fp16);
    expect(fp16.totals.ratio).toBe((fp16.totals.sops * 0.4) / (fp16.totals.floatMacs * 1.5));

    // the memory-access term: elements moved as the op table counts them, each side's bytes as stated
    const qkv = sites.get('layer0.qkv')!;
    expect([qkv.weightElements, qkv.inputElements, qkv.outputElements]).toEqual([D * 3 * D, S * D, S * 3 * D]);
    const withMemory = energyReport(ops.counters.all(), undefined, { pjPerByte: 2 });
    const m = withMemory.memory!;
    let snnBytes = 0;
    let elements = 0;
    for (const c of report.sites) {
      snnBytes += 4 * c.weightElements + (c.spiking ? c.neuronSteps / 8 : 4 * c.inputElements) + 4 * c.outputElements;
      elements += c.weightElements + c.inputElements + c.outputElements;
    }
    expect(m.snnBytes).toBe(snnBytes);
    expect(m.annBytes).toBe(4 * elements);
    expect(m.ratio).toBeCloseTo((snn + 2 * snnBytes) / (report.totals.floatMacs * 4.6 + 2 * 4 * elements), 12);
    const int8 = m.annAtPrecision.find((c) => c.precision === 'int8')!;
    expect(int8.annBytes).toBe(elements);
    expect(int8.ratio).toBeCloseTo((snn + 2 * snnBytes) / (report.totals.floatMacs * 0.23 + 2 * elements), 12);
    expect(formatEnergyReport(withMemory)).toMatch(
      /With memory access at 2 pJ\/byte: the spiking model moves [\d.]+ MB/,
    );
    expect(withMemory.totals.ratio).toBe(report.totals.ratio); // Eq. 14 itself is unchanged
    expect(() => energyReport([], undefined, { pjPerByte: -1 })).toThrow(/memory pjPerByte must be a positive number/);
  });
});

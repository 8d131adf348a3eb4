// Figures the README derives from the benchmark results: recomputed here from bench/results/*.json, so the
// prose cannot drift from the counters it quotes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README } from '../helpers/readme.js';

interface EvalResult {
  spiking: { accuracy: number };
  energy: {
    totals: { ratio: number };
    sites: Array<{ family: string; neuronInputs: number; spikes: number; neuronSteps: number }>;
  };
}

const result = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../bench/results/${name}`, import.meta.url), 'utf8')) as EvalResult;

/** Spikes per input and firing rate of the linear-layer input sites, from their own counters. */
function linearInputs(r: EvalResult): { perInput: string; rate: string } {
  const sites = r.energy.sites.filter((s) => s.family === 'linearInputs');
  const sum = (key: 'neuronInputs' | 'spikes' | 'neuronSteps') => sites.reduce((a, s) => a + s[key], 0);
  return {
    perInput: (sum('spikes') / sum('neuronInputs')).toFixed(1),
    rate: `${Math.round((100 * sum('spikes')) / sum('neuronSteps'))}%`,
  };
}

describe('README figures', () => {
  it("spikes per linear-layer input at T = 16 are the linear sites' counts", () => {
    const stories = linearInputs(result('eval-llama2c-T16.json'));
    const vit = linearInputs(result('eval-vit-T16.json'));
    console.log(`linear inputs: stories260K ${stories.perInput} (${stories.rate}), ViT ${vit.perInput} (${vit.rate})`);
    expect(README.replace(/\s+/g, ' ')).toContain(
      `each input carries ${stories.perInput} spikes (stories260K: ${stories.rate} of its 16 steps) and ${vit.perInput} (ViT: ${vit.rate})`,
    );
  });

  it('the LeNet-5 table is the eval and sweep results', () => {
    const timesteps = [16, 10, 8, 6, 4];
    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const table = README.replace(/ +/g, ' ').replace(/\| \|/g, '| |');
    const sweep = (name: string) =>
      JSON.parse(readFileSync(new URL(`../../bench/results/${name}`, import.meta.url), 'utf8')) as {
        float: number;
        cells: Array<{ T: number; value: number }>;
      };
    for (const [file, label] of [
      ['sweep-lenet5.json', 'max pooling spiking'],
      ['sweep-lenet5-pool-float.json', 'max pooling float'],
    ] as const) {
      const s = sweep(file);
      const cells = timesteps.map((T) => s.cells.find((c) => c.T === T)!.value.toFixed(2));
      expect(table).toContain(row([`LeNet-5, MNIST top-1 %, ${label}`, s.float.toFixed(2), ...cells]));
    }
    const energy = timesteps.map((T) => `${(100 * result(`eval-lenet5-T${T}.json`).energy.totals.ratio).toFixed(1)}%`);
    expect(table).toContain(row(['LeNet-5, E_SNN / E_ANN (fp32, Eq. 14)', '', ...energy]).replace('|  |', '| |'));
  });
});

// Per-site timesteps allocated on calibration inputs: within the budget as measured, cheaper than every site at the
// largest level, stated site by site in the report, and unchanged when only the evaluated set changes.
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels/index.js';
import { recogniseArchitecture, type CausalLMEntry } from '../../src/models/registry.js';
import { allocateTimesteps } from '../../src/tasks/allocate.js';
import { evaluateCausalLMIds, parseIdLines } from '../../src/tasks/language-model.js';
import { allocationRequest } from '../../src/cli/allocation-args.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { fixtureFiles, idLines, quickNeurons } from './helpers.js';

describeFixtures('timestep allocation on llama-tiny-hot', () => {
  const setup = (async () => {
    const kernels = await Kernels.load();
    const files = await fixtureFiles('llama-tiny-hot');
    const entry = recogniseArchitecture(files) as CausalLMEntry;
    return { kernels, entry, files, neurons: quickNeurons(kernels) };
  })();

  it('meets its budget on the calibration inputs, saves energy, and depends on nothing else', async () => {
    const { kernels, entry, files, neurons } = await setup;
    // the last 3 lines calibrate; the evaluated lines differ between the two runs
    const lines = parseIdLines(idLines([24, 20, 28, 20, 24, 32, 32, 32], 1000, 5), 'ids.txt');
    const budget = { metric: 'kl', value: 0.02 } as const;
    const run = (evaluate: number, skip: number, replayMegabytes?: number) =>
      evaluateCausalLMIds(
        kernels,
        entry.load(files).builder,
        [...lines.slice(skip, skip + evaluate), ...lines.slice(5)],
        'ids.txt',
        {
          spiking: { T: 12, code: 'signed-digit' },
          neurons,
          calibrate: 3,
          allocate: {
            budget,
            levels: [12, 8, 6],
            codeLevels: [5, 4],
            ...(replayMegabytes === undefined ? {} : { replayMegabytes }),
          },
        },
      );
    const first = run(2, 0);
    const second = run(3, 2);
    const computed = run(2, 0, 0); // no recording: every sensitivity run computes every call
    const a = first.allocation!;
    console.log(
      `allocation: KL ${a.uniform.kl.toExponential(2)} -> ${a.allocated.kl.toExponential(2)}, E ${a.uniform.energyRatio.toFixed(3)} -> ` +
        `${a.allocated.energyRatio.toFixed(3)}, ${a.evaluations} runs, ${(100 * a.replayed).toFixed(1)}% of the ` +
        `sensitivity runs' calls replayed, ${a.seconds} s (${computed.allocation!.seconds} s with none), ${JSON.stringify(a.siteT)}`,
    );
    expect(second.allocation!.siteT).toEqual(a.siteT);
    // replaying the upstream calls changes nothing measured, only the time
    expect(computed.allocation!.replayed).toBe(0);
    expect(a.replayed).toBeGreaterThan(0.3);
    expect(computed.allocation!.sensitivities).toEqual(a.sensitivities);
    expect(computed.allocation!.siteT).toEqual(a.siteT);
    expect(a.withinBudget).toBe(true);
    expect(a.allocated.kl).toBeLessThanOrEqual(budget.value);
    expect(a.allocated.energyRatio).toBeLessThan(a.uniform.energyRatio);
    expect(Object.values(a.siteT).some((T) => T < 12)).toBe(true);
    // every spiking site has its chosen T in the report, and the spiking model ran with it
    const reported = Object.fromEntries(
      first.conversion.report.sites.filter((s) => s.spiking).map((s) => [s.site, s.T]),
    );
    expect(reported).toEqual(a.siteT);
    expect(first.conversion.report.options.siteT).toEqual(a.siteT);
    // below the smallest level (6) only the sites with no fitted neuron are tried: codeLevels 5 and 4
    expect(a.codeLevels).toEqual([5, 4]);
    const codeOnly = new Set(['linearInputs', 'multiplications', 'pooling']);
    for (const s of a.sensitivities) {
      const tried = s.levels.map((l) => l.T);
      if (codeOnly.has(s.family)) expect([12, 8, 6, 5, 4].slice(0, tried.length)).toEqual(tried);
      else expect(tried.every((T) => T >= 6)).toBe(true);
    }
    expect(a.sensitivities.some((s) => s.levels.some((l) => l.T < 6))).toBe(true);
  }, 180_000);
});

describe('allocation requests', () => {
  it('reject bad budgets and levels with errors that name them', async () => {
    const kernels = await Kernels.load();
    const calibrated = { calibration: new Map(), siteOps: new Map() };
    const probe = { run: () => ({ logits: new Float32Array(0), classes: 1 }) };
    const allocate = (request: unknown) => () =>
      allocateTimesteps(kernels, () => ({ dispose() {} }), calibrated, probe, { spiking: { T: 8 } }, request as never);
    expect(allocate({ budget: { metric: 'ppl', value: 1 } })).toThrow(
      /budget must be \{ metric: "kl" \| "agreement", value \}/,
    );
    expect(allocate({ budget: { metric: 'agreement', value: 1.5 } })).toThrow(/agreement must be in \[0, 1\], got 1.5/);
    expect(allocate({ budget: { metric: 'kl', value: 0.1 }, levels: [12, 0] })).toThrow(
      /levels must be integers in \[1, 32\]/,
    );
    expect(allocate({ budget: { metric: 'kl', value: 0.1 }, levels: [8, 8] })).toThrow(/levels repeat a value/);
    expect(allocate({ budget: { metric: 'kl', value: 0.1 }, levels: [12, 6], codeLevels: [6] })).toThrow(
      /codeLevels must be distinct integers in \[1, 5\] \(below the levels\), got 6/,
    );
    expect(allocate({ budget: { metric: 'kl', value: 0.1 }, levels: [12, 6], codeLevels: [3, 3] })).toThrow(
      /codeLevels must be distinct/,
    );
    expect(allocate({ budget: { metric: 'kl', value: 0.1 }, replayMegabytes: -1 })).toThrow(
      /replayMegabytes must be in \[0, 16384\], got -1/,
    );
    expect(allocationRequest({ budget: 'kl:0.004', levels: '12,8' })).toEqual({
      budget: { metric: 'kl', value: 0.004 },
      levels: [12, 8],
    });
    expect(() => allocationRequest({ budget: 'ppl:1' })).toThrow(/--budget takes kl:<nats below 100> or agreement/);
    expect(() => allocationRequest({ budget: 'agreement:2' })).toThrow(/--budget takes/);
    expect(() => allocationRequest({ budget: 'kl:0.1', levels: '12,x' })).toThrow(
      /--levels takes timesteps in 1\.\.32/,
    );
    expect(() => allocationRequest({ levels: '12' })).toThrow(/--levels needs --budget/);
    expect(() => allocationRequest({ 'code-levels': '4' })).toThrow(/--code-levels needs --budget/);
    expect(allocationRequest({ budget: 'kl:0.004', 'code-levels': 'none' })).toEqual({
      budget: { metric: 'kl', value: 0.004 },
      codeLevels: [],
    });
    expect(() => allocationRequest({ budget: 'kl:0.1', 'code-levels': '5,40' })).toThrow(
      /--code-levels takes timesteps in 1\.\.32, e\.g\. 5,4; got "5,40"/,
    );
  });
});

// Replaying a recorded run (ReplayOpSet): a run that lowers one site's T returns the recorded outputs of the calls
// upstream of that site. Its outputs, and the studied site's counters, must be those of a run that computes every
// call.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import { OpRecording, ReplayOpSet } from '../../src/ops/replay.js';
import type { OpSet } from '../../src/ops/opset.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { gaussian, seededRandom } from '../../src/random.js';
import { block } from '../helpers/synthetic-block.js';

const S = 9;
const D = 24;
/** The block's sites in call order; the residual additions are not spiking sites and are not studied. */
const SITES = [
  'layer0.ln1',
  'layer0.qkv',
  'layer0.qk',
  'layer0.softmax',
  'layer0.pv',
  'layer0.proj',
  'layer0.residual1',
  'layer1.ln2',
  'layer1.up',
  'layer1.gelu',
  'layer1.down',
  'layer1.residual2',
];

let kernels: Kernels;
let spiking: (siteT: Record<string, number>) => SpikingOpSet;
/** Two sequences through the block (two calls of each site, as a probe's inputs give them). */
let inputs: Float32Array[];

beforeAll(async () => {
  kernels = await Kernels.load();
  const random = seededRandom(3);
  const input = () => Float32Array.from({ length: S * D }, () => gaussian(random)); // (S, D)
  const calibrating = new CalibratingOpSet(kernels);
  for (let i = 0; i < 3; i++) block(calibrating, input(), S, D, 7);
  inputs = [input(), input()];
  const neurons = new NeuronProvider(kernels, { fit: { seeds: 1, epochs: 100, samples: 2000 } });
  spiking = (siteT) =>
    new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 8, siteT }, neurons });
});

const run = (ops: OpSet) => inputs.map((x) => block(ops, x, S, D, 7));
const bits = (outputs: Float32Array[]) => outputs.map((o) => Array.from(new Int32Array(o.buffer)));
const countersOf = (ops: SpikingOpSet, site: string) => ops.counters.all().filter((c) => c.site === site);

describe('ReplayOpSet', () => {
  it('records a run and gives, with one site lowered, the outputs and site counters of a full run', () => {
    const recording = new OpRecording(64 * 2 ** 20);
    const uniform = run(new ReplayOpSet(spiking({}), recording));
    expect(recording.complete).toBe(true);
    expect(recording.calls.map((c) => c.site)).toEqual([...SITES, ...SITES]);
    SITES.forEach((site, index) => {
      if (site.includes('residual')) return;
      const full = spiking({ [site]: 6 });
      const expected = run(full);
      // the lowered site changes the output: a replay of its own calls would be caught
      expect(bits(expected), site).not.toEqual(bits(uniform));
      const inner = spiking({ [site]: 6 });
      const replay = new ReplayOpSet(inner, recording, site);
      expect(bits(run(replay)), site).toEqual(bits(expected));
      expect(countersOf(inner, site), site).toEqual(countersOf(full, site));
      // in both sequences, the calls upstream of the site were replayed and every other call computed
      expect(replay.statistics, site).toEqual({ replayed: 2 * index, computed: 2 * (SITES.length - index) });
    });
  });

  it('computes the calls past its memory budget, with the same outputs', () => {
    const complete = new OpRecording(64 * 2 ** 20);
    run(new ReplayOpSet(spiking({}), complete));
    const firstThree = complete.calls
      .slice(0, 3)
      .reduce((n, c) => n + 4 * (c.writes.length + c.reads.reduce((m, r) => m + r.length, 0)), 0);
    const recording = new OpRecording(firstThree);
    run(new ReplayOpSet(spiking({}), recording));
    expect(recording.complete).toBe(false);
    expect(recording.calls.length).toBe(3);
    const site = 'layer1.down';
    const replay = new ReplayOpSet(spiking({ [site]: 6 }), recording, site);
    expect(bits(run(replay))).toEqual(bits(run(spiking({ [site]: 6 }))));
    expect(replay.statistics.replayed).toBe(3);
  });

  it('computes a call whose inputs differ from the recorded ones', () => {
    const recording = new OpRecording(64 * 2 ** 20);
    run(new ReplayOpSet(spiking({}), recording));
    const second = inputs[1]!;
    second[5] = -(second[5] as number); // the second sequence now differs from its first call on
    const site = 'layer1.down';
    const replay = new ReplayOpSet(spiking({ [site]: 6 }), recording, site);
    expect(bits(run(replay))).toEqual(bits(run(spiking({ [site]: 6 }))));
    expect(replay.statistics.replayed).toBe(SITES.indexOf(site));
    second[5] = -(second[5] as number);
  });
});

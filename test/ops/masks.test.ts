// Softmax with a key mask (padding keys, as BERT-style attention masks give them) in every OpSet: masked
// columns get probability 0, the rest is the softmax over the visible keys, spiking close to float and the
// two spiking modes alike.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels, NeuronProvider } from '../../src/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { gaussian, seededRandom } from '../../src/random.js';

const rows = 5;
const n = 9;
const keyMask = [1, 1, 0, 1, 1, 0, 1, 1, 0]; // (n) 0: a padding key

let kernels: Kernels;
beforeAll(async () => {
  kernels = await Kernels.load();
});

function scores(seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: rows * n }, () => 3 * gaussian(random)); // (rows, n)
}

/** Softmax of one row over the visible columns, in float64: the independent reference. */
function reference(row: Float32Array, visible: (j: number) => boolean): number[] {
  const kept = [...row].filter((_, j) => visible(j));
  const max = Math.max(...kept);
  const sum = kept.reduce((s, v) => s + Math.exp(v - max), 0);
  return [...row].map((v, j) => (visible(j) ? Math.exp(v - max) / sum : 0));
}

describe('softmax key mask', () => {
  it('float: masked keys get 0, the rest match the reference, with and without a causal mask', () => {
    for (const causalOffset of [undefined, 2]) {
      const x = scores(1);
      const expected = Array.from({ length: rows }, (_, r) =>
        reference(
          x.subarray(r * n, (r + 1) * n),
          (j) => keyMask[j] === 1 && (causalOffset === undefined || j <= causalOffset + r),
        ),
      ).flat();
      new FloatOpSet(kernels).softmax('s', x, rows, n, {
        keyMask,
        ...(causalOffset === undefined ? {} : { causalOffset }),
      });
      const maxDiff = Math.max(...expected.map((v, i) => Math.abs(v - (x[i] as number))));
      console.log(`float masked softmax (causalOffset ${causalOffset}): max |diff| ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(1e-7); // measured 2.7e-8: float32 storage of the float64 result
    }
  });

  it('a wrong key-mask length is rejected in every OpSet', () => {
    const calibrating = new CalibratingOpSet(kernels);
    for (const ops of [new FloatOpSet(kernels), calibrating]) {
      expect(() => ops.softmax('s', scores(2), rows, n, { keyMask: [1, 0] })).toThrow(/keyMask has 2 elements/);
    }
  });

  it('spiking, both modes: masked keys get exactly 0, visible ones track float', () => {
    const calibrating = new CalibratingOpSet(kernels);
    calibrating.softmax('s', scores(3), rows, n, { keyMask });
    const neurons = new NeuronProvider(kernels);
    const outputs = (['equivalent', 'spike-driven'] as const).map((mode) => {
      const ops = new SpikingOpSet({
        kernels,
        calibration: calibrating.calibration,
        options: { T: 16, mode },
        neurons,
      });
      const x = scores(4);
      ops.softmax('s', x, rows, n, { keyMask });
      return x;
    });
    const expected = scores(4);
    new FloatOpSet(kernels).softmax('s', expected, rows, n, { keyMask });
    for (const y of outputs) {
      for (let i = 0; i < rows * n; i++) if (keyMask[i % n] === 0) expect(y[i]).toBe(0);
      const maxDiff = Math.max(...Array.from(y, (v, i) => Math.abs(v - (expected[i] as number))));
      console.log(`spiking masked softmax: max |diff| from float ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(4e-3); // measured 1.8e-3 at T = 16
    }
    const modes = Math.max(...Array.from(outputs[0]!, (v, i) => Math.abs(v - (outputs[1]![i] as number))));
    console.log(`equivalent vs spike-driven: max |diff| ${modes.toExponential(2)}`);
    expect(modes).toBeLessThan(1e-6);
  });
});

describe('softmax rowBlock (attention heads stacked)', () => {
  it('each OpSet gives every block of rows the bits of its own causal call; a bad rowBlock is rejected', () => {
    const blocks = 3;
    const S = 4;
    const L = 7;
    const random = seededRandom(9);
    const stacked = Float32Array.from({ length: blocks * S * L }, () => 3 * gaussian(random)); // (blocks, S, L)
    const calibrating = new CalibratingOpSet(kernels);
    calibrating.softmax('s', stacked.slice(), blocks * S, L, { causalOffset: 3 });
    const opSets = [
      new FloatOpSet(kernels),
      calibrating,
      ...(['equivalent', 'spike-driven'] as const).map(
        (mode) =>
          new SpikingOpSet({
            kernels,
            calibration: calibrating.calibration,
            options: { T: 16, mode },
            neurons: new NeuronProvider(kernels),
          }),
      ),
    ];
    for (const ops of opSets) {
      // causalOffset 6: a decoding step's mask, which hides no column of the 7
      const cases = [{ causalOffset: 3 }, { causalOffset: 3, keyMask: [1, 1, 0, 1, 1, 1, 1] }, { causalOffset: 6 }, {}];
      for (const options of cases) {
        const together = stacked.slice();
        ops.softmax('s', together, blocks * S, L, { ...options, rowBlock: S });
        const apart = stacked.slice();
        for (let b = 0; b < blocks; b++) ops.softmax('s', apart.subarray(b * S * L, (b + 1) * S * L), S, L, options);
        expect(Array.from(together)).toEqual(Array.from(apart));
        if (options.causalOffset === 6) {
          // a mask that hides nothing gives the unmasked bits
          const unmasked = stacked.slice();
          ops.softmax('s', unmasked, blocks * S, L);
          expect(Array.from(together)).toEqual(Array.from(unmasked));
        }
        // the causal mask restarts per block: row 0 of each block sees causalOffset + 1 = 4 columns
        if (options.causalOffset === 3) for (let b = 0; b < blocks; b++) expect(together[b * S * L + 4]).toBe(0);
      }
      for (const rowBlock of [0, 5, 1.5]) {
        expect(() => ops.softmax('s', stacked.slice(), blocks * S, L, { causalOffset: 3, rowBlock })).toThrow(
          /rowBlock must be a positive integer dividing the 12 rows/,
        );
      }
    }
  });
});

// Stacked products (MatmulOptions.batch, bShare, bStride: attention's heads in one call) in every OpSet: each
// product gets the bits one call of its own gives, and a spiking OpSet's counters are those of the one-product
// calls, so reports do not depend on how a model groups its heads.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels, NeuronProvider } from '../../src/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import type { MatmulOptions, OpSet } from '../../src/ops/opset.js';
import type { SiteCounters } from '../../src/ops/instrumentation.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import type { SpikingOptions } from '../../src/ops/spiking/options.js';
import { gaussian, seededRandom } from '../../src/random.js';

let kernels: Kernels;
beforeAll(async () => {
  kernels = await Kernels.load();
});

const M = 3;
const K = 5;
const N = 7;
const batch = 6;
const share = 2; // query heads per KV head
const gap = 4; // elements between b blocks beyond the block (a KV cache's unused rows)
const stride = K * N + gap;

function randomArray(seed: number, length: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => 2 * gaussian(random));
}

const a = randomArray(1, batch * M * K); // (batch, M, K)
const b = randomArray(2, (batch / share - 1) * stride + K * N); // blocks of (K, N) or (N, K), `stride` apart

/** The stacked call, and the same products one call each; outputs (batch, M, N). */
function bothWays(ops: OpSet, options: MatmulOptions): { together: Float32Array; apart: Float32Array } {
  const together = new Float32Array(batch * M * N);
  ops.matmul('s', together, a, b, M, K, N, { ...options, batch, bShare: share, bStride: stride });
  const apart = new Float32Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const j = Math.floor(i / share);
    const block = b.subarray(j * stride, j * stride + K * N);
    ops.matmul('s', apart.subarray(i * M * N), a.subarray(i * M * K), block, M, K, N, options);
  }
  return { together, apart };
}

const COUNTED = ['neuronInputs', 'neuronSteps', 'spikes', 'sops', 'saturations', 'floatMacs'] as const;

function counted(counters: SiteCounters): Record<string, number> {
  return Object.fromEntries(COUNTED.map((k) => [k, counters[k]]));
}

describe('stacked matmul products', () => {
  it('each OpSet gives every product the bits of its own call, with and without transposed b', () => {
    for (const transposeB of [false, true]) {
      const calibrating = new CalibratingOpSet(kernels);
      bothWays(calibrating, { transposeB, scale: 0.5 });
      const spiking = (options: SpikingOptions) =>
        new SpikingOpSet({
          kernels,
          calibration: calibrating.calibration,
          options,
          neurons: new NeuronProvider(kernels),
        });
      const opSets: Array<[string, OpSet]> = [
        ['float', new FloatOpSet(kernels)],
        ['calibrating', new CalibratingOpSet(kernels)],
        ['equivalent', spiking({ T: 8 })],
        ['equivalent, signed digits', spiking({ T: 8, code: 'signed-digit' })],
        ['equivalent, dynamic ranges', spiking({ T: 8, ranges: 'dynamic' })],
        ['spike-driven', spiking({ T: 8, mode: 'spike-driven' })],
      ];
      for (const [name, ops] of opSets) {
        const { together, apart } = bothWays(ops, { transposeB, scale: 0.5 });
        expect(Array.from(together), `${name}, transposeB ${transposeB}`).toEqual(Array.from(apart));
        expect(together.some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('a spiking OpSet charges the stacked call as the one-product calls, and calibration sees the same operands', () => {
    const apartCalibration = new CalibratingOpSet(kernels);
    const togetherCalibration = new CalibratingOpSet(kernels);
    const options = { transposeB: true };
    // calibrated on a quarter of the inputs, so the full ones saturate some codes
    const [aSmall, bSmall] = [a.map((v) => v / 4), b.map((v) => v / 4)];
    apartCalibration.matmul('warm', new Float32Array(M * N), a, b, M, K, N, options); // unrelated site first
    for (let i = 0; i < batch; i++) {
      const j = Math.floor(i / share);
      const block = bSmall.subarray(j * stride, j * stride + K * N);
      apartCalibration.matmul('s', new Float32Array(M * N), aSmall.subarray(i * M * K), block, M, K, N, options);
    }
    const stacked = { ...options, batch, bShare: share, bStride: stride };
    togetherCalibration.matmul('warm', new Float32Array(M * N), a, b, M, K, N, options);
    togetherCalibration.matmul('s', new Float32Array(batch * M * N), aSmall, bSmall, M, K, N, stacked);
    for (const operand of ['a', 'b']) {
      const x = apartCalibration.calibration.get('s')!.get(operand)!;
      const y = togetherCalibration.calibration.get('s')!.get(operand)!;
      expect([y.min, y.max, y.count], operand).toEqual([x.min, x.max, x.count]);
      expect(y.histogram.points(), operand).toEqual(x.histogram.points());
    }
    for (const mode of ['equivalent', 'spike-driven'] as const) {
      const make = () =>
        new SpikingOpSet({
          kernels,
          calibration: apartCalibration.calibration,
          options: { T: 6, mode },
          neurons: new NeuronProvider(kernels),
        });
      const [apartOps, togetherOps] = [make(), make()];
      for (let i = 0; i < batch; i++) {
        const j = Math.floor(i / share);
        const block = b.subarray(j * stride, j * stride + K * N);
        apartOps.matmul('s', new Float32Array(M * N), a.subarray(i * M * K), block, M, K, N, options);
      }
      togetherOps.matmul('s', new Float32Array(batch * M * N), a, b, M, K, N, stacked);
      const apart = counted(apartOps.counters.all()[0]!);
      const together = counted(togetherOps.counters.all()[0]!);
      console.log(`${mode}: stacked call counters ${JSON.stringify(together)}`);
      expect(together).toEqual(apart);
      expect(together['spikes']).toBeGreaterThan(0);
      expect(together['saturations']).toBeGreaterThan(0);
    }
  });

  it('rejects bad batch options and short buffers in every OpSet', () => {
    const calibrating = new CalibratingOpSet(kernels);
    bothWays(calibrating, {});
    const spiking = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 8 } });
    for (const ops of [new FloatOpSet(kernels), new CalibratingOpSet(kernels), spiking]) {
      const out = new Float32Array(batch * M * N);
      const call =
        (options: MatmulOptions, bb = b) =>
        () =>
          ops.matmul('s', out, a, bb, M, K, N, options);
      expect(call({ batch: 0 })).toThrow(/s: batch must be a positive integer, got 0/);
      expect(call({ batch: 2.5 })).toThrow(/batch must be a positive integer/);
      expect(call({ batch, bShare: 4 })).toThrow(/bShare must be a positive integer dividing batch 6, got 4/);
      expect(call({ batch, bStride: -1 })).toThrow(/bStride must be a non-negative integer, got -1/);
      expect(call({ batch: batch + 1 })).toThrow(/s: buffer \(21, 5\) has 90 elements, the operation needs 105/);
      expect(call({ batch, bShare: share, bStride: stride }, b.subarray(1))).toThrow(
        /s: b \(3 blocks of 35\) has 112 elements, the operation needs 113/,
      );
    }
  });
});

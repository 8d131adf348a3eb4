// 2x2 max pooling: the float op against a direct maximum over each window (odd sizes drop the last row and
// column, as PyTorch's MaxPool2d(2) does), and the spiking one (max(a, b) = a + ReLU(b - a), ReLU neurons on the
// calibrated differences) close to it; left float with spiking.pooling = false.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import type { SpikingOptions } from '../../src/ops/spiking/options.js';
import { maxAbsDiff } from '../helpers/max-diff.js';
import { normal, seededRandom } from '../helpers/random.js';

/** out (OH, OW, C): the largest of x[2oh + i, 2ow + j, c], written as four loops. */
function directMaxPool(x: Float32Array, H: number, W: number, C: number): Float32Array {
  const [OH, OW] = [Math.floor(H / 2), Math.floor(W / 2)];
  const out = new Float32Array(OH * OW * C);
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let c = 0; c < C; c++) {
        let max = -Infinity;
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) max = Math.max(max, x[((2 * oh + i) * W + 2 * ow + j) * C + c]!);
        out[(oh * OW + ow) * C + c] = max;
      }
    }
  }
  return out;
}

describe('max pooling', () => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await Kernels.load();
  });

  it.each([
    [2, 2, 4],
    [5, 7, 3],
    [28, 28, 6],
  ])('%i x %i x %i: float is the window maximum; spiking tracks it at T = 16, float when left float', (H, W, C) => {
    const x = normal(seededRandom(H * W + C), H * W * C);
    const size = Math.floor(H / 2) * Math.floor(W / 2) * C;
    const float = new Float32Array(size);
    new FloatOpSet(kernels).maxPool('pool', float, x, H, W, C);
    expect(Array.from(float)).toEqual(Array.from(directMaxPool(x, H, W, C)));

    const calibrating = new CalibratingOpSet(kernels);
    calibrating.maxPool('pool', new Float32Array(size), x, H, W, C);
    const run = (options: SpikingOptions) => {
      const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options });
      const out = new Float32Array(size);
      ops.maxPool('pool', out, x, H, W, C);
      return { out, counters: ops.counters.all()[0]! };
    };
    const spiking = run({ T: 16 });
    const scale = Math.max(...Array.from(float, Math.abs));
    const error = maxAbsDiff(spiking.out, float) / scale;
    console.log(`max pool ${H}x${W}x${C}: spiking vs float ${error.toExponential(2)} of max |y|`);
    expect(error).toBeLessThan(2e-4); // measured at most 6.3e-5: three 16-bit codes per window
    // three ReLU neurons per window
    expect(spiking.counters.neuronInputs).toBe(3 * size);
    expect(spiking.counters.spikes).toBeGreaterThan(0);
    const driven = run({ T: 16, mode: 'spike-driven' });
    expect(Array.from(driven.out)).toEqual(Array.from(spiking.out));
    const declared = run({ T: 16, spiking: { pooling: false } });
    expect(Array.from(declared.out)).toEqual(Array.from(float));
    expect(declared.counters.spiking).toBe(false);
  });
});

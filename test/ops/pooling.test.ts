// Max pooling as torchvision's MaxPool2d(kernel, stride, padding): the float op against a direct maximum over
// each window's in-image values written here (PyTorch pads with -inf; odd sizes drop what no window reaches), and
// the spiking one (a tournament of max(a, b) = a + ReLU(b - a), ReLU neurons on the calibrated differences)
// close to it, with m - 1 neurons for a window of m in-image values; left float with spiking.pooling = false.
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { Kernels } from '../../src/kernels/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import type { MaxPoolOptions } from '../../src/ops/opset.js';
import { poolDifferences, poolGeometry } from '../../src/ops/pooling.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import type { SpikingOptions } from '../../src/ops/spiking/options.js';
import { maxAbsDiff } from '../helpers/max-diff.js';
import { normal, seededRandom } from '../helpers/random.js';

/** The output size PyTorch gives: floor((size + 2 padding - kernel) / stride) + 1. */
const outSize = (size: number, k: number, s: number, p: number) => Math.floor((size + 2 * p - k) / s) + 1;

/** out (OH, OW, C) and the in-image values of each window, written as loops over PyTorch's definition. */
function directMaxPool(x: Float32Array, H: number, W: number, C: number, k: number, s: number, p: number) {
  const [OH, OW] = [outSize(H, k, s, p), outSize(W, k, s, p)];
  const out = new Float32Array(OH * OW * C);
  let values = 0;
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let c = 0; c < C; c++) {
        let max = -Infinity;
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const [h, w] = [oh * s - p + i, ow * s - p + j];
            if (h < 0 || h >= H || w < 0 || w >= W) continue; // -inf padding
            max = Math.max(max, x[(h * W + w) * C + c]!);
            values++;
          }
        }
        out[(oh * OW + ow) * C + c] = max;
      }
    }
  }
  return { out, values, windows: OH * OW * C };
}

/** (H, W, C, options): the default 2x2 stride 2 (no options), ResNet's 3x3 stride 2 padding 1, odd sizes. */
const CASES: Array<[number, number, number, MaxPoolOptions | undefined]> = [
  [2, 2, 4, undefined],
  [5, 7, 3, undefined],
  [28, 28, 6, undefined],
  [8, 8, 4, { kernelSize: 3, stride: 2, padding: 1 }],
  [7, 9, 3, { kernelSize: 3, stride: 2, padding: 1 }],
  [1, 1, 2, { kernelSize: 3, stride: 2, padding: 1 }],
  [6, 5, 2, { kernelSize: 3, stride: 1, padding: 1 }],
  [7, 7, 3, { kernelSize: 3 }],
  [5, 6, 2, { kernelSize: 2, stride: 1 }],
  [9, 9, 2, { kernelSize: 4, stride: 3, padding: 2 }],
];

describe('max pooling', () => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await Kernels.load();
  });

  it.each(CASES)('%i x %i x %i, %o: float is the window maximum; spiking tracks it at T = 16', (H, W, C, options) => {
    const x = normal(seededRandom(H * W + C), H * W * C);
    const { kernelSize: k, stride: s, padding: p } = poolGeometry(options);
    const direct = directMaxPool(x, H, W, C, k, s, p);
    const float = new Float32Array(direct.out.length);
    new FloatOpSet(kernels).maxPool('pool', float, x, H, W, C, options);
    expect(Array.from(float)).toEqual(Array.from(direct.out));

    const calibrating = new CalibratingOpSet(kernels);
    calibrating.maxPool('pool', new Float32Array(float.length), x, H, W, C, options);
    const run = (spiking: SpikingOptions) => {
      const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: spiking });
      const out = new Float32Array(float.length);
      ops.maxPool('pool', out, x, H, W, C, options);
      return { out, counters: ops.counters.all()[0]! };
    };
    const spiking = run({ T: 16 });
    const scale = Math.max(...Array.from(float, Math.abs));
    const error = maxAbsDiff(spiking.out, float) / scale;
    console.log(`max pool ${H}x${W}x${C} k${k} s${s} p${p}: spiking vs float ${error.toExponential(2)} of max |y|`);
    // measured at most 1.2e-4 (3x3 windows: four levels of 16-bit codes)
    expect(error).toBeLessThan(3e-4);
    // one ReLU neuron per in-image value but one, per window; the calibrated differences are exactly their inputs
    const neurons = direct.values - direct.windows;
    expect(spiking.counters.neuronInputs).toBe(neurons);
    expect(poolDifferences(x, H, W, C, poolGeometry(options)).length).toBe(neurons);
    expect(spiking.counters.saturations).toBe(0); // the calibrated range covers every difference the op sees
    if (neurons > 0) expect(spiking.counters.spikes).toBeGreaterThan(0);
    const driven = run({ T: 16, mode: 'spike-driven' });
    expect(Array.from(driven.out)).toEqual(Array.from(spiking.out));
    const declared = run({ T: 16, spiking: { pooling: false } });
    expect(Array.from(declared.out)).toEqual(Array.from(float));
    expect(declared.counters.spiking).toBe(false);
  });

  it('2x2 windows keep three neurons each, differences b - a, d - c, then max(c, d) - max(a, b)', () => {
    const x = Float32Array.of(1, 4, 3, 2); // (2, 2, 1): a b / c d
    expect(Array.from(poolDifferences(x, 2, 2, 1))).toEqual([3, -1, -1]);
  });

  it('padding over half the kernel, a zero stride or a fractional kernel is an InvalidArgumentError', () => {
    const ops = new FloatOpSet(kernels);
    const x = new Float32Array(16);
    for (const options of [{ kernelSize: 3, padding: 2 }, { stride: 0 }, { kernelSize: 2.5 }]) {
      expect(() => ops.maxPool('pool', new Float32Array(16), x, 4, 4, 1, options)).toThrow(InvalidArgumentError);
    }
    expect(() => ops.maxPool('pool', new Float32Array(16), x, 4, 4, 1, { stride: 0 })).toThrow(
      'pool: max pool stride must be an integer in [1, 65536], got 0',
    );
  });
});

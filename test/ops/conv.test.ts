// 2-D convolution (im2col + gemm) under every wasm build against a direct float64 convolution written here
// (CHW loops over the OIHW weight, as PyTorch defines it); the spiking convolution in both modes: the same
// outputs, the same synaptic operations, and the accumulates equal to spikes times the windows that read them.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { convOutputSize, type ConvGeometry } from '../../src/ops/conv.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { maxAbsDiff } from '../helpers/max-diff.js';
import { normal, seededRandom } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** out (OH, OW, Cout) in float64 and the magnitude sum bounding its rounding, from x (H, W, Cin). */
function directConv(x: Float32Array, H: number, W: number, weight: Float32Array, bias: Float32Array, g: ConvGeometry) {
  const { inChannels: C, outChannels: O, kernelSize: K, stride, padding } = g;
  const OH = convOutputSize(H, g);
  const OW = convOutputSize(W, g);
  const y = new Float64Array(OH * OW * O);
  const scale = new Float64Array(OH * OW * O);
  for (let o = 0; o < O; o++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let sum = bias[o] as number;
        let mag = Math.abs(sum);
        for (let c = 0; c < C; c++) {
          for (let kh = 0; kh < K; kh++) {
            for (let kw = 0; kw < K; kw++) {
              const h = oh * stride - padding + kh;
              const w = ow * stride - padding + kw;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              const term = (weight[((o * C + c) * K + kh) * K + kw] as number) * (x[(h * W + w) * C + c] as number);
              sum += term;
              mag += Math.abs(term);
            }
          }
        }
        y[(oh * OW + ow) * O + o] = sum;
        scale[(oh * OW + ow) * O + o] = mag;
      }
    }
  }
  return { y, scale };
}

/** max |a - b| relative to max |b|. */
function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  return maxAbsDiff(a, b) / Math.max(...Array.from(b, Math.abs), 1e-30);
}

/** (H, W, geometry): odd sizes, 1x1 and 5x5 kernels, padding past the kernel's reach, stride 2 and 3. */
const CASES: Array<[number, number, ConvGeometry]> = [
  [1, 1, { inChannels: 1, outChannels: 1, kernelSize: 1, stride: 1, padding: 0 }],
  [7, 5, { inChannels: 3, outChannels: 5, kernelSize: 3, stride: 1, padding: 1 }],
  [7, 5, { inChannels: 3, outChannels: 17, kernelSize: 3, stride: 2, padding: 1 }],
  [9, 9, { inChannels: 2, outChannels: 4, kernelSize: 5, stride: 1, padding: 0 }],
  [6, 11, { inChannels: 33, outChannels: 3, kernelSize: 3, stride: 3, padding: 2 }],
  [4, 4, { inChannels: 1, outChannels: 6, kernelSize: 5, stride: 1, padding: 2 }],
  [32, 32, { inChannels: 1, outChannels: 6, kernelSize: 5, stride: 1, padding: 0 }],
];

/** Float32 rounding of the im2col + gemm path, relative to each output's magnitude sum: measured at most 1.8e-7. */
const TOLERANCE = 4e-7;

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`conv2d, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    it.each(CASES)('%i x %i, %o matches the direct convolution', (H, W, g) => {
      const random = seededRandom(H * 1000 + W * 10 + g.outChannels);
      const x = normal(random, H * W * g.inChannels);
      const weight = normal(random, g.outChannels * g.inChannels * g.kernelSize ** 2);
      const bias = normal(random, g.outChannels);
      const ops = new FloatOpSet(kernels);
      const layer = ops.prepareConv(weight, g, bias);
      const out = new Float32Array(convOutputSize(H, g) * convOutputSize(W, g) * g.outChannels);
      ops.conv2d('conv', out, x, layer, H, W);
      layer.dispose();
      const { y, scale } = directConv(x, H, W, weight, bias, g);
      let worst = 0;
      for (let i = 0; i < out.length; i++) {
        worst = Math.max(worst, Math.abs((out[i] as number) - (y[i] as number)) / Math.max(scale[i] as number, 1e-30));
      }
      console.log(`conv2d ${variant} ${H}x${W} ${JSON.stringify(g)}: max error / magnitude ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
    });
  });
}

describe('conv2d geometry', () => {
  it('rejects a geometry field that is not an integer in range, naming it', async () => {
    const ops = new FloatOpSet(await Kernels.load());
    const g = { inChannels: 1, outChannels: 1, kernelSize: 3, stride: 1, padding: 0 };
    expect(() => ops.prepareConv(new Float32Array(9), { ...g, stride: 0 })).toThrow(
      'convolution stride must be an integer in [1, 65536], got 0',
    );
    expect(() => ops.prepareConv(new Float32Array(9), { ...g, padding: 0.5 })).toThrow(
      'convolution padding must be an integer in [0, 65536], got 0.5',
    );
  });
});

describe('spiking conv2d', () => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await Kernels.load();
  });

  it.each(CASES.slice(1, 4))('%i x %i, %o, spike-aware rounding: both modes agree, with fewer spikes', (H, W, g) => {
    const random = seededRandom(11 + H + W);
    const x = normal(random, H * W * g.inChannels);
    const weight = normal(random, g.outChannels * g.inChannels * g.kernelSize ** 2);
    const calibrating = new CalibratingOpSet(kernels);
    const size = convOutputSize(H, g) * convOutputSize(W, g) * g.outChannels;
    calibrating.conv2d('conv', new Float32Array(size), x, calibrating.prepareConv(weight, g), H, W);
    const run = (mode: 'equivalent' | 'spike-driven', spikeCost: number) => {
      const ops = new SpikingOpSet({
        kernels,
        calibration: calibrating.calibration,
        options: { T: 8, mode, spikeCost },
      });
      const out = new Float32Array(size);
      ops.conv2d('conv', out, x, ops.prepareConv(weight, g), H, W);
      return { out, counters: ops.counters.all()[0]! };
    };
    const equivalent = run('equivalent', 1);
    const driven = run('spike-driven', 1);
    const nearest = run('equivalent', 0);
    const diff = maxRelativeDiff(driven.out, equivalent.out);
    console.log(
      `spiking conv2d ${H}x${W}, spike cost 1: modes differ by ${diff.toExponential(2)}; ` +
        `${equivalent.counters.spikes} spikes against ${nearest.counters.spikes} to nearest`,
    );
    expect(diff).toBeLessThan(1e-6);
    expect(driven.counters.sops).toBe(equivalent.counters.sops);
    expect(equivalent.counters.spikes).toBeLessThan(nearest.counters.spikes);
  });

  it.each(CASES.slice(1, 6))(
    '%i x %i, %o: equivalent and spike-driven agree; SOPs are spikes x windows x Cout',
    (H, W, g) => {
      const random = seededRandom(7 + H + W);
      const x = normal(random, H * W * g.inChannels);
      const weight = normal(random, g.outChannels * g.inChannels * g.kernelSize ** 2);
      const bias = normal(random, g.outChannels);
      const calibrating = new CalibratingOpSet(kernels);
      const size = convOutputSize(H, g) * convOutputSize(W, g) * g.outChannels;
      calibrating.conv2d('conv', new Float32Array(size), x, calibrating.prepareConv(weight, g, bias), H, W);
      const run = (mode: 'equivalent' | 'spike-driven') => {
        const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 16, mode } });
        const out = new Float32Array(size);
        ops.conv2d('conv', out, x, ops.prepareConv(weight, g, bias), H, W);
        return { out, counters: ops.counters.all()[0]! };
      };
      const equivalent = run('equivalent');
      const driven = run('spike-driven');
      const diff = maxRelativeDiff(driven.out, equivalent.out);
      console.log(`spiking conv2d ${H}x${W}: spike-driven vs equivalent ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-6); // measured at most 3.3e-7: the same values, summed in another order
      expect(driven.counters.sops).toBe(equivalent.counters.sops);
      expect(equivalent.counters.spikes).toBeGreaterThan(0);

      // independently: an input spike at (h, w) reaches every output window over it, Cout outputs each
      const reach = new Float64Array(H * W); // windows over each pixel
      for (let oh = 0; oh < convOutputSize(H, g); oh++) {
        for (let ow = 0; ow < convOutputSize(W, g); ow++) {
          for (let kh = 0; kh < g.kernelSize; kh++) {
            for (let kw = 0; kw < g.kernelSize; kw++) {
              const h = oh * g.stride - g.padding + kh;
              const w = ow * g.stride - g.padding + kw;
              if (h >= 0 && h < H && w >= 0 && w < W) reach[h * W + w]! += 1;
            }
          }
        }
      }
      const everyPixelReached = reach.every((r) => r > 0);
      // every pixel read by some window: then the accumulates are at least the spikes times Cout
      if (everyPixelReached)
        expect(equivalent.counters.sops).toBeGreaterThanOrEqual(equivalent.counters.spikes * g.outChannels);

      // and the spiking convolution is the float one of the quantised input, close to the float one at T = 16
      const float = new Float32Array(size);
      const floatOps = new FloatOpSet(kernels);
      floatOps.conv2d('conv', float, x, floatOps.prepareConv(weight, g, bias), H, W);
      const error = maxRelativeDiff(equivalent.out, float);
      console.log(`spiking conv2d ${H}x${W}: vs float ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4); // measured at most 3.4e-5: 16-bit identity codes of the input
    },
  );
});

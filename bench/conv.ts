// The convolution benchmark (issue 15): conv2d (im2col + the gemm kernel) at a ResNet-like shape, 64 -> 64
// channels, 56x56, 3x3, stride 1, padding 1, against the gemm kernel alone on the same product (the im2col
// matrix already built), so the figure is also im2col's overhead. Both on the build given, one thread.
import { Bench } from 'tinybench';
import type { Kernels } from '../src/kernels/index.js';
import { convOutputSize, im2col, patchLength, type ConvGeometry } from '../src/ops/conv.js';
import { FloatOpSet } from '../src/ops/float-opset.js';
import { measure, type Measurement } from './measure.js';

export const CONV_SHAPE = {
  H: 56,
  W: 56,
  geometry: { inChannels: 64, outChannels: 64, kernelSize: 3, stride: 1, padding: 1 },
};

export interface ConvBenchResult {
  readonly shape: string;
  readonly variant: string;
  readonly flop: number;
  readonly conv: Measurement & { gflops: number };
  readonly gemmOnly: Measurement & { gflops: number };
  /** conv time / gemm-only time: what im2col and the extra copies cost. */
  readonly convOverGemm: number;
}

export async function benchConv(
  kernels: Kernels,
  operands: (n: number, seed: number) => Float32Array,
): Promise<ConvBenchResult> {
  const { H, W, geometry: g } = CONV_SHAPE as { H: number; W: number; geometry: ConvGeometry };
  const rows = convOutputSize(H, g) * convOutputSize(W, g);
  const K = patchLength(g);
  const x = operands(H * W * g.inChannels, 21); // (H, W, Cin)
  const weight = operands(g.outChannels * K, 22); // (Cout, Cin, 3, 3)
  const ops = new FloatOpSet(kernels);
  const layer = ops.prepareConv(weight, g, new Float32Array(g.outChannels));
  const out = new Float32Array(rows * g.outChannels); // (OH, OW, Cout)
  const patches = im2col(x, H, W, g, new Float32Array(rows * K)); // (OH * OW, K * K * Cin)
  const packed = layer.linear.packed;
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench.add('conv2d', () => ops.conv2d('conv', out, x, layer, H, W));
  bench.add('gemm only', () => kernels.gemm(patches, packed, rows, { out }));
  const results = await measure(bench);
  layer.dispose();
  const flop = 2 * rows * K * g.outChannels;
  const withRate = (m: Measurement) => ({ ...m, gflops: flop / (m.medianMs * 1e6) });
  const conv = withRate(results.get('conv2d')!);
  const gemmOnly = withRate(results.get('gemm only')!);
  return {
    shape: `${g.inChannels}->${g.outChannels} ch, ${H}x${W}, ${g.kernelSize}x${g.kernelSize}, stride ${g.stride}, padding ${g.padding}`,
    variant: kernels.variant,
    flop,
    conv,
    gemmOnly,
    convOverGemm: conv.medianMs / gemmOnly.medianMs,
  };
}

// 2-D convolution as a linear layer over image patches (im2col + the gemm kernel), channels-last: an image is
// (H, W, C) row-major, each patch row (KH, KW, C), so the copies are runs of C contiguous floats. PyTorch's OIHW
// weight is reordered once to (Cout, KH, KW, Cin) to match. Stride and zero padding are per axis-pair (square).
import { InvalidArgumentError } from '../errors.js';
import type { Kernels, PackedDtype } from '../kernels/index.js';
import { checkIntegerFields } from './checks.js';
import { prepareDenseLinear, type DenseLinearLayer } from './linear.js';

export interface ConvGeometry {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
}

/** A convolution prepared once: its geometry and the linear layer (Cout, KH * KW * Cin) over patches. */
export interface ConvLayer {
  readonly geometry: ConvGeometry;
  readonly bias: Float32Array | undefined;
  readonly linear: DenseLinearLayer;
  dispose(): void;
}

/** Output height or width of a convolution over `size` pixels. */
export function convOutputSize(size: number, geometry: ConvGeometry): number {
  return Math.floor((size + 2 * geometry.padding - geometry.kernelSize) / geometry.stride) + 1;
}

/** Patch length: KH * KW * Cin. */
export const patchLength = (g: ConvGeometry): number => g.kernelSize * g.kernelSize * g.inChannels;

export function checkGeometry(g: ConvGeometry): void {
  checkIntegerFields('convolution', g, [
    ['inChannels', 1],
    ['outChannels', 1],
    ['kernelSize', 1],
    ['stride', 1],
    ['padding', 0],
  ]);
}

/** OIHW (Cout, Cin, K, K) reordered to (Cout, K, K, Cin), the patch order; prepared for the gemm kernel. */
export function prepareConv(
  kernels: Kernels,
  weight: Float32Array,
  geometry: ConvGeometry,
  bias?: Float32Array,
  dtype: PackedDtype = 'f32',
): ConvLayer {
  checkGeometry(geometry);
  const { inChannels: C, outChannels: O, kernelSize: K } = geometry;
  if (weight.length !== O * C * K * K) {
    throw new InvalidArgumentError(
      `convolution weight has ${weight.length} elements, expected (Cout, Cin, K, K) = (${O}, ${C}, ${K}, ${K})`,
    );
  }
  const reordered = new Float32Array(weight.length); // (Cout, K, K, Cin)
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < K; kh++) {
        for (let kw = 0; kw < K; kw++) {
          reordered[((o * K + kh) * K + kw) * C + c] = weight[((o * C + c) * K + kh) * K + kw] as number;
        }
      }
    }
  }
  const linear = prepareDenseLinear(kernels, reordered, patchLength(geometry), O, bias, dtype);
  return { geometry, bias, linear, dispose: () => linear.dispose() }; // the OIHW weight is not kept
}

/**
 * patches (OH * OW, K * K * Cin) of x (H, W, Cin): each output position's window, zeros where it reaches into
 * the padding. `copy(from, to, count)` moves `count` values of one pixel's channels, so the same walk builds
 * patches of floats or of anything indexed like them.
 */
export function forEachPatchRun(
  H: number,
  W: number,
  g: ConvGeometry,
  copy: (fromPixel: number, toOffset: number) => void,
  zero: (toOffset: number) => void,
): void {
  const { kernelSize: K, stride, padding } = g;
  const OH = convOutputSize(H, g);
  const OW = convOutputSize(W, g);
  const C = g.inChannels;
  let to = 0;
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let kh = 0; kh < K; kh++) {
        const h = oh * stride - padding + kh;
        for (let kw = 0; kw < K; kw++) {
          const w = ow * stride - padding + kw;
          if (h < 0 || h >= H || w < 0 || w >= W) zero(to);
          else copy(h * W + w, to);
          to += C;
        }
      }
    }
  }
}

/** The patches of x (H, W, Cin) as floats: (OH * OW, K * K * Cin), into `out`. */
export function im2col(x: Float32Array, H: number, W: number, g: ConvGeometry, out: Float32Array): Float32Array {
  const C = g.inChannels;
  forEachPatchRun(
    H,
    W,
    g,
    (pixel, to) => out.set(x.subarray(pixel * C, pixel * C + C), to),
    (to) => out.fill(0, to, to + C),
  );
  return out;
}

/** How many windows read each row (or column) of an input of `size` pixels: (size). */
export function windowsPerPixel(size: number, g: ConvGeometry): Int32Array {
  const counts = new Int32Array(size); // (size)
  const outputs = convOutputSize(size, g);
  for (let o = 0; o < outputs; o++) {
    for (let k = 0; k < g.kernelSize; k++) {
      const i = o * g.stride - g.padding + k;
      if (i >= 0 && i < size) counts[i]!++;
    }
  }
  return counts;
}

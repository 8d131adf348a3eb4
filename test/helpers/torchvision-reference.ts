// An independent float64 reference of the torchvision layers, in PyTorch's NCHW layout (batch 1) and written from
// PyTorch's definitions, not from the library: direct convolution over OIHW weights with zero padding, eval-mode
// BatchNorm2d (unfolded), MaxPool2d with -inf padding, AdaptiveAvgPool2d, flatten and Linear.
import type { WritableTensor } from '../../src/io/safetensors-writer.js';

/** A (C, H, W) float64 feature map. */
export interface Nchw {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly data: Float64Array;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** ToTensor then Normalize(ImageNet) of an (H, W, 3) u8 image: (3, H, W). */
export function normalisedImage(pixels: Uint8Array, h: number, w: number): Nchw {
  const data = new Float64Array(3 * h * w);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < h * w; p++)
      data[c * h * w + p] = (pixels[3 * p + c]! / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  }
  return { c: 3, h, w, data };
}

/** The tensors by name, each required. */
export type Tensors = ReadonlyMap<string, WritableTensor>;

export function get(tensors: Tensors, name: string): Float32Array {
  const t = tensors.get(name);
  if (!t) throw new Error(`reference: no tensor ${name}`);
  return t.data;
}

/** Conv2d(weight (O, C, K, K), bias, stride, padding) of x, summed directly. */
export function conv2d(
  x: Nchw,
  weight: WritableTensor,
  bias: Float32Array | undefined,
  stride: number,
  padding: number,
): Nchw {
  const [O, C, K] = weight.shape as [number, number, number, number];
  const h = Math.floor((x.h + 2 * padding - K) / stride) + 1;
  const w = Math.floor((x.w + 2 * padding - K) / stride) + 1;
  const data = new Float64Array(O * h * w);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let sum = bias ? bias[o]! : 0;
        for (let c = 0; c < C; c++) {
          for (let kh = 0; kh < K; kh++) {
            const y = i * stride - padding + kh;
            if (y < 0 || y >= x.h) continue;
            for (let kw = 0; kw < K; kw++) {
              const z = j * stride - padding + kw;
              if (z < 0 || z >= x.w) continue;
              sum += weight.data[((o * C + c) * K + kh) * K + kw]! * x.data[(c * x.h + y) * x.w + z]!;
            }
          }
        }
        data[(o * h + i) * w + j] = sum;
      }
    }
  }
  return { c: O, h, w, data };
}

/** Eval-mode BatchNorm2d `${prefix}`: (x - running_mean) / sqrt(running_var + 1e-5) * weight + bias. */
export function batchNorm2d(x: Nchw, tensors: Tensors, prefix: string): Nchw {
  const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((n) =>
    get(tensors, `${prefix}.${n}`),
  ) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const data = new Float64Array(x.data.length);
  const plane = x.h * x.w;
  for (let c = 0; c < x.c; c++) {
    for (let p = 0; p < plane; p++) {
      data[c * plane + p] =
        ((x.data[c * plane + p]! - mean[c]!) / Math.sqrt(variance[c]! + 1e-5)) * gamma[c]! + beta[c]!;
    }
  }
  return { ...x, data };
}

export const relu = (x: Nchw): Nchw => ({ ...x, data: x.data.map((v) => Math.max(0, v)) });

export const add = (a: Nchw, b: Nchw): Nchw => ({ ...a, data: a.data.map((v, i) => v + b.data[i]!) });

/** MaxPool2d(k, stride, padding): padding is -inf, so only in-image values count. */
export function maxPool2d(x: Nchw, k: number, stride: number, padding: number): Nchw {
  const h = Math.floor((x.h + 2 * padding - k) / stride) + 1;
  const w = Math.floor((x.w + 2 * padding - k) / stride) + 1;
  const data = new Float64Array(x.c * h * w).fill(-Infinity);
  for (let c = 0; c < x.c; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            const [y, z] = [i * stride - padding + a, j * stride - padding + b];
            if (y < 0 || y >= x.h || z < 0 || z >= x.w) continue;
            const at = (c * h + i) * w + j;
            data[at] = Math.max(data[at]!, x.data[(c * x.h + y) * x.w + z]!);
          }
        }
      }
    }
  }
  return { c: x.c, h, w, data };
}

/** AdaptiveAvgPool2d((oh, ow)): output i averages rows floor(i H / oh) .. ceil((i + 1) H / oh) - 1 (and columns). */
export function adaptiveAvgPool2d(x: Nchw, oh: number, ow: number): Nchw {
  const data = new Float64Array(x.c * oh * ow);
  for (let c = 0; c < x.c; c++) {
    for (let i = 0; i < oh; i++) {
      const [y0, y1] = [Math.floor((i * x.h) / oh), Math.ceil(((i + 1) * x.h) / oh)];
      for (let j = 0; j < ow; j++) {
        const [z0, z1] = [Math.floor((j * x.w) / ow), Math.ceil(((j + 1) * x.w) / ow)];
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let z = z0; z < z1; z++) sum += x.data[(c * x.h + y) * x.w + z]!;
        data[(c * oh + i) * ow + j] = sum / ((y1 - y0) * (z1 - z0));
      }
    }
  }
  return { c: x.c, h: oh, w: ow, data };
}

/** Linear `${prefix}` of a flat vector (NCHW flatten is the data as it is). */
export function linear(v: Float64Array, tensors: Tensors, prefix: string): Float64Array {
  const weight = tensors.get(`${prefix}.weight`)!;
  const [out, inFeatures] = weight.shape as [number, number];
  const bias = get(tensors, `${prefix}.bias`);
  return Float64Array.from({ length: out }, (_, o) => {
    let sum = bias[o]!;
    for (let i = 0; i < inFeatures; i++) sum += weight.data[o * inFeatures + i]! * v[i]!;
    return sum;
  });
}

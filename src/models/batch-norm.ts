// Batch-norm folding at load time: an eval-mode BatchNorm2d (or BatchNorm1d) after a convolution or linear layer
// is an affine map per output channel, so it folds into that layer's weights and bias:
//   s = gamma / sqrt(running_var + eps),  W' = W * s (per output row),  b' = (b - running_mean) * s + beta.
// The converter then runs the folded layer (one convolution, no norm op). The checkpoint's arrays are never
// written: the folded weights are new arrays, computed in float64 and rounded once to float32.
import type { ConvGeometry } from '../ops/opset.js';
import type { Weights } from './weights.js';

/** PyTorch's BatchNorm default. */
export const BATCH_NORM_EPS = 1e-5;

/** A batch norm's eval-mode parameters, each (channels). */
export interface BatchNorm {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  readonly eps: number;
}

/** A layer's weight (out, ...) row-major and its bias (out), after folding. */
export interface FoldedLayer {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * The batch norm `${prefix}.*` of `channels` channels: weight, bias, running_mean and running_var (its
 * num_batches_tracked, an integer tensor, says nothing at inference and is not read).
 */
export function readBatchNorm(weights: Weights, prefix: string, channels: number, eps = BATCH_NORM_EPS): BatchNorm {
  const tensor = (name: string) => weights.tensor(`${prefix}.${name}`, [channels]);
  return {
    gamma: tensor('weight'),
    beta: tensor('bias'),
    mean: tensor('running_mean'),
    variance: tensor('running_var'),
    eps,
  };
}

/** weight (out, ...) and bias (out) or none (zeros), with `norm` (out channels) applied after them, folded. */
export function foldBatchNorm(weight: Float32Array, bias: Float32Array | undefined, norm: BatchNorm): FoldedLayer {
  const out = norm.gamma.length;
  const row = weight.length / out; // Cin * K * K for a convolution, in for a linear layer
  const folded = new Float32Array(weight.length); // (out, ...)
  const foldedBias = new Float32Array(out); // (out)
  for (let o = 0; o < out; o++) {
    const scale = (norm.gamma[o] as number) / Math.sqrt((norm.variance[o] as number) + norm.eps);
    for (let i = o * row; i < (o + 1) * row; i++) folded[i] = (weight[i] as number) * scale;
    const b = bias === undefined ? 0 : (bias[o] as number);
    foldedBias[o] = (b - (norm.mean[o] as number)) * scale + (norm.beta[o] as number);
  }
  return { weight: folded, bias: foldedBias };
}

/** A convolution with its batch norm folded in: OIHW weight, bias (Cout) and geometry, ready for prepareConv. */
export interface FoldedConv extends FoldedLayer {
  readonly geometry: ConvGeometry;
}

/** Convolution `${conv}.weight` (and `${conv}.bias` if there is one; torchvision's have none) and norm `${norm}`, folded. */
export function foldConvBatchNorm(weights: Weights, conv: string, norm: string, geometry: ConvGeometry): FoldedConv {
  const { outChannels: O, inChannels: C, kernelSize: K } = geometry;
  const weight = weights.tensor(`${conv}.weight`, [O, C, K, K]);
  const bias = weights.has(`${conv}.bias`) ? weights.tensor(`${conv}.bias`, [O]) : undefined;
  return { ...foldBatchNorm(weight, bias, readBatchNorm(weights, norm, O)), geometry };
}

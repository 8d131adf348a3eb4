// Linear-layer weights prepared for the dense gemm kernel: W (out, in) transposed to (in, out) and packed
// into resident 16-column panels once.
import { InvalidArgumentError } from '../errors.js';
import type { Kernels, PackedMatrix } from '../kernels/index.js';
import type { LinearLayer } from './opset.js';

export interface DenseLinearLayer extends LinearLayer {
  /** W^T (in, out), packed. */
  readonly packed: PackedMatrix;
}

export function prepareDenseLinear(
  kernels: Kernels,
  weight: Float32Array,
  inFeatures: number,
  outFeatures: number,
  bias?: Float32Array,
): DenseLinearLayer {
  if (weight.length !== inFeatures * outFeatures) {
    throw new InvalidArgumentError(
      `linear weight has ${weight.length} elements, expected (out, in) = (${outFeatures}, ${inFeatures})`,
    );
  }
  if (bias && bias.length !== outFeatures) {
    throw new InvalidArgumentError(`linear bias has ${bias.length} elements, expected ${outFeatures}`);
  }
  const transposed = new Float32Array(inFeatures * outFeatures); // (in, out)
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = weight[o * inFeatures + i] as number;
  }
  const packed = kernels.pack(transposed, inFeatures, outFeatures);
  return { inFeatures, outFeatures, weight, bias, packed, dispose: () => packed.free() };
}

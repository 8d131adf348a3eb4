// Linear-layer weights prepared for the dense gemm kernel: W (out, in) packed as W^T (in, out) into resident
// 16-column panels once, straight from W (no transposed copy); the layer keeps no reference to W.
import { InvalidArgumentError } from '../errors.js';
import type { Kernels, PackedDtype, PackedMatrix } from '../kernels/index.js';
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
  dtype: PackedDtype = 'f32',
): DenseLinearLayer {
  if (weight.length !== inFeatures * outFeatures) {
    throw new InvalidArgumentError(
      `linear weight has ${weight.length} elements, expected (out, in) = (${outFeatures}, ${inFeatures})`,
    );
  }
  if (bias && bias.length !== outFeatures) {
    throw new InvalidArgumentError(`linear bias has ${bias.length} elements, expected ${outFeatures}`);
  }
  const packed = kernels.packTransposed(weight, inFeatures, outFeatures, { dtype }); // W^T (in, out), from W itself
  return {
    inFeatures,
    outFeatures,
    bias,
    packed,
    weightRow: (o, out) => kernels.packedColumn(packed, o, out),
    dispose: () => packed.free(),
  };
}

// Named checkpoint tensors as a model reads them: each by name with the shape it must have and finite values
// (a clear FormatError naming the tensor otherwise), transposed views for layouts stored (in, out), and linear
// layers prepared over an OpSet.
import { FormatError } from '../errors.js';
import { describeShape, describeText } from '../describe.js';
import { checkFiniteWeights, type WeightOptions } from '../io/finite.js';
import type { LinearLayer, OpSet } from '../ops/opset.js';
import type { TensorMap } from '../tensor.js';

/** A shape for a message, summarised (a checkpoint's shape may have any number of dimensions). */
const shapeText = (shape: readonly number[]) => describeShape(shape);

export class Weights {
  constructor(
    readonly tensors: TensorMap,
    /** The file or folder the tensors came from, for error messages. */
    readonly source: string,
    /** allowNonFinite: accept NaN and infinite weights (by default a FormatError naming the tensor). */
    readonly options: WeightOptions = {},
  ) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** The data of tensor `name`, which must have exactly `shape`. */
  tensor(name: string, shape: readonly number[]): Float32Array {
    const t = this.tensors.get(name);
    if (!t) throw new FormatError(this.source, `missing tensor "${describeText(name)}" of shape ${shapeText(shape)}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(
        this.source,
        `tensor "${describeText(name)}" has shape ${shapeText(t.shape)}, expected ${shapeText(shape)}`,
      );
    }
    checkFiniteWeights(t.data, this.source, name, this.options);
    return t.data;
  }

  /** Tensor `name` stored (rows, cols), returned transposed as (cols, rows). */
  transposed(name: string, rows: number, cols: number): Float32Array {
    const data = this.tensor(name, [rows, cols]);
    const out = new Float32Array(rows * cols); // (cols, rows)
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
    return out;
  }

  /** `${prefix}.weight` (out, in) and, with `bias`, `${prefix}.bias` (out), prepared by the OpSet. */
  linear(ops: OpSet, prefix: string, outFeatures: number, inFeatures: number, bias = true): LinearLayer {
    return ops.prepareLinear(
      this.tensor(`${prefix}.weight`, [outFeatures, inFeatures]),
      inFeatures,
      outFeatures,
      bias ? this.tensor(`${prefix}.bias`, [outFeatures]) : undefined,
    );
  }
}

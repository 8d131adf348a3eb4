// The finiteness check of weight tensors: one NaN or infinity in a checkpoint silently ruins every output that
// depends on it (a NaN in a ViT's patch embedding gives 0% accuracy), so the weight readers reject it unless asked.
import { FormatError } from '../errors.js';
import { describeText } from '../describe.js';

export interface WeightOptions {
  /** Accept NaN and infinite weights (by default a FormatError naming the tensor and the element). */
  readonly allowNonFinite?: boolean;
}

/**
 * Arrays already settled: found finite, or read with allowNonFinite. A tensor is often checked where it is read
 * (floatTensorMap, a registry entry's load) and again where a model fetches it (Weights): the second check is then
 * free, and a tensor its reader was told to accept stays accepted. Weight arrays are not written to after loading.
 */
const settled = new WeakSet<Float32Array>();

/** The index of the first NaN or infinite element, or -1: one pass (x - x is 0 exactly when x is finite). */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * Throws FormatError (on `file`, at byte `offsetOf(i)` when given) naming tensor `name` and its first non-finite
 * element, unless options.allowNonFinite.
 */
export function checkFiniteWeights(
  data: Float32Array,
  file: string,
  name: string,
  options: WeightOptions = {},
  offsetOf?: (index: number) => number,
): void {
  if (settled.has(data)) return;
  if (options?.allowNonFinite === true) {
    settled.add(data);
    return;
  }
  const i = firstNonFinite(data);
  if (i >= 0) {
    throw new FormatError(
      file,
      `tensor "${describeText(name)}" has ${String(data[i])} at element ${i}; weights must be finite ` +
        '(allowNonFinite: true, or --allow-non-finite, loads them anyway)',
      offsetOf?.(i),
    );
  }
  settled.add(data);
}

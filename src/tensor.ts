// A tensor: a Float32Array with a shape (row-major), and a set of them by name, as checkpoints hold them.

export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export type TensorMap = ReadonlyMap<string, Tensor>;

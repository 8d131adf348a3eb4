// The set of operations a Transformer's forward pass is written against (DESIGN.md): the float OpSet
// computes them exactly, the spiking OpSet with MBE neurons. Every call names its site (a stable string
// such as "layer2.mlp.act") so calibration and instrumentation can follow each operator.
//
// Shapes are passed as numbers; every buffer is row-major float32. Each operation (every method with a
// site) has a record in the op table (op-table.ts), which says how it is calibrated, counted and reported.

import type { ConvGeometry, ConvLayer } from './conv.js';
import type { MaxPoolOptions } from './pooling.js';

/** A convolution's geometry and its weights as prepared by an OpSet (ops/conv.ts). */
export type { ConvGeometry, ConvLayer };

/** MaxPool2d's kernel size, stride and padding (ops/pooling.ts); default 2, 2, 0. */
export type { MaxPoolOptions };

export type ActivationKind = 'gelu' | 'gelu_tanh' | 'silu' | 'tanh' | 'sigmoid' | 'relu';

export const ACTIVATION_KINDS: readonly ActivationKind[] = ['gelu', 'gelu_tanh', 'silu', 'tanh', 'sigmoid', 'relu'];

/** A linear layer's weights, prepared once by an OpSet (resident and packed where it helps). */
export interface LinearLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** (out) or undefined. */
  readonly bias: Float32Array | undefined;
  /**
   * out (in) = row o of the weight W (out, in), read back from the layer's resident copy: an embedding tied to
   * the layer (a language model's shared classifier) needs no copy of its own. The weight array handed to
   * prepareLinear is not kept, so the file it came from can be freed.
   */
  weightRow(o: number, out: Float32Array): Float32Array;
  /** Frees resident copies; the layer cannot be used afterwards. */
  dispose(): void;
}

export interface MatmulOptions {
  /** b is given as (N, K) and used transposed (Q K^T). */
  readonly transposeB?: boolean;
  /** A constant factor on the product (an attention scale); folds into the intensities. */
  readonly scale?: number;
  /**
   * Products stacked in one call (attention's heads): a is (batch, M, K) and out (batch, M, N), product i reading
   * b's block floor(i / bShare). Default 1.
   */
  readonly batch?: number;
  /** Consecutive products that read one b block (grouped-query heads sharing a KV head); divides batch. Default 1. */
  readonly bShare?: number;
  /** Elements from one b block to the next (a KV cache's head-major blocks); default K * N, blocks back to back. */
  readonly bStride?: number;
}

export interface SoftmaxOptions {
  /**
   * Causal mask: row r may attend to columns 0 .. causalOffset + r (columns past that get probability 0).
   * Undefined: no mask.
   */
  readonly causalOffset?: number;
  /**
   * The rows come in blocks of rowBlock (attention heads stacked, each S query rows): the causal mask counts rows
   * within a block, so row r attends to columns 0 .. causalOffset + (r mod rowBlock). rows must be a multiple of
   * it. Undefined: one block of every row.
   */
  readonly rowBlock?: number;
  /**
   * Key mask (n): columns where it is 0 get probability 0 in every row (padding tokens, as an attention
   * mask gives them). A row with no visible column is all zeros. Undefined: every column is a key.
   */
  readonly keyMask?: ArrayLike<number>;
}

export interface OpSet {
  /** "float" or "spiking". */
  readonly kind: 'float' | 'spiking';

  /** Prepares a weight (out, in) and optional bias (out) for repeated use. */
  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer;

  /** out (rows, out) = x (rows, in) @ W^T + bias */
  linear(site: string, out: Float32Array, x: Float32Array, layer: LinearLayer, rows: number): void;

  /** Prepares a convolution: weight OIHW (Cout, Cin, K, K), optional bias (Cout). */
  prepareConv(weight: Float32Array, geometry: ConvGeometry, bias?: Float32Array): ConvLayer;

  /** out (OH, OW, Cout) = conv2d(x (H, W, Cin)) + bias, channels-last, zero padding */
  conv2d(site: string, out: Float32Array, x: Float32Array, layer: ConvLayer, H: number, W: number): void;

  /**
   * out (OH, OW, C) = the maximum of each window of x (H, W, C) over its in-image values, as MaxPool2d(kernel,
   * stride, padding) (default 2x2, stride 2: OH = floor(H / 2)); OH = floor((H + 2 padding - kernel) / stride) + 1
   */
  maxPool(
    site: string,
    out: Float32Array,
    x: Float32Array,
    H: number,
    W: number,
    C: number,
    options?: MaxPoolOptions,
  ): void;

  /** out (n) = act(x (n)) */
  activation(site: string, kind: ActivationKind, out: Float32Array, x: Float32Array, n: number): void;

  /** out (n) = a (n) * b (n), a product of two activations */
  mul(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void;

  /**
   * out (M, N) = scale * a (M, K) @ b (K, N), or @ b^T with b (N, K); both operands activations. With
   * options.batch, that many such products at once (see MatmulOptions), each with exactly the one product's result.
   */
  matmul(
    site: string,
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    K: number,
    N: number,
    options?: MatmulOptions,
  ): void;

  /** x (rows, n) <- softmax over each row, in place */
  softmax(site: string, x: Float32Array, rows: number, n: number, options?: SoftmaxOptions): void;

  /** out (rows, n) = gamma * (x - mean) / sqrt(var + eps) + beta, per row */
  layerNorm(
    site: string,
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    rows: number,
    n: number,
    eps: number,
  ): void;

  /** out (rows, n) = gamma * x / sqrt(mean(x^2) + eps), per row */
  rmsNorm(
    site: string,
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    rows: number,
    n: number,
    eps: number,
  ): void;

  /** out (n) = a (n) + b (n): residual additions (spike-friendly in both OpSets) */
  add(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void;
}

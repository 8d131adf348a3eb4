// The float OpSet: every operation computed directly in float32 storage (float64 accumulation where a
// reduction is involved, except the wasm kernels, which work in float32: the gemm kernel's products (linear
// layers, and products of two activations from GEMM_MIN_MACS multiply-adds up), SiLU, softmax rows without a key
// mask, and RMSNorm). It is the reference the spiking OpSet is measured
// against. Argument checks come from the op table, so every OpSet rejects a bad call the same way.
import { describeValue } from '../describe.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernels, PackedDtype } from '../kernels/index.js';
import { TARGETS } from '../neurons/targets.js';
import { convOutputSize, im2col, patchLength, prepareConv, type ConvGeometry, type ConvLayer } from './conv.js';
import { prepareDenseLinear, type DenseLinearLayer } from './linear.js';
import { poolGeometry, poolWindows } from './pooling.js';
import { isVisible, visibleColumns } from './masks.js';
import { bBlock, bExtent, matmulBatch, type MatmulBatch } from './matmul-batch.js';
import { OP_TABLE, type OpArgs } from './op-table.js';
import type { LinearLayer, OpSet } from './opset.js';

/**
 * Products of two activations at least this large (multiply-adds) run in the gemm kernel; smaller ones (a decode
 * step's attention in a tiny model) stay in JS, where the kernel's copies in and out would cost more than the
 * product.
 */
const GEMM_MIN_MACS = 16_384;

/**
 * Sums and products of two arrays at least this long run in wasm (split over the kernel threads), shorter ones in
 * JS, where the copies in and out would cost more. Both give the same bits: a float32 store of a JS sum or product
 * of two float32 values rounds once, as f32 arithmetic does.
 */
const ELEMENTWISE_KERNEL_MIN = 4096;

export interface FloatOpSetOptions {
  /** How linear and convolution weights are held: f32 (default) or bf16 (half the memory; widened in gemm). */
  readonly weights?: PackedDtype;
}

export class FloatOpSet implements OpSet {
  readonly kind = 'float';

  private patches = new Float32Array(0); // (OH * OW, K * K * Cin) of the largest convolution so far
  private rowBuffer = new Float64Array(0); // (n) of the longest softmax or product row so far

  private readonly weights: PackedDtype;

  constructor(
    private readonly kernels: Kernels,
    options: FloatOpSetOptions = {},
  ) {
    this.weights = checkWeightDtype(options.weights);
  }

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    return prepareDenseLinear(this.kernels, weight, inFeatures, outFeatures, bias, this.weights);
  }

  linear(...args: OpArgs<'linear'>): void {
    OP_TABLE.linear.check(args);
    const [, out, x, layer, rows] = args;
    denseLinear(this.kernels, out, x, layer, rows);
  }

  prepareConv(weight: Float32Array, geometry: ConvGeometry, bias?: Float32Array): ConvLayer {
    return prepareConv(this.kernels, weight, geometry, bias, this.weights);
  }

  conv2d(...args: OpArgs<'conv2d'>): void {
    OP_TABLE.conv2d.check(args);
    const [, out, x, layer, H, W] = args;
    const g = layer.geometry;
    const size = convOutputSize(H, g) * convOutputSize(W, g) * patchLength(g);
    // one patch buffer, grown as needed: a 64-channel 56x56 3x3 layer's is 7 MB, too much to allocate per call
    if (this.patches.length < size) this.patches = new Float32Array(size);
    denseConv(this.kernels, out, x, layer, H, W, this.patches);
  }

  maxPool(...args: OpArgs<'maxPool'>): void {
    OP_TABLE.maxPool.check(args);
    const [, out, x, H, W, C, options] = args;
    const g = poolGeometry(options);
    const window = g.kernelSize * g.kernelSize;
    const windows = poolWindows(H, W, C, g); // (OH * OW * C, k * k), -1 in the padding
    for (let i = 0; i < windows.length / window; i++) {
      let max = -Infinity; // PyTorch pads with -inf: padding never wins
      for (let j = 0; j < window; j++) {
        const at = windows[i * window + j] as number;
        if (at >= 0) max = Math.max(max, x[at] as number);
      }
      out[i] = max;
    }
  }

  activation(...args: OpArgs<'activation'>): void {
    OP_TABLE.activation.check(args);
    const [, kind, out, x, n] = args;
    if (kind === 'silu') {
      // in wasm (f32, within 3 ulp of the exact value), split over the kernel threads
      this.kernels.silu(x.subarray(0, n), { out: out.subarray(0, n) });
      return;
    }
    const f = TARGETS[kind].f;
    for (let i = 0; i < n; i++) out[i] = f(x[i] as number);
  }

  mul(...args: OpArgs<'mul'>): void {
    OP_TABLE.mul.check(args);
    const [, out, a, b, n] = args;
    if (n >= ELEMENTWISE_KERNEL_MIN) {
      this.kernels.mul(a.subarray(0, n), b.subarray(0, n), { out: out.subarray(0, n) });
      return;
    }
    for (let i = 0; i < n; i++) out[i] = (a[i] as number) * (b[i] as number);
  }

  matmul(...args: OpArgs<'matmul'>): void {
    OP_TABLE.matmul.check(args);
    const [, out, a, b, M, K, N, options = {}] = args;
    const scale = options.scale ?? 1;
    const transposeB = options.transposeB ?? false;
    const geometry = matmulBatch(options, K, N);
    if (M * K * N < GEMM_MIN_MACS) {
      // every product small: all of them in one float64 call
      float64MatmulBatch(this.kernels, out, a, b, geometry, M, K, N, transposeB, scale, this.float64Row(N));
      return;
    }
    for (let j = 0; j < geometry.blocks; j++) {
      const block = bBlock(b, geometry, j, K, N); // (K, N), or (N, K) transposed
      // attention's products at real sizes, B packed for the gemm kernel: b (K, N), or b (N, K) as B^T for q k^T
      const packed = transposeB ? this.kernels.packTransposed(block, K, N) : this.kernels.pack(block, K, N);
      try {
        for (let i = j * geometry.share; i < (j + 1) * geometry.share; i++) {
          const product = out.subarray(i * M * N, (i + 1) * M * N); // (M, N)
          this.kernels.gemm(a.subarray(i * M * K, (i + 1) * M * K), packed, M, { out: product });
          if (scale !== 1) for (let e = 0; e < M * N; e++) product[e] = scale * (product[e] as number);
        }
      } finally {
        packed.free();
      }
    }
  }

  softmax(...args: OpArgs<'softmax'>): void {
    OP_TABLE.softmax.check(args);
    const [, x, rows, n, options = {}] = args;
    const { causalOffset, keyMask, rowBlock } = options;
    if (
      keyMask === undefined &&
      (causalOffset === undefined || (Number.isInteger(causalOffset) && causalOffset >= 0))
    ) {
      // in wasm (f32), split over the kernel threads; a row's result depends on its visible values only, so a
      // decoding step's row equals the same row of a prefill. A causal mask that hides no column (every row of a
      // decoding step) is no mask: one call for all the rows; else the mask restarts at each block of rows.
      if (causalOffset === undefined || causalOffset + 1 >= n) {
        const view = x.subarray(0, rows * n);
        this.kernels.softmax(view, rows, n, { out: view });
        return;
      }
      const block = rowBlock === undefined || rows === 0 ? rows : rowBlock;
      for (let r0 = 0; r0 < rows; r0 += block) {
        const view = x.subarray(r0 * n, (r0 + block) * n);
        this.kernels.softmax(view, block, n, { causalOffset, out: view });
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * n, (r + 1) * n);
      const valid = visibleColumns(options, r, n);
      let max = -Infinity;
      for (let j = 0; j < valid; j++) if (isVisible(options, valid, j)) max = Math.max(max, row[j] as number);
      // each exponential once, kept in float64 (so the quotients are those of the exponentials themselves)
      const exps = this.float64Row(n);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = isVisible(options, valid, j) ? Math.exp((row[j] as number) - max) : 0;
        exps[j] = e;
        sum += e;
      }
      for (let j = 0; j < n; j++) row[j] = isVisible(options, valid, j) ? (exps[j] as number) / sum : 0;
    }
  }

  /** A float64 scratch row of at least n elements: softmax's exponentials, a small product's sums. */
  private float64Row(n: number): Float64Array {
    if (this.rowBuffer.length < n) this.rowBuffer = new Float64Array(n);
    return this.rowBuffer;
  }

  layerNorm(...args: OpArgs<'layerNorm'>): void {
    OP_TABLE.layerNorm.check(args);
    const [, out, x, gamma, beta, rows, n, eps] = args;
    for (let r = 0; r < rows; r++) {
      let mean = 0;
      for (let j = 0; j < n; j++) mean += x[r * n + j] as number;
      mean /= n;
      let variance = 0;
      for (let j = 0; j < n; j++) variance += ((x[r * n + j] as number) - mean) ** 2;
      const inv = 1 / Math.sqrt(variance / n + eps);
      for (let j = 0; j < n; j++) {
        out[r * n + j] = (gamma[j] as number) * ((x[r * n + j] as number) - mean) * inv + (beta[j] as number);
      }
    }
  }

  rmsNorm(...args: OpArgs<'rmsNorm'>): void {
    OP_TABLE.rmsNorm.check(args);
    const [, out, x, gamma, rows, n, eps] = args;
    // in wasm (f32), split over the kernel threads by rows
    this.kernels.rmsNorm(x.subarray(0, rows * n), gamma.subarray(0, n), rows, eps, { out: out.subarray(0, rows * n) });
  }

  add(...args: OpArgs<'add'>): void {
    OP_TABLE.add.check(args);
    const [, out, a, b, n] = args;
    if (n >= ELEMENTWISE_KERNEL_MIN) {
      this.kernels.add(a.subarray(0, n), b.subarray(0, n), { out: out.subarray(0, n) });
      return;
    }
    for (let i = 0; i < n; i++) out[i] = (a[i] as number) + (b[i] as number);
  }
}

/**
 * Multiply-adds from which float64Matmul runs in wasm: about 1 us per call to copy in and out, then about 1 ns per
 * multiply-add against 2 ns in the JS loops. A decoding step's q k^T and p v on the 15M shape: the float model 254
 * against 209 tok/s with the kernel from 8 rows only (the same process, interleaved); its spiking twin unchanged.
 */
export const FLOAT64_KERNEL_MIN_MACS = 2048;

/**
 * smallMatmul's product with its bits: in the wasm kernel (Kernels.matmulF64, rows split over the threads) from
 * FLOAT64_KERNEL_MIN_MACS multiply-adds, else in the JS loops.
 */
export function float64Matmul(
  kernels: Kernels,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  transposeB: boolean,
  scale: number,
  sums: Float64Array,
): void {
  const one = { batch: 1, share: 1, stride: K * N, blocks: 1 }; // a stack of one product
  float64MatmulBatch(kernels, out, a, b, one, M, K, N, transposeB, scale, sums);
}

/**
 * Every product of a stacked call (MatmulBatch: a (batch, M, K), out (batch, M, N), product i on b's block
 * floor(i / share)) with float64Matmul's bits: in one wasm call when the products together reach
 * FLOAT64_KERNEL_MIN_MACS (one copy in and out for all of them), else each in the JS loops.
 */
export function float64MatmulBatch(
  kernels: Kernels,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  geometry: MatmulBatch,
  M: number,
  K: number,
  N: number,
  transposeB: boolean,
  scale: number,
  sums: Float64Array,
): void {
  const { batch, share, stride } = geometry;
  if (batch * M * K * N < FLOAT64_KERNEL_MIN_MACS) {
    for (let i = 0; i < batch; i++) {
      const block = bBlock(b, geometry, Math.floor(i / share), K, N);
      const product = out.subarray(i * M * N, (i + 1) * M * N); // (M, N)
      smallMatmul(product, a.subarray(i * M * K), block, M, K, N, transposeB, scale, sums);
    }
    return;
  }
  kernels.matmulF64(a.subarray(0, batch * M * K), b.subarray(0, bExtent(geometry, K, N)), M, K, N, {
    transposeB,
    scale,
    out: out.subarray(0, batch * M * N),
    batch,
    bShare: share,
    bStride: stride,
  });
}

/**
 * out (M, N) = scale * a (M, K) @ b (K, N) [b (N, K) transposed] in JS with float64 sums, for products too small for
 * the gemm kernel; `sums` (>= N) is scratch.
 */
export function smallMatmul(
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  transposeB: boolean,
  scale: number,
  sums: Float64Array,
): void {
  // b's element (k, j) is at k * kStride + j * jStride
  const kStride = transposeB ? 1 : N;
  const jStride = transposeB ? K : 1;
  for (let i = 0; i < M; i++) {
    const aRow = i * K;
    if (N >= K) {
      // a long row of outputs: k outer, each output's float64 sum carried in `sums`, so the inner loop runs over
      // the N outputs (attention's q k^T over many keys with a short head); every output adds the same terms in the
      // same order (k ascending) as a dot product would
      sums.fill(0, 0, N);
      for (let k = 0; k < K; k++) {
        const av = a[aRow + k] as number;
        const row = k * kStride;
        for (let j = 0; j < N; j++) sums[j] = (sums[j] as number) + av * (b[row + j * jStride] as number);
      }
      for (let j = 0; j < N; j++) out[i * N + j] = scale * (sums[j] as number);
      continue;
    }
    // few outputs over a long k: one dot product each (p v over many keys)
    for (let j = 0; j < N; j++) {
      const column = j * jStride;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += (a[aRow + k] as number) * (b[column + k * kStride] as number);
      out[i * N + j] = scale * sum;
    }
  }
}

/** out (rows, out) = x @ W^T + b through the dense gemm kernel (shapes checked by the caller). */
export function denseLinear(
  kernels: Kernels,
  out: Float32Array,
  x: Float32Array,
  layer: LinearLayer,
  rows: number,
): void {
  const packed = (layer as DenseLinearLayer).packed;
  const input = x.subarray(0, rows * layer.inFeatures);
  const target = out.subarray(0, rows * layer.outFeatures);
  kernels.gemm(input, packed, rows, layer.bias ? { bias: layer.bias, out: target } : { out: target });
}

/** out (OH, OW, Cout) = the convolution of x (H, W, Cin): im2col patches through the gemm kernel. */
export function denseConv(
  kernels: Kernels,
  out: Float32Array,
  x: Float32Array,
  layer: ConvLayer,
  H: number,
  W: number,
  /** At least (OH * OW, K * K * Cin) floats for the patches. */
  patchBuffer: Float32Array,
): void {
  const g = layer.geometry;
  const rows = convOutputSize(H, g) * convOutputSize(W, g);
  const patches = im2col(x, H, W, g, patchBuffer.subarray(0, rows * patchLength(g))); // (OH * OW, K * K * Cin)
  denseLinear(kernels, out, patches, layer.linear, rows);
}

/** The weights option of an OpSet: f32 (the default) or bf16. */
export function checkWeightDtype(weights: unknown): PackedDtype {
  if (weights === undefined || weights === 'f32' || weights === 'bf16') return weights ?? 'f32';
  throw new InvalidArgumentError(`option weights must be "f32" or "bf16", got ${describeValue(weights, 20)}`);
}

// The float OpSet: every operation computed directly in float32 storage (float64 accumulation where a
// reduction is involved). It is the reference the spiking OpSet is measured against.
import type { Kernels } from '../kernels/index.js';
import { TARGETS } from '../neurons/targets.js';
import { checkActivation, checkLength, checkRows } from './checks.js';
import { prepareDenseLinear } from './linear.js';
import type { ActivationKind, LinearLayer, MatmulOptions, OpSet, SoftmaxOptions } from './opset.js';

export class FloatOpSet implements OpSet {
  readonly kind = 'float';

  constructor(private readonly kernels: Kernels) {}

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    return prepareDenseLinear(this.kernels, weight, inFeatures, outFeatures, bias);
  }

  linear(site: string, out: Float32Array, x: Float32Array, layer: LinearLayer, rows: number): void {
    denseLinear(this.kernels, site, out, x, layer, rows);
  }

  activation(site: string, kind: ActivationKind, out: Float32Array, x: Float32Array, n: number): void {
    checkActivation(site, kind);
    checkLength(site, 'x', x, n);
    checkLength(site, 'out', out, n);
    const f = TARGETS[kind].f;
    for (let i = 0; i < n; i++) out[i] = f(x[i] as number);
  }

  mul(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    checkLength(site, 'a', a, n);
    checkLength(site, 'b', b, n);
    checkLength(site, 'out', out, n);
    for (let i = 0; i < n; i++) out[i] = (a[i] as number) * (b[i] as number);
  }

  matmul(
    site: string,
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    K: number,
    N: number,
    options: MatmulOptions = {},
  ): void {
    matmul64(site, out, a, b, M, K, N, options);
  }

  softmax(site: string, x: Float32Array, rows: number, n: number, options: SoftmaxOptions = {}): void {
    checkRows(site, x, rows, n);
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * n, (r + 1) * n);
      const valid = visibleColumns(options, r, n);
      let max = -Infinity;
      for (let j = 0; j < valid; j++) max = Math.max(max, row[j] as number);
      let sum = 0;
      for (let j = 0; j < valid; j++) sum += Math.exp((row[j] as number) - max);
      for (let j = 0; j < n; j++) row[j] = j < valid ? Math.exp((row[j] as number) - max) / sum : 0;
    }
  }

  layerNorm(
    site: string,
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    rows: number,
    n: number,
    eps: number,
  ): void {
    checkRows(site, x, rows, n);
    checkRows(site, out, rows, n);
    checkLength(site, 'gamma', gamma, n);
    checkLength(site, 'beta', beta, n);
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

  rmsNorm(
    site: string,
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    rows: number,
    n: number,
    eps: number,
  ): void {
    checkRows(site, x, rows, n);
    checkRows(site, out, rows, n);
    checkLength(site, 'gamma', gamma, n);
    for (let r = 0; r < rows; r++) {
      let ss = 0;
      for (let j = 0; j < n; j++) ss += (x[r * n + j] as number) ** 2;
      const inv = 1 / Math.sqrt(ss / n + eps);
      for (let j = 0; j < n; j++) out[r * n + j] = (gamma[j] as number) * ((x[r * n + j] as number) * inv);
    }
  }

  add(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    addInto(site, out, a, b, n);
  }
}

/** Columns of row r that the mask leaves visible. */
export function visibleColumns(options: SoftmaxOptions, r: number, n: number): number {
  return options.causalOffset === undefined ? n : Math.min(n, Math.max(0, options.causalOffset + r + 1));
}

/** out (rows, out) = x @ W^T + b through the dense gemm kernel. */
export function denseLinear(
  kernels: Kernels,
  site: string,
  out: Float32Array,
  x: Float32Array,
  layer: LinearLayer,
  rows: number,
): void {
  checkRows(site, x, rows, layer.inFeatures);
  checkRows(site, out, rows, layer.outFeatures);
  const packed = (layer as ReturnType<typeof prepareDenseLinear>).packed;
  const input = x.subarray(0, rows * layer.inFeatures);
  const target = out.subarray(0, rows * layer.outFeatures);
  kernels.gemm(input, packed, rows, layer.bias ? { bias: layer.bias, out: target } : { out: target });
}

/** out (M, N) = scale * a (M, K) @ b (K, N) [or b^T], float64 accumulation. */
export function matmul64(
  site: string,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  options: MatmulOptions,
): void {
  checkRows(site, a, M, K);
  checkRows(site, b, options.transposeB ? N : K, options.transposeB ? K : N);
  checkRows(site, out, M, N);
  const scale = options.scale ?? 1;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      if (options.transposeB) {
        for (let k = 0; k < K; k++) sum += (a[i * K + k] as number) * (b[j * K + k] as number);
      } else {
        for (let k = 0; k < K; k++) sum += (a[i * K + k] as number) * (b[k * N + j] as number);
      }
      out[i * N + j] = scale * sum;
    }
  }
}

export function addInto(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
  checkLength(site, 'a', a, n);
  checkLength(site, 'b', b, n);
  checkLength(site, 'out', out, n);
  for (let i = 0; i < n; i++) out[i] = (a[i] as number) + (b[i] as number);
}

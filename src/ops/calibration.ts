// Calibration: the float OpSet run over a few inputs while every operand the spiking OpSet will encode is
// measured, per site: activation input ranges (to choose neuron domains) and the largest magnitudes of
// identity-coded operands (to choose their power-of-two ranges).
import { FloatOpSet } from './float-opset.js';
import type { ActivationKind, LinearLayer, MatmulOptions, OpSet, SoftmaxOptions } from './opset.js';
import type { Kernels } from '../kernels/index.js';

/** Range of the values an operand took at one site. */
export interface OperandRange {
  min: number;
  max: number;
  /** Elements seen. */
  count: number;
}

/** What calibration saw at each site: operand name -> range (e.g. "x", "a", "b", "centred"). */
export type Calibration = Map<string, Map<string, OperandRange>>;

/** The operation each site performs, as calibration saw it: "linear", "activation:gelu", "softmax", ... */
export type SiteOps = Map<string, string>;

/** The float OpSet plus range recording. Results are exactly the float OpSet's. */
export class CalibratingOpSet implements OpSet {
  readonly kind = 'float';
  readonly calibration: Calibration = new Map();
  readonly siteOps: SiteOps = new Map();
  private readonly float: FloatOpSet;

  constructor(kernels: Kernels) {
    this.float = new FloatOpSet(kernels);
  }

  private record(site: string, operand: string, values: ArrayLike<number>, n: number): void {
    let ranges = this.calibration.get(site);
    if (!ranges) {
      ranges = new Map();
      this.calibration.set(site, ranges);
    }
    let range = ranges.get(operand);
    if (!range) {
      range = { min: Infinity, max: -Infinity, count: 0 };
      ranges.set(operand, range);
    }
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (v < range.min) range.min = v;
      if (v > range.max) range.max = v;
    }
    range.count += n;
  }

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    return this.float.prepareLinear(weight, inFeatures, outFeatures, bias);
  }

  linear(site: string, out: Float32Array, x: Float32Array, layer: LinearLayer, rows: number): void {
    this.siteOps.set(site, 'linear');
    this.record(site, 'x', x, rows * layer.inFeatures);
    this.float.linear(site, out, x, layer, rows);
  }

  activation(site: string, kind: ActivationKind, out: Float32Array, x: Float32Array, n: number): void {
    this.siteOps.set(site, `activation:${kind}`);
    this.record(site, 'x', x, n);
    this.float.activation(site, kind, out, x, n);
  }

  mul(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    this.siteOps.set(site, 'mul');
    this.record(site, 'a', a, n);
    this.record(site, 'b', b, n);
    this.float.mul(site, out, a, b, n);
  }

  matmul(
    site: string,
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    K: number,
    N: number,
    options?: MatmulOptions,
  ): void {
    this.siteOps.set(site, 'matmul');
    this.record(site, 'a', a, M * K);
    this.record(site, 'b', b, K * N);
    this.float.matmul(site, out, a, b, M, K, N, options);
  }

  softmax(site: string, x: Float32Array, rows: number, n: number, options?: SoftmaxOptions): void {
    this.siteOps.set(site, 'softmax');
    this.float.softmax(site, x, rows, n, options);
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
    this.siteOps.set(site, 'layerNorm');
    // The spiking LayerNorm encodes the centred input x - mean.
    const centred = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      let mean = 0;
      for (let j = 0; j < n; j++) mean += x[r * n + j] as number;
      mean /= n;
      for (let j = 0; j < n; j++) centred[r * n + j] = (x[r * n + j] as number) - mean;
    }
    this.record(site, 'centred', centred, rows * n);
    this.float.layerNorm(site, out, x, gamma, beta, rows, n, eps);
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
    this.record(site, 'x', x, rows * n);
    this.float.rmsNorm(site, out, x, gamma, rows, n, eps);
  }

  add(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    this.siteOps.set(site, 'add');
    this.float.add(site, out, a, b, n);
  }
}

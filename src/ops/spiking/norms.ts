// Spiking LayerNorm and RMSNorm (ALGORITHM.md section 2): the centred input c = x - mean (additions and a
// constant 1/n) identity-coded, the variance as the spiking square Q(c) Q(c) with 1/n folded in,
// v = var + eps = M 2^E with M in [0.5, 2) and E even, 1/sqrt(v) = 2^(-E/2) MBE(1/sqrt(M)), and the
// output gamma * (Q(c) * Q(MBE(1/sqrt(M)))) 2^(-E/2) + beta, the product spiking and gamma, beta weights.
import type { SiteCounters } from '../instrumentation.js';
import type { SpikingContext } from './context.js';
import { multiplyTrains } from './products.js';

/** One norm call: x, out (rows, n); gamma, beta (n); `centre` false is RMSNorm (then beta is undefined). */
export interface NormCall {
  readonly out: Float32Array;
  readonly x: Float32Array;
  readonly gamma: Float32Array;
  readonly beta: Float32Array | undefined;
  readonly rows: number;
  readonly n: number;
  readonly eps: number;
  readonly centre: boolean;
}

/** Normalises x into out. */
export function spikingNorm(ctx: SpikingContext, counters: SiteCounters, site: string, call: NormCall): void {
  const { out, x, gamma, beta, rows, n, eps, centre } = call;
  const total = rows * n;
  const { scratch, kernels } = ctx;
  const c = scratch.f32('norm.centred', total); // (rows, n) centred input (RMSNorm: x itself)
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    if (centre) {
      for (let j = 0; j < n; j++) mean += x[r * n + j] as number;
      mean /= n;
    }
    for (let j = 0; j < n; j++) c[r * n + j] = (x[r * n + j] as number) - mean;
  }
  const qc = ctx.encode(counters, site, centre ? 'centred' : 'x', c, rows, n);
  // Variance: the spiking square with 1/n in the intensities, summed per row.
  const squares = scratch.f32('norm.squares', total); // (rows, n)
  counters.sops += multiplyTrains(ctx, qc, qc, squares, 1 / n);
  const v = scratch.f32('norm.variance', rows); // (rows) var + eps
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += squares[r * n + j] as number;
    v[r] = sum + eps;
  }
  const { mantissa, exponent } = kernels.frexpEven(v, {
    out: { mantissa: scratch.f32('norm.mantissa', rows), exponent: scratch.i32('norm.exponent', rows) },
  });
  const rsqrt = ctx.fireOperator(counters, 'rsqrt', mantissa, 1, rows, 'neuron.rsqrt');
  // 1/sqrt(M) lies in (0.7, 1.42]: identity-coded on [0, 2) for the product (each rsqrt spike reaches it once).
  counters.sops += rsqrt.total;
  const qs = ctx.encodeFixed(counters, rsqrt.y, 1, rows, 2, 'code.rsqrt');
  const products = scratch.f32('norm.products', total); // (rows, n) Q(c) * Q(MBE(1/sqrt(M)))
  counters.sops += multiplyTrains(ctx, qc, qs, products, 1, n);
  const shift = scratch.i32('norm.shift', total); // (rows, n) -E/2
  for (let i = 0; i < total; i++) shift[i] = -(exponent[Math.floor(i / n)] as number) / 2;
  const normalised = kernels.ldexp(products, shift, { out: products }); // (rows, n)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      const y = (gamma[j] as number) * (normalised[r * n + j] as number);
      out[r * n + j] = beta ? y + (beta[j] as number) : y;
    }
  }
}

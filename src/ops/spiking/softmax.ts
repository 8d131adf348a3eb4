// Spiking softmax (ALGORITHM.md section 2): subtract the row maximum (a comparison), exp through
// 2^floor(z) * MBE(2^frac(z)) with z = x log2(e), sum, reciprocal through the IEEE-754 split
// S = M 2^E and MBE(1/M), then a spiking product of each 2^frac by the reciprocal (both identity-coded),
// placed by exponent addition: p_i = (Q(MBE(2^f_i)) * Q(MBE(1/M))) * 2^(floor(z_i) - E).
import type { SiteCounters } from '../instrumentation.js';
import { isVisible, visibleColumns } from '../masks.js';
import type { SoftmaxOptions } from '../opset.js';
import type { SpikingContext } from './context.js';
import { multiplyTrains } from './products.js';

/** Range of the identity codes of the mantissa-like factors 2^f in [1, 2) and 1/M in (1, 2]. */
const MANTISSA_RANGE = 2;

export function spikingSoftmax(
  ctx: SpikingContext,
  counters: SiteCounters,
  x: Float32Array,
  rows: number,
  n: number,
  options: SoftmaxOptions,
): void {
  const total = rows * n;
  const { scratch, kernels } = ctx;
  // Masked columns keep zeros: 2^0 spikes there, but never reach a sum or an output.
  const fraction = scratch.f32('softmax.fraction', total).fill(0); // (rows, n) z - floor(z), in [0, 1)
  const whole = scratch.i32('softmax.whole', total).fill(0); // (rows, n) floor(z)
  const visible = scratch.u8('softmax.visible', total).fill(0); // (rows, n) 1 where the mask lets the column through
  for (let r = 0; r < rows; r++) {
    const valid = visibleColumns(options, r, n);
    let max = -Infinity;
    for (let j = 0; j < valid; j++) {
      if (!isVisible(options, valid, j)) continue;
      max = Math.max(max, x[r * n + j] as number);
      counters.comparisons++;
    }
    for (let j = 0; j < valid; j++) {
      if (!isVisible(options, valid, j)) continue;
      const z = ((x[r * n + j] as number) - max) * Math.LOG2E;
      if (z === -Infinity) continue; // exp(-inf) = 0: stays masked
      const e = Math.floor(z);
      whole[r * n + j] = Number.isFinite(e) ? Math.max(e, -1000) : 0;
      fraction[r * n + j] = Number.isNaN(z) ? NaN : z - e;
      visible[r * n + j] = 1;
    }
  }
  // 2^f for every element, then exp = 2^f * 2^floor(z) by exponent addition.
  const exp2 = ctx.fireOperator(counters, 'exp2', fraction, rows, n, 'neuron.exp2');
  const exps = kernels.ldexp(exp2.y, whole, { out: scratch.f32('softmax.exps', total) }); // (rows, n)
  const sums = scratch.f32('softmax.sums', rows); // (rows)
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) if (visible[r * n + j]) sum += exps[r * n + j] as number;
    sums[r] = sum;
  }
  counters.sops += exp2.total; // each spike of 2^f reaches the row sum once
  // 1 / S = 2^-E / M with M in [0.5, 1).
  const { mantissa, exponent } = kernels.frexp(sums, {
    out: { mantissa: scratch.f32('softmax.mantissa', rows), exponent: scratch.i32('softmax.exponent', rows) },
  });
  const reciprocal = ctx.fireOperator(counters, 'reciprocal', mantissa, 1, rows, 'neuron.reciprocal');
  // Both factors lie in [1, 2]: identity-coded on [0, 2) (Eq. 9), their product as D (.) S. Each neuron
  // spike reaches its identity code's membrane once.
  counters.sops += reciprocal.total;
  const qm = ctx.encodeFixed(counters, exp2.y, rows, n, MANTISSA_RANGE, 'code.exp2');
  const qr = ctx.encodeFixed(counters, reciprocal.y, 1, rows, MANTISSA_RANGE, 'code.reciprocal');
  const products = scratch.f32('softmax.products', total); // (rows, n) Q(2^f) * Q(1/M)
  counters.sops += multiplyTrains(ctx, qm, qr, products, 1, n);
  const shift = scratch.i32('softmax.shift', total); // (rows, n) floor(z) - E
  for (let i = 0; i < total; i++) shift[i] = (whole[i] as number) - (exponent[Math.floor(i / n)] as number);
  const probabilities = kernels.ldexp(products, shift, { out: products }); // (rows, n)
  for (let i = 0; i < total; i++) x[i] = visible[i] ? (probabilities[i] as number) : 0;
}

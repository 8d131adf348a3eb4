// Products with spiking operands: element-wise products of two activations (D (.) S), products of two
// activation matrices (Q K^T, P V) and linear layers on identity-coded inputs. Equivalent mode multiplies
// the decoded values; spike-driven mode consumes the spike planes (accumulate-only).
import { ResidentMatrix, type Kernels, type SpikePlanes } from '../../kernels/index.js';
import { FLOAT64_KERNEL_MIN_MACS, float64Matmul, float64MatmulBatch } from '../float-opset.js';
import { bBlock, matmulBatch } from '../matmul-batch.js';
import type { MatmulOptions } from '../opset.js';
import type { SiteCounters } from '../instrumentation.js';
import type { OpArgs } from '../op-table.js';
import type { SpikingContext } from './context.js';
import type { Scratch } from './scratch.js';
import { predictedProductSops, spikeProduct, type SpikeTrain } from './spike-train.js';

/** out (n) = Q(a) * Q(b). */
export function spikingMul(ctx: SpikingContext, counters: SiteCounters, [site, out, a, b, n]: OpArgs<'mul'>): void {
  const qa = ctx.encode(counters, site, 'a', a, 1, n);
  const qb = ctx.encode(counters, site, 'b', b, 1, n);
  counters.sops += multiplyTrains(ctx, qa, qb, out.subarray(0, n));
}

/**
 * out = scale * a (.) b from two trains; returns the accumulates spent. `broadcast` 0: b is as long as a; else b holds
 * one element per row of `broadcast` elements of a (one reciprocal per row).
 */
export function multiplyTrains(
  ctx: SpikingContext,
  a: SpikeTrain,
  b: SpikeTrain,
  out: Float32Array,
  scale = 1,
  broadcast = 0,
): number {
  if (ctx.options.mode === 'spike-driven') return spikeProduct(a, b, out, ctx.scratch, scale, broadcast);
  if (broadcast === 0) {
    for (let i = 0; i < out.length; i++) out[i] = scale * (a.y[i] as number) * (b.y[i] as number);
  } else {
    for (let i = 0; i < out.length; i++) {
      out[i] = scale * (a.y[i] as number) * (b.y[Math.floor(i / broadcast)] as number);
    }
  }
  return predictedProductSops(a, b, ctx.scratch, broadcast);
}

/**
 * Spike planes of a sign-magnitude train split by sign: plane p's positive spikes become plane p with
 * scale +v_p, its negative spikes plane P + p with scale -v_p. (2P, rows, words) and (2P).
 */
export function signedPlanes(
  train: SpikeTrain,
  factor: number,
  scratch: Scratch,
): { planes: SpikePlanes; scale: Float32Array } {
  const { bits, planes: P, rows, rowLen, words } = train.spikes.planes;
  const signs = train.spikes.signs;
  const plane = rows * words;
  const split = scratch.u32('signed.planes', 2 * P * plane); // (2P, rows, words)
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < plane; i++) {
      const w = bits[p * plane + i] as number;
      const negative = signs[i] as number;
      split[p * plane + i] = (w & ~negative) >>> 0;
      split[(P + p) * plane + i] = (w & negative) >>> 0;
    }
  }
  const scale = scratch.f32('signed.scale', 2 * P); // (2P)
  for (let p = 0; p < P; p++) {
    scale[p] = factor * (train.planeValue[p] as number);
    scale[P + p] = -factor * (train.planeValue[p] as number);
  }
  return { planes: { bits: split, planes: 2 * P, rows, rowLen, words }, scale };
}

/**
 * out (rows, Nout) += sum_p scale_p S_p @ W: W (K, Nout) either resident (a layer's packed weights) or uploaded for
 * this call (an activation matrix). Returns the accumulates: each spike adds one row of Nout weights.
 */
export function spikeMatmul(
  kernels: Kernels,
  scratch: Scratch,
  train: SpikeTrain,
  factor: number,
  weight: Float32Array | ResidentMatrix,
  K: number,
  Nout: number,
  out: Float32Array,
): number {
  const { planes, scale } = signedPlanes(train, factor, scratch);
  if (weight instanceof ResidentMatrix) {
    kernels.spikemm(planes, scale, weight, out);
  } else {
    const resident = kernels.upload(weight, K, Nout);
    try {
      kernels.spikemm(planes, scale, resident, out);
    } finally {
      resident.free();
    }
  }
  return train.total * Nout;
}

/**
 * out (M, N) = scale * Q(a) (M, K) @ Q(b) (K, N) [or Q(b)^T with b (N, K)]; with options.batch, each product as one
 * call would give it. Static ranges in equivalent mode code all of a at once and each b block once (a row's code
 * depends on that row alone); otherwise the products go one by one.
 */
export function spikingMatmul(ctx: SpikingContext, counters: SiteCounters, args: OpArgs<'matmul'>): void {
  const [site, out, a, b, M, K, N, options = {}] = args;
  const geometry = matmulBatch(options, K, N);
  if (geometry.batch > 1 && (ctx.options.ranges === 'dynamic' || ctx.options.mode === 'spike-driven')) {
    // a dynamic range follows each product's own tensors; spike-driven products read each one's planes
    for (let i = 0; i < geometry.batch; i++) {
      const block = bBlock(b, geometry, Math.floor(i / geometry.share), K, N);
      const product = out.subarray(i * M * N, (i + 1) * M * N); // (M, N)
      oneMatmul(ctx, counters, site, product, a.subarray(i * M * K, (i + 1) * M * K), block, M, K, N, options);
    }
    return;
  }
  if (geometry.batch === 1) {
    oneMatmul(ctx, counters, site, out, a, b, M, K, N, options);
    return;
  }
  const transposeB = options.transposeB ?? false;
  const scale = options.scale ?? 1;
  const qa = ctx.encode(counters, site, 'a', a, geometry.batch * M, K); // (batch, M, K)
  counters.sops += qa.total * N; // each of Q(a)'s spikes reaches N sums
  const sums = ctx.scratch.f64('matmul.sums', N); // (N)
  // products each too small for a kernel call of its own go in one call, their decoded blocks side by side
  const together = M * K * N < FLOAT64_KERNEL_MIN_MACS;
  const decoded = ctx.scratch.f32('matmul.blocks', together ? geometry.blocks * K * N : 0); // (blocks, K, N) or (blocks, N, K)
  for (let j = 0; j < geometry.blocks; j++) {
    const block = bBlock(b, geometry, j, K, N);
    const qb = ctx.encodeRows(counters, site, 'b', block, transposeB ? N : K, transposeB ? K : N);
    if (together) decoded.set(qb.y.subarray(0, K * N), j * K * N);
    for (let i = j * geometry.share; i < (j + 1) * geometry.share; i++) {
      // each product codes its block, as one call would: the block's second readers are charged as memo hits
      if (i > j * geometry.share) ctx.chargeCodedAgain(counters, qb);
      counters.sops += qb.total; // forming Q(b) accumulates each of its spikes once
      if (together) continue;
      const product = out.subarray(i * M * N, (i + 1) * M * N); // (M, N)
      const qaRows = qa.y.subarray(i * M * K, (i + 1) * M * K); // (M, K)
      // the float model's small product on the decoded values, so the same sums in the same order
      float64Matmul(ctx.kernels, product, qaRows, qb.y, M, K, N, transposeB, scale, sums);
    }
  }
  if (together) {
    const blocks = { ...geometry, stride: K * N };
    float64MatmulBatch(ctx.kernels, out, qa.y, decoded, blocks, M, K, N, transposeB, scale, sums);
  }
}

/** One product: out (M, N) = scale * Q(a) (M, K) @ Q(b). */
function oneMatmul(
  ctx: SpikingContext,
  counters: SiteCounters,
  site: string,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  options: MatmulOptions,
): void {
  const transposeB = options.transposeB ?? false;
  const scale = options.scale ?? 1;
  const qa = ctx.encode(counters, site, 'a', a, M, K);
  const qb = ctx.encodeRows(counters, site, 'b', b, transposeB ? N : K, transposeB ? K : N);
  counters.sops += qb.total; // forming Q(b) accumulates each of its spikes once
  if (ctx.options.mode === 'spike-driven') {
    // Q(b) as a (K, N) matrix: the weights the spikes of Q(a) select.
    const bMatrix = ctx.scratch.f32('matmul.b', K * N); // (K, N)
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < N; j++) bMatrix[k * N + j] = qb.y[transposeB ? j * K + k : k * N + j] as number;
    }
    out.fill(0, 0, M * N);
    counters.sops += spikeMatmul(ctx.kernels, ctx.scratch, qa, scale, bMatrix, K, N, out.subarray(0, M * N));
    return;
  }
  // the float model's small product on the decoded values, so the same sums in the same order
  float64Matmul(ctx.kernels, out, qa.y, qb.y, M, K, N, transposeB, scale, ctx.scratch.f64('matmul.sums', N));
  counters.sops += qa.total * N;
}

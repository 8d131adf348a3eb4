// Spike-aware rounding of identity codes (option spikeCost): each magnitude may round to a grid value with fewer
// spikes than its nearest one when the error it adds is worth less than the spikes it saves. Every spike is
// charged spikeCost squared code steps, divided by the weight of its input: a linear layer's input c reaches the
// outputs through column c of W, so its coding error counts as ||W[:, c]||^2 (relative to the layer's mean) and
// its spikes as equal (each one adds a row of Nout weights); a convolution's input channel c through W[:, c, :, :].
import type { IdentityCode } from './options.js';
import type { IdentityRounding } from './ranges.js';
import { popcount32 } from './spike-train.js';

/** Spikes of the code value k: its 1-bits (binary), or its nonzero non-adjacent-form digits (signed-digit). */
export function codeSpikes(k: number, code: IdentityCode): number {
  if (code === 'binary') return popcount32(k >>> 0);
  // the NAF's nonzero digits are the 1-bits of (k >> 1) ^ (k + (k >> 1)) (signed-digit.ts); k + (k >> 1) may
  // need a 33rd bit, which (k >> 1) < 2^31 never has
  const half = Math.floor(k / 2);
  const sum = k + half;
  return popcount32((half ^ sum) >>> 0) + (sum >= 2 ** 32 ? 1 : 0);
}

/**
 * A linear layer or convolution prepared by the spiking OpSet with a spike cost: the weights of its inputs' coding
 * errors, (in) or (Cin) (inputWeights, channelWeights).
 */
export interface InputWeighted {
  readonly inputWeights?: Float32Array;
}

/** Inputs whose weight is below this fraction of the mean count as this fraction: a bounded search. */
export const MIN_INPUT_WEIGHT = 1 / 64;

/**
 * Per input c of a linear layer W (out, in): ||W[:, c]||^2 over the mean of those, floored at MIN_INPUT_WEIGHT
 * (an all-zero W gives every input weight 1). The weight of an input's coding error against its spikes.
 */
export function inputWeights(weight: Float32Array, inFeatures: number, outFeatures: number): Float32Array {
  return squaredNorms(weight, outFeatures, inFeatures, 1);
}

/**
 * Per input channel c of a convolution W (Cout, Cin, K, K): ||W[:, c, :, :]||^2 over the mean of those, floored as
 * inputWeights floors them. A pixel's spikes in channel c reach those weights (all of them inside the padding).
 */
export function channelWeights(weight: Float32Array, outChannels: number, inChannels: number): Float32Array {
  return squaredNorms(weight, outChannels, inChannels, weight.length / (outChannels * inChannels));
}

/**
 * For W (outs, ins, window): per input c, the sum of W[:, c, :]^2 over the mean of those sums, floored at
 * MIN_INPUT_WEIGHT (an all-zero W gives every input 1).
 */
function squaredNorms(weight: Float32Array, outs: number, ins: number, window: number): Float32Array {
  const norms = new Float64Array(ins); // (ins)
  for (let o = 0; o < outs; o++) {
    for (let c = 0; c < ins; c++) {
      for (let k = (o * ins + c) * window; k < (o * ins + c + 1) * window; k++) {
        const w = weight[k] as number;
        norms[c] = (norms[c] as number) + w * w;
      }
    }
  }
  let mean = 0;
  for (const v of norms) mean += v / ins;
  const out = new Float32Array(ins); // (ins)
  for (let c = 0; c < ins; c++) out[c] = mean > 0 ? Math.max((norms[c] as number) / mean, MIN_INPUT_WEIGHT) : 1;
  return out;
}

export interface SparseRounding {
  readonly alpha: number;
  readonly T: number;
  readonly rounding: IdentityRounding;
  readonly code: IdentityCode;
  /** Squared code steps one spike is worth (> 0). */
  readonly spikeCost: number;
  /** (rowLen) weight of each position of a row (inputWeights), or undefined for 1 everywhere. */
  readonly weights: Float32Array | undefined;
}

/**
 * out (rows, rowLen) = x with each |x| moved to the grid value k alpha 2^-T (0 <= k < 2^T, sign kept) that
 * minimises (u - k)^2 + (spikeCost / w) codeSpikes(k), u = |x| / (alpha 2^-T), w the position's weight: exact
 * over every k, since a k costing less than the nearest value k0 has (u - k)^2 below k0's cost (a search of
 * about 2 sqrt(spikeCost n(k0) / w) values, w >= MIN_INPUT_WEIGHT); ties go to the smaller error. So no value
 * spikes more than its nearest one would. The cost replaces the code's rounding (floor too); each value is
 * placed where the code reads it back as k: on the grid for nearest, half a step above it for floor. Values
 * whose nearest code is the top one or beyond pass through (the code saturates as without this option); 0 and
 * NaN stay as they are.
 */
export function sparseRound(x: Float32Array, out: Float32Array, rowLen: number, r: SparseRounding): void {
  const unit = r.alpha * 2 ** -r.T;
  const kMax = 2 ** r.T - 1;
  const offset = r.rounding === 'floor' ? 0.5 : 0;
  for (let i = 0; i < out.length; i++) {
    const v = x[i] as number;
    const u = Math.abs(v) / unit;
    if (!(u > 0)) {
      out[i] = v; // 0, -0 and NaN code as themselves
      continue;
    }
    const w = r.weights ? (r.weights[i % rowLen] as number) : 1;
    const perSpike = r.spikeCost / w;
    const nearest = Math.round(u);
    if (nearest >= kMax) {
      out[i] = v; // the top code or saturation, as without spike costs
      continue;
    }
    let best = nearest;
    let bestError = (u - nearest) ** 2;
    let bestCost = bestError + perSpike * codeSpikes(nearest, r.code);
    // a k that costs less has (u - k)^2 < bestCost
    const reach = Math.sqrt(bestCost);
    const lo = Math.max(0, Math.ceil(u - reach));
    const hi = Math.min(kMax, Math.floor(u + reach));
    for (let k = lo; k <= hi; k++) {
      const error = (u - k) ** 2;
      const cost = error + perSpike * codeSpikes(k, r.code);
      if (cost < bestCost || (cost === bestCost && error < bestError)) {
        best = k;
        bestCost = cost;
        bestError = error;
      }
    }
    const magnitude = best === 0 ? 0 : (best + offset) * unit;
    out[i] = v < 0 ? -magnitude : magnitude;
  }
}

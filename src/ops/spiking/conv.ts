// Convolutions on identity-coded inputs: the input image is encoded once (one neuron per pixel and channel),
// and each spike then reaches every output window that reads its pixel, Cout weights each. Equivalent mode
// convolves the decoded values (im2col + gemm); spike-driven mode lays the spike planes out as patches (the
// same walk, on bits) and accumulates weight rows where they are set.
import { convOutputSize, forEachPatchRun, im2col, patchLength, windowsPerPixel, type ConvLayer } from '../conv.js';
import { denseLinear } from '../float-opset.js';
import type { SiteCounters } from '../instrumentation.js';
import type { OpArgs } from '../op-table.js';
import type { SpikingContext } from './context.js';
import { spikeMatmul } from './products.js';
import type { InputWeighted } from './sparse-rounding.js';
import { elementCounts, type SpikeTrain } from './spike-train.js';

export function spikingConv(ctx: SpikingContext, counters: SiteCounters, args: OpArgs<'conv2d'>): void {
  const [site, out, x, layer, H, W] = args;
  const g = layer.geometry;
  const rows = convOutputSize(H, g) * convOutputSize(W, g);
  // pixels (H * W) of Cin channels; with a spike cost, each channel's error weighed by its kernels
  const weights = (layer as InputWeighted).inputWeights;
  const q = ctx.encode(counters, site, 'x', x, H * W, g.inChannels, { weights });
  if (ctx.options.mode === 'equivalent') {
    const patches = im2col(q.y, H, W, g, ctx.scratch.f32('conv.patches', rows * patchLength(g))); // (OH*OW, K*K*Cin)
    denseLinear(ctx.kernels, out, patches, layer.linear, rows);
    counters.sops += fanOutSops(ctx, q, layer, H, W);
    return;
  }
  // the patch weights' packed copy (gemm's), whose rows spikemm adds where spikes are set
  const { packed } = layer.linear;
  const target = out.subarray(0, rows * g.outChannels); // (OH*OW, Cout)
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < g.outChannels; o++) target[r * g.outChannels + o] = layer.bias ? (layer.bias[o] as number) : 0;
  }
  const patches = patchTrain(ctx, q, layer, H, W);
  counters.sops += spikeMatmul(ctx.kernels, ctx.scratch, patches, 1, packed, patchLength(g), g.outChannels, target);
}

/** Equivalent mode's accumulates: each spike times the windows that read its pixel, times Cout. */
function fanOutSops(ctx: SpikingContext, q: SpikeTrain, layer: ConvLayer, H: number, W: number): number {
  const g = layer.geometry;
  const counts = elementCounts(q, ctx.scratch, 'conv.counts'); // (H * W * Cin)
  const byRow = windowsPerPixel(H, g);
  const byColumn = windowsPerPixel(W, g);
  let reach = 0;
  for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) {
      let spikes = 0;
      for (let c = 0; c < g.inChannels; c++) spikes += counts[(h * W + w) * g.inChannels + c] as number;
      reach += spikes * (byRow[h] as number) * (byColumn[w] as number);
    }
  }
  return reach * g.outChannels;
}

/**
 * The train of the patches: planes (P, OH * OW, ceil(K * K * Cin / 32)) and signs laid out as im2col lays out
 * the values, so a spike appears once per window that reads it (padding has none); total counts those copies.
 */
function patchTrain(ctx: SpikingContext, q: SpikeTrain, layer: ConvLayer, H: number, W: number): SpikeTrain {
  const g = layer.geometry;
  const C = g.inChannels;
  const rows = convOutputSize(H, g) * convOutputSize(W, g);
  const rowLen = patchLength(g);
  const words = Math.ceil(rowLen / 32);
  const { bits, planes: P, words: inWords } = q.spikes.planes;
  const out = ctx.scratch.u32('conv.bits', P * rows * words); // (P, OH*OW, words)
  const signs = ctx.scratch.u32('conv.signs', rows * words); // (OH*OW, words)
  out.fill(0);
  signs.fill(0);
  let total = 0;
  /** Copies pixel `pixel`'s C bits of `source` (row stride inWords) to flat patch offset `to` of `target`. */
  const copyBits = (source: Uint32Array, sourceRow: number, target: Uint32Array, targetRow: number, to: number) => {
    let copied = 0;
    for (let c = 0; c < C; c++) {
      if ((((source[sourceRow * inWords + (c >>> 5)] as number) >>> (c & 31)) & 1) === 0) continue;
      const col = (to % rowLen) + c;
      target[targetRow * words + (col >>> 5)]! |= 1 << (col & 31);
      copied++;
    }
    return copied;
  };
  forEachPatchRun(
    H,
    W,
    g,
    (pixel, to) => {
      const r = Math.floor(to / rowLen);
      for (let p = 0; p < P; p++) total += copyBits(bits, p * H * W + pixel, out, p * rows + r, to);
      copyBits(q.spikes.signs, pixel, signs, r, to);
    },
    () => undefined, // padding: no spikes
  );
  return {
    ...q,
    spikes: { ...q.spikes, planes: { bits: out, planes: P, rows, rowLen, words }, signs },
    total,
  };
}

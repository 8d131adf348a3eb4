// Max pooling from ReLU neurons: max(a, b) = a + ReLU(b - a), as a tournament over each window's in-image
// values (k * k - 1 neurons per full window, fewer where it overlaps the padding); everything else is additions
// and subtractions of decoded values. The ReLU neuron is the identity code on one polarity (exact up to its 2^-T
// steps, nothing to fit), its range from the calibrated range of all the differences.
import type { SiteCounters } from '../instrumentation.js';
import type { OpArgs } from '../op-table.js';
import { poolGeometry, poolTournament, poolWindows, tournamentWidth, type Rectifier } from '../pooling.js';
import type { SpikingContext } from './context.js';

export function spikingMaxPool(ctx: SpikingContext, counters: SiteCounters, args: OpArgs<'maxPool'>): void {
  const [site, out, x, H, W, C, options] = args;
  const g = poolGeometry(options);
  const window = g.kernelSize * g.kernelSize;
  const windows = poolWindows(H, W, C, g);
  const n = windows.length / window;
  const buffers = {
    candidates: ctx.scratch.f32('pool.candidates', n * window), // (n, k * k)
    differences: ctx.scratch.f32('pool.differences', tournamentWidth(n, window)), // (n * floor(k * k / 2))
  };
  // each level's train is read before the next level asks for the same scratch slot
  const relu: Rectifier = (differences, count) => {
    const train = ctx.rectify(counters, site, 'differences', differences.subarray(0, count), count);
    counters.sops += train.total; // each spike adds its intensity into the output once
    return train.y;
  };
  poolTournament(x, windows, window, out, relu, buffers);
}

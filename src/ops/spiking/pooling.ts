// Max pooling from ReLU neurons: max(a, b) = a + ReLU(b - a). Per 2x2 window, two neurons give the maxima of
// its rows' pairs, a third the maximum of those; everything else is additions and subtractions of decoded
// values. The ReLU neuron is the identity code on one polarity (exact up to its 2^-T steps, nothing to fit), its
// range from the calibrated range of all three differences.
import type { SiteCounters } from '../instrumentation.js';
import type { OpArgs } from '../op-table.js';
import { poolWindows } from '../pooling.js';
import type { SpikingContext } from './context.js';

export function spikingMaxPool(ctx: SpikingContext, counters: SiteCounters, args: OpArgs<'maxPool'>): void {
  const [site, out, x, H, W, C] = args;
  const windows = poolWindows(H, W, C);
  const n = windows.length / 4;
  const value = (i: number, j: number) => x[windows[4 * i + j] as number] as number;
  // first level: b - a and d - c of every window, (2n)
  const pairs = ctx.scratch.f32('pool.pairs', 2 * n);
  for (let i = 0; i < n; i++) {
    pairs[2 * i] = value(i, 1) - value(i, 0);
    pairs[2 * i + 1] = value(i, 3) - value(i, 2);
  }
  const first = ctx.rectify(counters, site, 'differences', pairs, 2 * n);
  counters.sops += first.total; // each spike adds its intensity into the output once
  // the two row maxima, (2n), then their difference, (n)
  const maxima = ctx.scratch.f32('pool.maxima', 2 * n);
  for (let i = 0; i < n; i++) {
    maxima[2 * i] = value(i, 0) + (first.y[2 * i] as number);
    maxima[2 * i + 1] = value(i, 2) + (first.y[2 * i + 1] as number);
  }
  const across = ctx.scratch.f32('pool.across', n);
  for (let i = 0; i < n; i++) across[i] = (maxima[2 * i + 1] as number) - (maxima[2 * i] as number);
  // first.y is read above; the second train may reuse its scratch slot
  const second = ctx.rectify(counters, site, 'differences', across, n);
  counters.sops += second.total;
  for (let i = 0; i < n; i++) out[i] = (maxima[2 * i] as number) + (second.y[i] as number);
}

// Counters kept per operator site: what the spiking OpSet did (spikes, synaptic operations, clamps) and
// what the float model does for the same work (multiply-accumulates), for firing rates and Eq. 14.

/** How each op family is made spiking (ALGORITHM.md section 2), or why it is not. */
export type OpFamily = 'activations' | 'multiplications' | 'softmax' | 'norms' | 'linearInputs';

export const OP_FAMILIES: readonly OpFamily[] = ['activations', 'multiplications', 'softmax', 'norms', 'linearInputs'];

export interface SiteCounters {
  readonly site: string;
  /** e.g. "activation:gelu", "matmul", "softmax", "layerNorm", "linear". */
  readonly op: string;
  readonly family: OpFamily | 'linear' | 'residual';
  /** Whether the site ran on spiking neurons (false: left as float, or linear with float inputs). */
  spiking: boolean;
  calls: number;
  /** Elements that went through neurons. */
  neuronInputs: number;
  /** Firing opportunities: neuron inputs x N x T, summed over the neurons used. */
  neuronSteps: number;
  spikes: number;
  /** Accumulates the spikes cause: one per spike into its readout, fan-out per spike into a layer, one per coincident spike pair of a product. */
  sops: number;
  /** Multiply-accumulates the spiking model still does in float (non-spiking parts). */
  residualMacs: number;
  /** Inputs outside a neuron's fitted domain. */
  clamps: number;
  /** Identity-coded operands at or beyond their range. */
  saturations: number;
  /** Multiply-accumulates of the float model for the same work (see MAC_CONVENTIONS). */
  floatMacs: number;
  /** Non-spiking operations kept by design (row maxima, dynamic ranges), counted per element. */
  comparisons: number;
}

/**
 * What one float operation costs in multiply-accumulates (MACs), the unit of E_MAC. Linear layers and
 * products of activations are exact counts; transcendental functions follow the paper's GELU figure of
 * "70 FLOPs" counted as 35 MACs (Jiang et al. 2024), and the same cost is assumed for exp, reciprocal,
 * reciprocal square root, SiLU, tanh and sigmoid.
 */
export const MAC_CONVENTIONS = {
  transcendental: 35,
  relu: 0,
  perProduct: 1,
  normalisePerElement: 3, // subtract the mean, square and accumulate, scale
} as const;

export class Instrumentation {
  private readonly sites = new Map<string, SiteCounters>();

  /** The counters of a site, created on first use. */
  site(site: string, op: string, family: SiteCounters['family']): SiteCounters {
    const key = `${site}\u0000${op}`;
    let counters = this.sites.get(key);
    if (!counters) {
      counters = {
        site,
        op,
        family,
        spiking: false,
        calls: 0,
        neuronInputs: 0,
        neuronSteps: 0,
        spikes: 0,
        sops: 0,
        residualMacs: 0,
        clamps: 0,
        saturations: 0,
        floatMacs: 0,
        comparisons: 0,
      };
      this.sites.set(key, counters);
    }
    return counters;
  }

  /** Every site's counters, in first-use order. */
  all(): readonly SiteCounters[] {
    return [...this.sites.values()];
  }

  reset(): void {
    this.sites.clear();
  }
}

/** Sums counters of the same site and op (e.g. from several runs of one model). */
export function mergeCounters(counters: readonly SiteCounters[]): SiteCounters[] {
  const merged = new Instrumentation();
  for (const c of counters) {
    const m = merged.site(c.site, c.op, c.family);
    m.spiking ||= c.spiking;
    for (const key of COUNTED) m[key] += c[key];
  }
  return [...merged.all()];
}

const COUNTED = [
  'calls',
  'neuronInputs',
  'neuronSteps',
  'spikes',
  'sops',
  'residualMacs',
  'clamps',
  'saturations',
  'floatMacs',
  'comparisons',
] as const;

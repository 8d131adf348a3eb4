// Counters kept per operator site: what the spiking OpSet did (spikes, synaptic operations, clamps) and
// what the float model does for the same work (multiply-accumulates), for firing rates and Eq. 14.
import { OP_TABLE } from './op-table.js';
import { siteOpLabel, type OpFamily, type OpName, type SiteOp } from './conventions.js';
import type { ActivationKind } from './opset.js';

export { MAC_CONVENTIONS, OP_FAMILIES, type OpFamily } from './conventions.js';

export interface SiteCounters {
  readonly site: string;
  readonly op: OpName;
  /** The activation kind of an activation site. */
  readonly activation?: ActivationKind;
  /** For tables: "linear", "activation:gelu", ... */
  readonly label: string;
  /** The op family that makes the site spiking ('residual': additions, spike-friendly as they are). */
  readonly family: OpFamily | 'residual';
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
  /** Elements the calls read and wrote (the op table's `moved`), for the memory-access term. */
  weightElements: number;
  inputElements: number;
  outputElements: number;
}

export class Instrumentation {
  private readonly sites = new Map<string, SiteCounters>();

  /** The counters of a site, created on first use. */
  site(site: string, siteOp: SiteOp): SiteCounters {
    const label = siteOpLabel(siteOp);
    const key = `${site}\u0000${label}`;
    let counters = this.sites.get(key);
    if (!counters) {
      counters = {
        site,
        ...siteOp,
        label,
        family: OP_TABLE[siteOp.op].family,
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
        weightElements: 0,
        inputElements: 0,
        outputElements: 0,
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
    const m = merged.site(c.site, c.activation === undefined ? { op: c.op } : { op: c.op, activation: c.activation });
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
  'weightElements',
  'inputElements',
  'outputElements',
] as const;

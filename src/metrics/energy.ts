// Firing rates, synaptic operations and the energy estimate of Eq. 14,
//   E_SNN / E_ANN = (SOPs E_AC + residual MACs E_MAC) / (float MACs E_MAC),
// always reported with its assumptions: the cost constants and what was counted.
import { InvalidArgumentError } from '../errors.js';
import { MAC_CONVENTIONS, type SiteCounters } from '../ops/instrumentation.js';

export interface EnergyAssumptions {
  /** Energy of one accumulate, pJ (default 0.9, 45 nm, Horowitz 2014 as used by the paper). */
  readonly eAcPj: number;
  /** Energy of one multiply-accumulate, pJ (default 4.6). */
  readonly eMacPj: number;
}

export const DEFAULT_ENERGY: EnergyAssumptions = { eAcPj: 0.9, eMacPj: 4.6 };

export type EnergyPrecision = 'fp32' | 'fp16' | 'int8';

/**
 * The cost of an add (E_AC) and a multiply-accumulate (E_MAC) at each precision, 45 nm (Horowitz, ISSCC 2014),
 * as SpikingJelly's op counter takes them. fp32 is the paper's pair and the default.
 */
export const ENERGY_PRESETS: Readonly<Record<EnergyPrecision, EnergyAssumptions>> = {
  fp32: { eAcPj: 0.9, eMacPj: 4.6 },
  fp16: { eAcPj: 0.4, eMacPj: 1.5 },
  int8: { eAcPj: 0.03, eMacPj: 0.23 },
};

/** Bytes per activation or weight element of an ANN at each precision. */
export const ELEMENT_BYTES: Readonly<Record<EnergyPrecision, number>> = { fp32: 4, fp16: 2, int8: 1 };

/**
 * The optional memory-access term: every byte of weights and activations an op reads or writes costs `pjPerByte`
 * on both sides (a stated figure: it depends on the memory, from a few pJ per byte on chip to hundreds off chip).
 */
export interface MemoryAssumptions {
  readonly pjPerByte: number;
}

/** Eq. 14 with the memory-access term added on both sides. */
export interface MemoryEnergy {
  readonly pjPerByte: number;
  readonly snnBytes: number;
  /** The ANN's bytes at fp32. */
  readonly annBytes: number;
  /** (E_SNN + memory) / (E_ANN + memory), the ANN at fp32 (the report's constants). */
  readonly ratio: number;
  /** The same against the ANN at each precision (its MACs and its bytes at that precision). */
  readonly annAtPrecision: readonly {
    readonly precision: EnergyPrecision;
    readonly annBytes: number;
    readonly ratio: number;
  }[];
  readonly counted: string;
}

export const MEMORY_STATEMENT =
  'Memory: per call, the weights read (fp32 in the spiking model; the ANN at its precision) and the activations ' +
  "moved: the ANN reads its inputs and writes its outputs at its precision; a spiking site's inputs move as spike " +
  'planes, one bit per neuron step, and its decoded outputs as fp32; sites left float move fp32 inputs. Caches and ' +
  'reuse are not modelled: each call moves its weights once.';

/** The spiking model's energy against an ANN running the same MACs at another precision. */
export interface AnnComparison {
  readonly precision: EnergyPrecision;
  readonly eMacPj: number;
  readonly annEnergyPj: number;
  /** E_SNN (at the report's assumptions) / E_ANN (at this precision) */
  readonly ratio: number;
}

export interface GroupEnergy {
  /** Site prefix up to the first dot ("layer3"), or the whole site. */
  readonly group: string;
  readonly spikes: number;
  readonly neuronSteps: number;
  /** spikes / (neuron inputs x N x T) */
  readonly firingRate: number;
  readonly sops: number;
  readonly floatMacs: number;
  readonly residualMacs: number;
  readonly clamps: number;
  readonly saturations: number;
}

export interface EnergyReport {
  readonly assumptions: EnergyAssumptions & {
    /** Human-readable statements of what the figures count. */
    readonly counted: readonly string[];
  };
  readonly sites: readonly (SiteCounters & { readonly firingRate: number })[];
  readonly groups: readonly GroupEnergy[];
  readonly totals: GroupEnergy & {
    readonly snnEnergyPj: number;
    readonly annEnergyPj: number;
    /** E_SNN / E_ANN */
    readonly ratio: number;
  };
  /** E_SNN against an ANN at each precision of ENERGY_PRESETS (an int8 ANN is what one would deploy instead). */
  readonly annAtPrecision: readonly AnnComparison[];
  /** With the memory-access term, when memory assumptions were given. */
  readonly memory?: MemoryEnergy;
}

export const COUNTING_STATEMENTS: readonly string[] = [
  'SOPs: one accumulate per spike into its readout or a row sum; fan-out accumulates per spike into a linear ' +
    'layer or an attention product; one accumulate per coincident spike pair in a product of two spiking operands ' +
    "(plus one per spike meeting the other operand's nonzero bias).",
  'Float MACs of the ANN for the same work: linear layers and products of activations exactly; ' +
    `GELU, SiLU, tanh, sigmoid, exp, reciprocal and reciprocal square root at ${MAC_CONVENTIONS.transcendental} MACs ` +
    'each (the paper\'s "70 FLOPs" for GELU, counted as MACs); ReLU 0; norms ' +
    `${MAC_CONVENTIONS.normalisePerElement} MACs per element plus one reciprocal square root per row.`,
  'Residual MACs: float work the spiking model still does (op families left non-spiking, linear layers on float inputs), charged at E_MAC.',
  'Not counted on either side: residual additions, embeddings, row maxima and range reductions (comparisons), exponent arithmetic.',
];

function emptyGroup(group: string): GroupEnergy {
  return {
    group,
    spikes: 0,
    neuronSteps: 0,
    firingRate: 0,
    sops: 0,
    floatMacs: 0,
    residualMacs: 0,
    clamps: 0,
    saturations: 0,
  };
}

function rate(spikes: number, steps: number): number {
  return steps > 0 ? spikes / steps : 0;
}

/** Sums counters into groups by site prefix and computes Eq. 14 with the given constants. */
export function energyReport(
  counters: readonly SiteCounters[],
  assumptions: EnergyAssumptions = DEFAULT_ENERGY,
  memory?: MemoryAssumptions,
): EnergyReport {
  if (memory !== undefined && (!(memory.pjPerByte > 0) || !Number.isFinite(memory.pjPerByte))) {
    throw new InvalidArgumentError(`memory pjPerByte must be a positive number, got ${String(memory.pjPerByte)}`);
  }
  for (const [name, value] of Object.entries(assumptions)) {
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new InvalidArgumentError(`energy assumption ${name} must be a positive number of pJ, got ${String(value)}`);
    }
  }
  const groups = new Map<string, GroupEnergy>();
  const add = (group: string, c: SiteCounters) => {
    const g = groups.get(group) ?? emptyGroup(group);
    const spikes = g.spikes + c.spikes;
    const neuronSteps = g.neuronSteps + c.neuronSteps;
    groups.set(group, {
      group,
      spikes,
      neuronSteps,
      firingRate: rate(spikes, neuronSteps),
      sops: g.sops + c.sops,
      floatMacs: g.floatMacs + c.floatMacs,
      residualMacs: g.residualMacs + c.residualMacs,
      clamps: g.clamps + c.clamps,
      saturations: g.saturations + c.saturations,
    });
  };
  for (const c of counters) {
    add(c.site.split('.')[0] ?? c.site, c);
    add('\u0000total', c);
  }
  const total = groups.get('\u0000total') ?? emptyGroup('total');
  groups.delete('\u0000total');
  const snnEnergyPj = total.sops * assumptions.eAcPj + total.residualMacs * assumptions.eMacPj;
  const annEnergyPj = total.floatMacs * assumptions.eMacPj;
  return {
    assumptions: { ...assumptions, counted: COUNTING_STATEMENTS },
    sites: counters.map((c) => ({ ...c, firingRate: rate(c.spikes, c.neuronSteps) })),
    groups: [...groups.values()],
    totals: {
      ...total,
      group: 'total',
      snnEnergyPj,
      annEnergyPj,
      ratio: annEnergyPj > 0 ? snnEnergyPj / annEnergyPj : 0,
    },
    annAtPrecision: (Object.keys(ENERGY_PRESETS) as EnergyPrecision[]).map((precision) => {
      const { eMacPj } = ENERGY_PRESETS[precision];
      const ann = total.floatMacs * eMacPj;
      return { precision, eMacPj, annEnergyPj: ann, ratio: ann > 0 ? snnEnergyPj / ann : 0 };
    }),
    ...(memory ? { memory: memoryEnergy(counters, memory, snnEnergyPj, total.floatMacs, assumptions) } : {}),
  };
}

/** Bytes each side moves (MEMORY_STATEMENT) and Eq. 14 with them. */
function memoryEnergy(
  counters: readonly SiteCounters[],
  { pjPerByte }: MemoryAssumptions,
  snnComputePj: number,
  floatMacs: number,
  assumptions: EnergyAssumptions,
): MemoryEnergy {
  let snnBytes = 0;
  let elements = 0; // what the ANN moves, in elements
  for (const c of counters) {
    const inputs = c.spiking ? c.neuronSteps / 8 : c.inputElements * 4;
    snnBytes += c.weightElements * 4 + inputs + c.outputElements * 4;
    elements += c.weightElements + c.inputElements + c.outputElements;
  }
  const snnPj = snnComputePj + snnBytes * pjPerByte;
  const against = (eMacPj: number, bytes: number) => {
    const ann = floatMacs * eMacPj + bytes * pjPerByte;
    return ann > 0 ? snnPj / ann : 0;
  };
  return {
    pjPerByte,
    snnBytes,
    annBytes: elements * ELEMENT_BYTES.fp32,
    ratio: against(assumptions.eMacPj, elements * ELEMENT_BYTES.fp32),
    annAtPrecision: (Object.keys(ENERGY_PRESETS) as EnergyPrecision[]).map((precision) => ({
      precision,
      annBytes: elements * ELEMENT_BYTES[precision],
      ratio: against(ENERGY_PRESETS[precision].eMacPj, elements * ELEMENT_BYTES[precision]),
    })),
    counted: MEMORY_STATEMENT,
  };
}

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const count = (v: number) =>
  v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : String(v);

/** A plain-text report: per group (layer) figures, the totals, Eq. 14 and every assumption. */
export function formatEnergyReport(report: EnergyReport): string {
  const header = ['group', 'firing rate', 'spikes', 'SOPs', 'float MACs', 'residual MACs', 'clamps', 'saturations'];
  const rows = [...report.groups, report.totals].map((g) => [
    g.group,
    percent(g.firingRate),
    count(g.spikes),
    count(g.sops),
    count(g.floatMacs),
    count(g.residualMacs),
    String(g.clamps),
    String(g.saturations),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ');
  const { totals, assumptions } = report;
  return [
    line(header),
    ...rows.map(line),
    '',
    `Energy (Eq. 14): E_SNN / E_ANN = (SOPs x E_AC + residual MACs x E_MAC) / (float MACs x E_MAC) = ${percent(totals.ratio)}`,
    `  E_AC = ${assumptions.eAcPj} pJ, E_MAC = ${assumptions.eMacPj} pJ; E_SNN = ${(totals.snnEnergyPj / 1e6).toFixed(3)} uJ, ` +
      `E_ANN = ${(totals.annEnergyPj / 1e6).toFixed(3)} uJ`,
    `  Against an ANN at its own precision (the same float MACs; E_SNN as above): ` +
      report.annAtPrecision.map((c) => `${c.precision} (E_MAC = ${c.eMacPj} pJ) ${percent(c.ratio)}`).join(', '),
    ...assumptions.counted.map((s) => `  - ${s}`),
    ...(report.memory ? memoryLines(report.memory) : []),
  ].join('\n');
}

function memoryLines(m: MemoryEnergy): string[] {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  return [
    `With memory access at ${m.pjPerByte} pJ/byte: the spiking model moves ${mb(m.snnBytes)}, the ANN ${mb(m.annBytes)} ` +
      `at fp32; (E_SNN + memory) / (E_ANN + memory) = ${percent(m.ratio)}`,
    `  Against the ANN at its own precision (its MACs and bytes): ` +
      m.annAtPrecision.map((c) => `${c.precision} ${percent(c.ratio)}`).join(', '),
    `  - ${m.counted}`,
  ];
}

// The conversion report: every operator site, what replaced it or why it stayed float, the neurons used
// (with their held-out errors and where they came from), the identity-code ranges, and the operations that
// remain non-spiking by design. It is built from data alone: the sites calibration saw, the plan each
// spiking site was resolved to at conversion time, and the op table's wording.
import { siteOpLabel, type OpFamily, type SiteOp } from '../ops/conventions.js';
import { OP_TABLE, type SitePlan } from '../ops/op-table.js';
import type { ResolvedSpikingOptions } from '../ops/spiking/options.js';
import type { PackedDtype } from '../kernels/index.js';
import type { NeuronEntry } from '../neurons/entry.js';
import type { TargetName } from '../neurons/targets.js';

export interface SiteReport extends SiteOp {
  readonly site: string;
  /** "linear", "activation:gelu", ... */
  readonly label: string;
  readonly family: OpFamily | 'residual';
  readonly spiking: boolean;
  /** How the site is computed in the spiking model. */
  readonly how: string;
  /** Its timesteps (spiking sites; options.T elsewhere). */
  readonly T: number;
}

export interface NeuronUse {
  readonly target: TargetName;
  readonly N: number;
  readonly T: number;
  readonly domain: readonly [number, number];
  readonly heldOutMse: number;
  readonly source: 'table' | 'cache' | 'fitted';
}

export interface ConversionReport {
  readonly options: ResolvedSpikingOptions;
  readonly sites: readonly SiteReport[];
  readonly neurons: readonly NeuronUse[];
  readonly ranges: readonly { readonly site: string; readonly operand: string; readonly alpha: number }[];
  /** Operations that are not spike-based in the converted model, each with the reason. */
  readonly nonSpiking: readonly string[];
  /** What the model was calibrated on ('' when the caller did not say). */
  readonly calibration: string;
  /** Always false: conversion only swaps the OpSet. */
  readonly weightsModified: false;
  /** How both models hold the weights: as given (f32), or rounded once to bf16 for half the memory. */
  readonly weights: PackedDtype;
}

/** What a conversion decided, as data. */
export interface ConversionFacts {
  readonly options: ResolvedSpikingOptions;
  /** Every site calibration saw, in call order. */
  readonly siteOps: ReadonlyMap<string, SiteOp>;
  /** The plan of every spiking site. */
  readonly plans: ReadonlyMap<string, SitePlan>;
  /** The neurons handed out, in first-use order. */
  readonly neurons: Iterable<{ readonly entry: NeuronEntry; readonly source: NeuronUse['source'] }>;
  /** Operations the model keeps non-spiking by design. */
  readonly declaredNonSpiking: readonly string[];
  /** What calibration ran on. */
  readonly calibration: string;
  readonly weights: PackedDtype;
}

const fmt = (v: number) => v.toExponential(1);

export function conversionReport(facts: ConversionFacts): ConversionReport {
  const { options } = facts;
  const sites: SiteReport[] = [];
  const nonSpiking = new Set<string>(facts.declaredNonSpiking);
  const ranges: { site: string; operand: string; alpha: number }[] = [];
  for (const [site, siteOp] of facts.siteOps) {
    const record = OP_TABLE[siteOp.op];
    const label = siteOpLabel(siteOp);
    const plan = facts.plans.get(site);
    let how: string;
    if (record.family === 'residual') {
      how = record.describe(EMPTY_PLAN);
    } else if (!plan) {
      how =
        record.family === 'linearInputs'
          ? 'float inputs (linear-input encoding off): non-spiking multiply-accumulates'
          : `left float (option spiking.${record.family} = false)`;
      nonSpiking.add(`${label} at ${site}: ${how}`);
    } else {
      how = record.describe(plan);
      for (const [operand, alpha] of plan.alphas) if (alpha !== 'dynamic') ranges.push({ site, operand, alpha });
      for (const part of record.nonSpikingParts) nonSpiking.add(part);
    }
    const T = plan?.T ?? options.T;
    sites.push({ site, ...siteOp, label, family: record.family, spiking: plan !== undefined, how, T });
  }
  if (options.ranges === 'dynamic') nonSpiking.add('dynamic identity ranges: a max-abs reduction per tensor');
  const coded = (site: string) => ['linear', 'conv2d'].includes(facts.siteOps.get(site)?.op ?? '');
  if (options.spikeCost > 0 && [...facts.plans.keys()].some(coded)) {
    // the least-cost code value rises with the input, so the choice is a staircase: thresholds per input
    nonSpiking.add(
      'spike-aware rounding of linear and convolution inputs: comparisons of each input with its thresholds (per ' +
        'input of the layer, from the spike cost and its weights), not counted in Eq. 14',
    );
  }
  nonSpiking.add('exponent arithmetic of exp, reciprocal and rsqrt (frexp/ldexp): integer additions on exponents');
  const neurons: NeuronUse[] = [...facts.neurons].map(({ entry, source }) => ({
    target: entry.target,
    N: entry.N,
    T: entry.T,
    domain: entry.domain,
    heldOutMse: entry.heldOut.mse,
    source,
  }));
  return {
    options,
    calibration: facts.calibration,
    sites,
    neurons,
    ranges,
    nonSpiking: [...nonSpiking],
    weightsModified: false,
    weights: facts.weights,
  };
}

const EMPTY_PLAN: SitePlan = { alphas: new Map(), neuron: undefined, operatorNeurons: new Map(), T: 0 };

/** A plain-text report. */
export function formatConversionReport(report: ConversionReport): string {
  const o = report.options;
  const families = Object.entries(o.spiking)
    .map(([f, on]) => `${f} ${on ? 'spiking' : 'float'}`)
    .join(', ');
  const perSite = Object.keys(o.siteT).length > 0;
  const entries = Object.entries(o.siteT);
  const byT = new Map<number, number>();
  for (const [, T] of entries) byT.set(T, (byT.get(T) ?? 0) + 1);
  // a few entries by name; an allocation's many as counts (each site line shows its own T)
  const siteT =
    entries.length <= 6
      ? entries.map(([key, T]) => `${key} ${T}`).join(', ')
      : [...byT.entries()]
          .sort((a, b) => b[0] - a[0])
          .map(([T, n]) => `${n} at ${T}`)
          .join(', ');
  const lines = [
    `Conversion: T = ${o.T}${perSite ? ` (per site: ${siteT})` : ''}, N = ${o.activationBases} (activations) / ` +
      `${o.operatorBases} (exp2, 1/x, 1/sqrt x), ${o.mode} mode, ${o.ranges} ranges; ${families}. ` +
      (report.weights === 'bf16'
        ? 'Weights unchanged, held as bf16 (rounded to nearest once) by the float and the spiking model alike.'
        : 'Weights unchanged.'),
    `Identity codes: ${o.code === 'binary' ? 'binary digits' : 'signed digits (non-adjacent form) on a polarity pair'}, ` +
      `rounded ${o.rounding === 'nearest' ? 'to nearest' : 'down (floor)'}, static ranges by the ${o.identityRange} rule` +
      (o.spikeCost > 0
        ? `; linear and convolution inputs rounded spike-aware (a spike costs ${o.spikeCost} squared code steps, weighted per ` +
          "input by its weight column's squared norm; never more spikes than to nearest)."
        : '.'),
    ...(report.calibration ? [`Calibration: ${report.calibration}.`] : []),
    '',
    'Sites:',
    ...report.sites.map(
      (s) =>
        `  ${s.spiking || s.family === 'residual' ? ' ' : '!'} ${s.site.padEnd(20)} ${s.label.padEnd(16)} ` +
        `${perSite && s.spiking ? `[T = ${s.T}] ` : ''}${s.how}`,
    ),
    '',
    'Neurons:',
    ...report.neurons.map(
      (n) =>
        `  ${n.target.padEnd(10)} N = ${n.N}, T = ${n.T}, [${n.domain.join(', ')}], held-out MSE ${fmt(n.heldOutMse)} (${n.source})`,
    ),
    '',
    'Not spike-based:',
    ...report.nonSpiking.map((s) => `  - ${s}`),
  ];
  return lines.join('\n');
}

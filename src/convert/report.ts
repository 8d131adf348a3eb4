// The conversion report: every operator site, what replaced it or why it stayed float, the neurons used
// (with their held-out errors and where they came from), the identity-code ranges, and the operations that
// remain non-spiking by design. Building it resolves every neuron and range of the spiking OpSet.
import type { SiteOps } from '../ops/calibration.js';
import type { OpFamily } from '../ops/instrumentation.js';
import type { ResolvedSpikingOptions } from '../ops/spiking/options.js';
import { powerOfTwoRange } from '../ops/spiking/ranges.js';
import type { SpikingOpSet } from '../ops/spiking/spiking-opset.js';
import type { TargetName } from '../neurons/targets.js';

export interface SiteReport {
  readonly site: string;
  readonly op: string;
  readonly spiking: boolean;
  /** How the site is computed in the spiking model. */
  readonly how: string;
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
  /** Always false: conversion only swaps the OpSet. */
  readonly weightsModified: false;
}

const FAMILY_OF: Record<string, OpFamily | undefined> = {
  linear: 'linearInputs',
  mul: 'multiplications',
  matmul: 'multiplications',
  softmax: 'softmax',
  layerNorm: 'norms',
  rmsNorm: 'norms',
};

const fmt = (v: number) => v.toExponential(1);

export function conversionReport(
  ops: SpikingOpSet,
  siteOps: SiteOps,
  declaredNonSpiking: readonly string[],
): ConversionReport {
  const ctx = ops.context;
  const { options } = ops;
  const T = options.T;
  const sites: SiteReport[] = [];
  const nonSpiking = new Set<string>(declaredNonSpiking);
  const ranges: { site: string; operand: string; alpha: number }[] = [];
  const alpha = (site: string, operand: string): string => {
    if (options.ranges === 'dynamic') return 'dynamic';
    const range = ctx.calibrated(site, operand);
    const value = powerOfTwoRange(Math.max(-range.min, range.max));
    ranges.push({ site, operand, alpha: value });
    return String(value);
  };
  for (const [site, op] of siteOps) {
    const family: OpFamily | undefined = op.startsWith('activation:') ? 'activations' : FAMILY_OF[op];
    const spiking = family !== undefined && options.spiking[family];
    let how: string;
    if (op === 'add') {
      how = 'residual addition of two spike-decoded streams (additions only, no neuron)';
    } else if (!spiking) {
      how =
        family === 'linearInputs'
          ? 'float inputs (linear-input encoding off): non-spiking multiply-accumulates'
          : `left float (option spiking.${family} = false)`;
      nonSpiking.add(`${op} at ${site}: ${how}`);
    } else if (op.startsWith('activation:')) {
      const kind = op.slice('activation:'.length) as TargetName;
      const entry = ctx.activationNeuron(site, kind);
      how = `MBE neuron ${kind}, N = ${entry.N}, T = ${T}, on [${entry.domain.join(', ')}] (held-out MSE ${fmt(entry.heldOut.mse)})`;
    } else if (op === 'linear') {
      how = `inputs identity-coded (alpha ${alpha(site, 'x')}), weights accumulated where spikes arrive`;
    } else if (op === 'mul' || op === 'matmul') {
      how = `identity codes (alpha ${alpha(site, 'a')} and ${alpha(site, 'b')}), products as D (.) S`;
    } else if (op === 'softmax') {
      const exp2 = ctx.operatorNeuron('exp2');
      const reciprocal = ctx.operatorNeuron('reciprocal');
      how =
        `row max (comparison), exp = 2^floor(z) x MBE 2^frac (N = ${exp2.N}), sum, reciprocal by the IEEE-754 split ` +
        `and MBE 1/M (N = ${reciprocal.N}), product as D (.) S`;
      nonSpiking.add('softmax row maxima: comparisons, not multiplications');
    } else {
      const rsqrt = ctx.operatorNeuron('rsqrt');
      const operand = op === 'layerNorm' ? 'centred' : 'x';
      how =
        `${op === 'layerNorm' ? 'mean by additions, ' : ''}identity code (alpha ${alpha(site, operand)}), square as D (.) S ` +
        `with 1/n folded in, rsqrt by the even-exponent split and MBE 1/sqrt(M) (N = ${rsqrt.N}), product as D (.) S`;
    }
    sites.push({ site, op, spiking, how });
  }
  if (options.ranges === 'dynamic') nonSpiking.add('dynamic identity ranges: a max-abs reduction per tensor');
  nonSpiking.add('exponent arithmetic of exp, reciprocal and rsqrt (frexp/ldexp): integer additions on exponents');
  const neurons: NeuronUse[] = [...ctx.neurons.used.values()].map(({ entry, source }) => ({
    target: entry.target,
    N: entry.N,
    T: entry.T,
    domain: entry.domain,
    heldOutMse: entry.heldOut.mse,
    source,
  }));
  return { options, sites, neurons, ranges, nonSpiking: [...nonSpiking], weightsModified: false };
}

/** A plain-text report. */
export function formatConversionReport(report: ConversionReport): string {
  const o = report.options;
  const families = Object.entries(o.spiking)
    .map(([f, on]) => `${f} ${on ? 'spiking' : 'float'}`)
    .join(', ');
  const lines = [
    `Conversion: T = ${o.T}, N = ${o.activationBases} (activations) / ${o.operatorBases} (exp2, 1/x, 1/sqrt x), ` +
      `${o.mode} mode, ${o.ranges} ranges; ${families}. Weights unchanged.`,
    '',
    'Sites:',
    ...report.sites.map(
      (s) => `  ${s.spiking || s.op === 'add' ? ' ' : '!'} ${s.site.padEnd(20)} ${s.op.padEnd(16)} ${s.how}`,
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

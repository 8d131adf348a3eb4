// The small data-free fidelity run that the Node script (node-check.js) and the page (main.js) both do with the
// installed package: the embedded stories260K through the registry's entry, calibrated on 1 sample of its own,
// evaluated on 1 other (at most 128 tokens each), T = 8. Copied into the temporary project by
// test/package/pack.test.ts, where 'mbe-snn' is the installed tarball. (With samples of at most 32-64 tokens the
// calibrated SiLU ranges, e.g. [-5, 4], are not in the shipped neuron table and a neuron is fitted on the spot,
// ~30 s; 128 tokens give ranges the table covers, so the run takes about a second.)
import {
  evaluateCausalLMFidelity,
  findArchitecture,
  formatConversionReport,
  formatEnergyReport,
  loadKernels,
  VERSION,
} from 'mbe-snn';
import { stories260K } from 'mbe-snn/stories260K';

export async function smallFidelityRun() {
  const model = stories260K();
  const entry = findArchitecture(model.architecture);
  if (!entry || entry.task !== 'causal-lm') throw new Error(`no causal-lm entry "${model.architecture}"`);
  const { builder, tokenizer } = entry.load(model.files);
  const kernels = await loadKernels();
  const started = performance.now();
  const result = evaluateCausalLMFidelity(kernels, builder, {
    spiking: { T: 8 },
    start: tokenizer.encode(''),
    stopTokens: tokenizer.stopTokens,
    evaluate: 1,
    calibrate: 1,
    maxTokens: 128,
  });
  const { fidelity, energy, conversion } = result;
  return {
    version: VERSION,
    model: model.name,
    licence: model.licence,
    variant: kernels.variant,
    positions: fidelity.positions,
    meanKl: fidelity.meanKl,
    top1Agreement: fidelity.top1Agreement,
    floatPerplexity: fidelity.reference.perplexity,
    spikingPerplexity: fidelity.candidate.perplexity,
    energyRatio: energy.totals.ratio,
    neurons: conversion.report.neurons.map((n) => `${n.target} [${n.domain.join(', ')}] ${n.source}`),
    conversionReport: formatConversionReport(conversion.report),
    energyReport: formatEnergyReport(energy),
    milliseconds: Math.round(performance.now() - started),
  };
}

// `mbe-snn eval` on a causal LM with no dataset (the embedded model, or a folder without --text/--ids): calibrated
// on the float model's own samples, evaluated on other samples by how closely the spiking model follows it.
import type { Kernels } from '../kernels/index.js';
import type { ModelBuilder } from '../models/builder.js';
import type { CausalLM } from '../models/interfaces.js';
import type { ArchitectureEntry } from '../models/registry.js';
import { evaluateCausalLMFidelity } from '../tasks/causal-lm-fidelity.js';
import { allocationLines } from './allocation-args.js';
import { UsageError } from './command.js';
import type { EvaluationOutcome, EvaluationSettings } from './evaluation.js';
import type { LanguageModelData } from './model-source.js';

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;

export function causalLMOnSamples(
  kernels: Kernels,
  entry: ArchitectureEntry,
  builder: ModelBuilder<CausalLM>,
  data: Extract<LanguageModelData, { kind: 'samples' }>,
  options: Omit<EvaluationSettings, 'calibrate' | 'slidingWindow'>,
  settings: EvaluationSettings,
): EvaluationOutcome {
  if (settings.slidingWindow) {
    throw new UsageError('--window and --stride score a text or id lines: give --text or --ids with them');
  }
  const T = options.spiking.T;
  const result = evaluateCausalLMFidelity(kernels, builder, {
    spiking: options.spiking,
    neurons: options.neurons,
    start: data.start,
    stopTokens: data.tokenizer?.stopTokens ?? [],
    ...(settings.evaluate === undefined ? {} : { evaluate: settings.evaluate }),
    ...(settings.calibrate === undefined ? {} : { calibrate: settings.calibrate }),
    ...(settings.sampleTokens === undefined ? {} : { maxTokens: settings.sampleTokens }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.allocate ? { allocate: options.allocate } : {}),
  });
  const { allocation } = result.conversion;
  const { fidelity: f, calibration, evaluation } = result;
  const change = 100 * (f.candidate.perplexity / f.reference.perplexity - 1);
  return {
    metric: 'perplexity',
    decimals: 3,
    float: f.reference.perplexity,
    spiking: f.candidate.perplexity,
    lines: [
      settings.embedded ?? `${entry.name}: ${entry.summary}`,
      `No dataset: calibrated on ${calibration.sequences} samples of the float model (${calibration.tokens} tokens, ` +
        `seed ${calibration.seed}), evaluated on ${evaluation.sequences} others (${f.positions} tokens scored, seed ` +
        `${evaluation.seed}), temperature ${result.temperature}, T = ${T}`,
      `  float perplexity on the samples    ${f.reference.perplexity.toFixed(4)}`,
      `  spiking perplexity on the samples  ${f.candidate.perplexity.toFixed(4)}  (${change >= 0 ? '+' : ''}${change.toFixed(2)}%)`,
      `  KL(float || spiking), mean         ${f.meanKl.toExponential(2)} nats per token (max ${f.maxKl.toFixed(3)})`,
      `  top-1 agreement with float         ${percent(f.top1Agreement)} of ${f.positions} next-token predictions`,
      ...(allocation ? allocationLines(allocation) : []),
    ],
    summary: {
      model: entry.name,
      ...(settings.embedded ? { embedded: settings.embedded } : {}),
      T,
      data: 'samples of the float model',
      calibration,
      evaluation,
      temperature: result.temperature,
      fidelity: f,
      ...(allocation ? { allocation } : {}),
    },
    report: result.conversion.report,
    energy: result.energy,
  };
}

// One evaluation of a registry entry's float model and its spiking conversion, whatever its task, as the
// eval and sweep commands use it: the task's metric for both, the reports, and a JSON summary.
import type { ConversionReport } from '../convert/report.js';
import type { Kernels } from '../kernels/index.js';
import type { EnergyReport } from '../metrics/energy.js';
import type { ArchitectureEntry } from '../models/registry.js';
import type { NeuronProvider } from '../ops/neuron-provider.js';
import type { SpikingOptions } from '../ops/spiking/options.js';
import { evaluateImageClassifier } from '../tasks/image-classification.js';
import { evaluateCausalLM } from '../tasks/language-model.js';
import { UsageError } from './command.js';
import { MODEL_OPTIONS } from './model-args.js';
import { loadImageClassifier, loadLanguageModel, type ModelSource } from './model-source.js';

/** The options of the commands that evaluate (eval, sweep). */
export const EVALUATION_OPTIONS = {
  ...MODEL_OPTIONS,
  limit: { type: 'string' },
  calibration: { type: 'string' },
  out: { type: 'string' },
} as const;

export interface EvaluationSettings {
  readonly spiking: SpikingOptions;
  readonly neurons: NeuronProvider;
  /** Paragraphs or images evaluated (default: the task's). */
  readonly evaluate?: number;
  /** Calibration paragraphs or images per fold (default: the entry's). */
  readonly calibrate?: number;
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

export interface EvaluationOutcome {
  /** "perplexity" or "top-1 %". */
  readonly metric: string;
  /** The float model's metric (NaN when skipped). */
  readonly float: number;
  readonly spiking: number;
  /** Lines for the terminal. */
  readonly lines: readonly string[];
  /** The figures for --json (without the reports). */
  readonly summary: Record<string, unknown>;
  readonly report: ConversionReport;
  readonly energy: EnergyReport;
}

/** The data an entry is evaluated on, loaded once (a sweep evaluates it many times). */
export type LoadedData =
  | { readonly task: 'causal-lm'; readonly data: Awaited<ReturnType<typeof loadLanguageModel>> }
  | { readonly task: 'image-classifier'; readonly data: Awaited<ReturnType<typeof loadImageClassifier>> };

export async function loadData(
  { entry, files }: ModelSource,
  values: Parameters<typeof loadLanguageModel>[2],
): Promise<LoadedData> {
  if (entry.task === 'causal-lm') return { task: entry.task, data: await loadLanguageModel(entry, files, values) };
  if (entry.task === 'image-classifier') {
    return { task: entry.task, data: await loadImageClassifier(entry, files, values) };
  }
  throw new UsageError(
    `${entry.name}: evaluating a ${entry.task} on a data set is not supported yet; check it with --golden <golden.json>`,
  );
}

export function runEvaluation(
  kernels: Kernels,
  entry: ArchitectureEntry,
  loaded: LoadedData,
  settings: EvaluationSettings,
): EvaluationOutcome {
  const T = settings.spiking.T;
  const options = {
    spiking: settings.spiking,
    neurons: settings.neurons,
    ...(settings.evaluate === undefined ? {} : { evaluate: settings.evaluate }),
    ...(settings.skipFloat ? { skipFloat: true } : {}),
    ...(settings.onProgress ? { onProgress: settings.onProgress } : {}),
  };
  if (loaded.task === 'causal-lm' && entry.task === 'causal-lm') {
    const { builder, tokenizer, text } = loaded.data;
    const result = evaluateCausalLM(kernels, builder, tokenizer, text, {
      ...options,
      calibrate: settings.calibrate ?? entry.calibration.paragraphs,
      calibrationStart: entry.calibration.firstParagraph,
    });
    const f = result.float;
    const s = result.spiking;
    const paragraphs = settings.evaluate ?? 300;
    return {
      metric: 'perplexity',
      float: f?.perplexity ?? NaN,
      spiking: s.perplexity,
      lines: [
        `${entry.name}: ${entry.summary}; ${s.tokens} tokens over ${paragraphs} paragraphs, T = ${T}`,
        ...(f ? [`  float perplexity    ${f.perplexity.toFixed(4)}`] : []),
        `  spiking perplexity  ${s.perplexity.toFixed(4)}` +
          (f ? `  (${(100 * (s.perplexity / f.perplexity - 1)).toFixed(2)}%)` : ''),
      ],
      summary: { model: entry.name, T, float: f, spiking: s },
      report: result.conversion.report,
      energy: result.energy,
    };
  }
  if (loaded.task !== 'image-classifier') throw new Error(`${entry.name}: data of another task`);
  const { builder, images, labels } = loaded.data;
  const result = evaluateImageClassifier(kernels, builder, images, labels, {
    ...options,
    calibrate: settings.calibrate ?? (entry.task === 'image-classifier' ? entry.calibration.imagesPerFold : 32),
  });
  const f = result.float;
  const s = result.spiking;
  const agree = f ? s.predictions.reduce((n, p, i) => n + (p === f.predictions[i] ? 1 : 0), 0) : undefined;
  return {
    metric: 'top-1 %',
    float: f ? 100 * f.accuracy : NaN,
    spiking: 100 * s.accuracy,
    lines: [
      `${entry.name}: ${entry.summary}; ${s.total} images, T = ${T}`,
      ...(f ? [`  float top-1    ${(100 * f.accuracy).toFixed(2)}%  (${f.correct})`] : []),
      `  spiking top-1  ${(100 * s.accuracy).toFixed(2)}%  (${s.correct}` +
        (f ? `; ${(100 * (s.accuracy - f.accuracy)).toFixed(2)} points; same prediction as float on ${agree})` : ')'),
    ],
    summary: {
      model: entry.name,
      T,
      ...(f ? { float: { correct: f.correct, total: f.total, accuracy: f.accuracy } } : {}),
      spiking: { correct: s.correct, total: s.total, accuracy: s.accuracy, agreeWithFloat: agree },
    },
    report: result.conversion.report,
    energy: result.energy,
  };
}

// One evaluation of a registry entry's float model and its spiking conversion, whatever its task, as the
// eval and sweep commands use it: the task's metric for both, the reports, and a JSON summary.
import type { ConversionReport } from '../convert/report.js';
import type { Kernels, PackedDtype } from '../kernels/index.js';
import type { EnergyReport } from '../metrics/energy.js';
import type { ArchitectureEntry } from '../models/registry.js';
import type { NeuronProvider } from '../ops/neuron-provider.js';
import type { SpikingOptions } from '../ops/spiking/options.js';
import { evaluateEncoderSimilarity } from '../tasks/encoder-similarity.js';
import { evaluateImageClassifier } from '../tasks/image-classification.js';
import {
  evaluateCausalLM,
  evaluateCausalLMIds,
  type SlidingWindowOptions,
  type WindowedPerplexityResult,
} from '../tasks/language-model.js';
import { InvalidArgumentError } from '../errors.js';
import { evaluateSequenceClassifier, twoFolds } from '../tasks/sequence-classification.js';
import { UsageError } from './command.js';
import type { AllocationRequest } from '../tasks/allocate.js';
import { allocationLines } from './allocation-args.js';
import { causalLMOnSamples } from './self-evaluation.js';
import { intOption } from './args.js';
import { MODEL_OPTIONS, slidingWindowOption } from './model-args.js';
import {
  loadImageClassifier,
  loadLanguageModel,
  loadSequenceClassifier,
  loadSequenceEncoder,
  type ModelSource,
} from './model-source.js';

/** The options of the commands that evaluate (eval, sweep). */
export const EVALUATION_OPTIONS = {
  ...MODEL_OPTIONS,
  limit: { type: 'string' },
  calibration: { type: 'string' },
  window: { type: 'string' },
  stride: { type: 'string' },
  out: { type: 'string' },
  'sample-tokens': { type: 'string' },
} as const;

export interface EvaluationSettings {
  readonly spiking: SpikingOptions;
  readonly neurons: NeuronProvider;
  /** How both models hold their weights (default f32). */
  readonly weights?: PackedDtype;
  /** Per-site timesteps within a budget (causal LMs). */
  readonly allocate?: AllocationRequest;
  /** Paragraphs, lines, rows or images evaluated (default: the task's). */
  readonly evaluate?: number;
  /** Calibration paragraphs or lines, or rows or images per fold (default: the entry's or the task's). */
  readonly calibrate?: number;
  /** Causal LMs: sliding-window perplexity. */
  readonly slidingWindow?: SlidingWindowOptions;
  /** Causal LMs evaluated on their own samples: tokens per sample at most (default 256). */
  readonly sampleTokens?: number;
  /** The embedded model's description, for the output. */
  readonly embedded?: string;
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

/** --limit, --calibration, --window/--stride and --sample-tokens as settings (eval and sweep). */
export function evaluationSizes(values: {
  limit?: string;
  calibration?: string;
  'sample-tokens'?: string;
  window?: string;
  stride?: string;
}) {
  const limit = intOption('limit', values.limit, 2, 1_000_000);
  const calibrate = intOption('calibration', values.calibration, 1, 100_000);
  const sampleTokens = intOption('sample-tokens', values['sample-tokens'], 2, 1_000_000);
  const slidingWindow = slidingWindowOption(values);
  return {
    ...(limit === undefined ? {} : { evaluate: limit }),
    ...(calibrate === undefined ? {} : { calibrate }),
    ...(sampleTokens === undefined ? {} : { sampleTokens }),
    ...(slidingWindow ? { slidingWindow } : {}),
  };
}

export interface EvaluationOutcome {
  /** "perplexity", "top-1 %" or "mean cosine". */
  readonly metric: string;
  /** Decimals the metric is shown with. */
  readonly decimals: number;
  /** The float model's metric (NaN when skipped; 1 for the cosine of the float model with itself). */
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
  | { readonly task: 'image-classifier'; readonly data: Awaited<ReturnType<typeof loadImageClassifier>> }
  | { readonly task: 'sequence-classifier'; readonly data: Awaited<ReturnType<typeof loadSequenceClassifier>> }
  | { readonly task: 'sequence-encoder'; readonly data: Awaited<ReturnType<typeof loadSequenceEncoder>> };

export async function loadData(
  source: ModelSource,
  values: Parameters<typeof loadLanguageModel>[1],
): Promise<LoadedData> {
  const { entry, files } = source;
  switch (entry.task) {
    case 'causal-lm':
      return { task: entry.task, data: await loadLanguageModel(source, values) };
    case 'image-classifier':
      return { task: entry.task, data: await loadImageClassifier(entry, files, values) };
    case 'sequence-classifier':
      return { task: entry.task, data: await loadSequenceClassifier(entry, files, values) };
    case 'sequence-encoder':
      return { task: entry.task, data: await loadSequenceEncoder(entry, files, values) };
  }
}

type Options = Omit<EvaluationSettings, 'calibrate' | 'slidingWindow'>;

export function runEvaluation(
  kernels: Kernels,
  entry: ArchitectureEntry,
  loaded: LoadedData,
  settings: EvaluationSettings,
): EvaluationOutcome {
  const options: Options = {
    spiking: settings.spiking,
    neurons: settings.neurons,
    ...(settings.evaluate === undefined ? {} : { evaluate: settings.evaluate }),
    ...(settings.skipFloat ? { skipFloat: true } : {}),
    ...(settings.onProgress ? { onProgress: settings.onProgress } : {}),
    ...(settings.allocate ? { allocate: settings.allocate } : {}),
    ...(settings.weights ? { weights: settings.weights } : {}),
  };
  if (settings.allocate && loaded.task !== 'causal-lm' && loaded.task !== 'image-classifier') {
    throw new UsageError(
      `--budget applies to causal language models and image classifiers for now; ${entry.name} is a ${entry.task}`,
    );
  }
  if (settings.slidingWindow && loaded.task !== 'causal-lm') {
    throw new UsageError(`--window and --stride apply to causal language models; ${entry.name} is a ${entry.task}`);
  }
  const calibrate = settings.calibrate === undefined ? {} : { calibrate: settings.calibrate };
  if (loaded.task === 'sequence-classifier' || loaded.task === 'sequence-encoder') {
    const rows = loaded.data.set.rows.length;
    try {
      twoFolds(rows, settings.evaluate ?? rows, settings.calibrate ?? 32);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new UsageError(`${loaded.data.set.file}: ${error.message}; set --limit and --calibration`);
    }
  }
  switch (loaded.task) {
    case 'causal-lm':
      return causalLM(kernels, entry, loaded.data, options, settings);
    case 'image-classifier':
      return imageClassifier(kernels, entry, loaded.data, options, settings.calibrate);
    case 'sequence-classifier':
      return sequenceClassifier(kernels, entry, loaded.data, { ...options, ...calibrate });
    case 'sequence-encoder':
      return sequenceEncoder(kernels, entry, loaded.data, { ...options, ...calibrate });
  }
}

function causalLM(
  kernels: Kernels,
  entry: ArchitectureEntry,
  { builder, data }: Awaited<ReturnType<typeof loadLanguageModel>>,
  options: Options,
  settings: EvaluationSettings,
): EvaluationOutcome {
  if (data.kind === 'samples') return causalLMOnSamples(kernels, entry, builder, data, options, settings);
  const T = options.spiking.T;
  const defaults = entry.task === 'causal-lm' ? entry.calibration : { paragraphs: 8, firstParagraph: 300 };
  const lmOptions = {
    ...options,
    calibrate: settings.calibrate ?? defaults.paragraphs,
    ...(settings.slidingWindow ? { slidingWindow: settings.slidingWindow } : {}),
  };
  const result =
    data.kind === 'text'
      ? evaluateCausalLM(kernels, builder, data.tokenizer, data.text, {
          ...lmOptions,
          calibrationStart: defaults.firstParagraph,
        })
      : evaluateCausalLMIds(kernels, builder, data.lines, data.file, lmOptions);
  const [f, s] = [result.float, result.spiking];
  const sequences = `${result.sequences} ${data.kind === 'text' ? 'paragraphs' : `lines of ${data.file}`}`;
  const window = settings.slidingWindow;
  const scope = window
    ? `${sequences}${data.kind === 'text' ? ' as one document' : ''}, in ${(s as WindowedPerplexityResult).windows} ` +
      `windows of up to ${window.window} tokens with stride ${window.stride}`
    : `${sequences}, each from its start`;
  return {
    metric: 'perplexity',
    decimals: 3,
    float: f?.perplexity ?? NaN,
    spiking: s.perplexity,
    lines: [
      `${entry.name}: ${entry.summary}; ${s.tokens} tokens scored over ${scope}, T = ${T}`,
      ...(f ? [`  float perplexity    ${f.perplexity.toFixed(4)}`] : []),
      `  spiking perplexity  ${s.perplexity.toFixed(4)}` +
        (f ? `  (${(100 * (s.perplexity / f.perplexity - 1)).toFixed(2)}%)` : ''),
      ...(result.allocation ? allocationLines(result.allocation) : []),
    ],
    summary: {
      model: entry.name,
      T,
      ...(window ? { window } : {}),
      sequences: result.sequences,
      float: f,
      spiking: s,
      ...(result.allocation ? { allocation: result.allocation } : {}),
    },
    report: result.conversion.report,
    energy: result.energy,
  };
}

function imageClassifier(
  kernels: Kernels,
  entry: ArchitectureEntry,
  { builder, images, labels }: Awaited<ReturnType<typeof loadImageClassifier>>,
  options: Options,
  calibrate: number | undefined,
): EvaluationOutcome {
  const T = options.spiking.T;
  const result = evaluateImageClassifier(kernels, builder, images, labels, {
    ...options,
    calibrate: calibrate ?? (entry.task === 'image-classifier' ? entry.calibration.imagesPerFold : 32),
  });
  const [f, s] = [result.float, result.spiking];
  const agree = f ? s.predictions.reduce((n, p, i) => n + (p === f.predictions[i] ? 1 : 0), 0) : undefined;
  const accuracy = accuracyLines(entry, `${s.total} images, T = ${T}`, f, s, agree);
  const allocated = (result.allocations ?? []).flatMap((a, i) => [`Fold ${i + 1} of 2:`, ...allocationLines(a)]);
  return {
    ...accuracy,
    lines: [...accuracy.lines, ...allocated],
    summary: {
      model: entry.name,
      T,
      ...(f ? { float: { correct: f.correct, total: f.total, accuracy: f.accuracy } } : {}),
      spiking: { correct: s.correct, total: s.total, accuracy: s.accuracy, agreeWithFloat: agree },
      ...(result.allocations ? { allocations: result.allocations } : {}),
    },
    report: result.conversion.report,
    energy: result.energy,
  };
}

interface Accuracy {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
}

function accuracyLines(
  entry: ArchitectureEntry,
  scope: string,
  f: Accuracy | undefined,
  s: Accuracy,
  agree: number | undefined,
): Pick<EvaluationOutcome, 'metric' | 'decimals' | 'float' | 'spiking' | 'lines'> {
  return {
    metric: 'top-1 %',
    decimals: 2,
    float: f ? 100 * f.accuracy : NaN,
    spiking: 100 * s.accuracy,
    lines: [
      `${entry.name}: ${entry.summary}; ${scope}`,
      ...(f ? [`  float top-1    ${(100 * f.accuracy).toFixed(2)}%  (${f.correct})`] : []),
      `  spiking top-1  ${(100 * s.accuracy).toFixed(2)}%  (${s.correct}` +
        (f ? `; ${(100 * (s.accuracy - f.accuracy)).toFixed(2)} points; same prediction as float on ${agree})` : ')'),
    ],
  };
}

function sequenceClassifier(
  kernels: Kernels,
  entry: ArchitectureEntry,
  { builder, tokenizer, set }: Awaited<ReturnType<typeof loadSequenceClassifier>>,
  options: Options & { calibrate?: number },
): EvaluationOutcome {
  const T = options.spiking.T;
  const result = evaluateSequenceClassifier(kernels, builder, set, { ...options, ...(tokenizer ? { tokenizer } : {}) });
  const [f, s] = [result.float, result.spiking];
  const cut = result.truncated > 0 ? ` (${result.truncated} cut to the model's context)` : '';
  const labels = `${result.labels.length} labels: ${result.labels.slice(0, 4).join(', ')}`;
  const plain = (r: Accuracy) => ({ correct: r.correct, total: r.total, accuracy: r.accuracy });
  return {
    ...accuracyLines(entry, `${s.total} rows of ${set.file}${cut} (${labels}), T = ${T}`, f, s, result.agreement),
    summary: {
      model: entry.name,
      T,
      data: set.file,
      labels: result.labels,
      truncated: result.truncated,
      ...(f ? { float: plain(f) } : {}),
      spiking: { ...plain(s), agreeWithFloat: result.agreement },
    },
    report: result.conversion.report,
    energy: result.energy,
  };
}

function sequenceEncoder(
  kernels: Kernels,
  entry: ArchitectureEntry,
  { builder, tokenizer, set }: Awaited<ReturnType<typeof loadSequenceEncoder>>,
  options: Options & { calibrate?: number },
): EvaluationOutcome {
  const T = options.spiking.T;
  // the float model is the reference: a sweep's skipFloat does not apply
  const result = evaluateEncoderSimilarity(kernels, builder, set, { ...options, ...(tokenizer ? { tokenizer } : {}) });
  const c = result.similarity;
  const cut = result.truncated > 0 ? ` (${result.truncated} cut to the model's context)` : '';
  return {
    metric: 'mean cosine',
    decimals: 4,
    float: 1,
    spiking: c.meanCosine,
    lines: [
      `${entry.name}: ${entry.summary}; ${c.count} sequences of ${set.file}${cut}, T = ${T}`,
      `  cosine(float, spiking) of the pooled embeddings: mean ${c.meanCosine.toFixed(4)}, ` +
        `min ${c.minCosine.toFixed(4)} (line ${c.minLine})`,
    ],
    summary: {
      model: entry.name,
      T,
      data: set.file,
      truncated: result.truncated,
      spiking: { count: c.count, meanCosine: c.meanCosine, minCosine: c.minCosine, minLine: c.minLine },
    },
    report: result.conversion.report,
    energy: result.energy,
  };
}

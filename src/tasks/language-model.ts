// The language-model task for any causal LM: paragraphs of a text scored from the sequence start,
// calibration on paragraphs disjoint from the evaluated ones, and the conversion itself.
import { convertBuilder, type Conversion, type ConvertOptions } from '../convert/convert.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernels } from '../kernels/index.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { perplexity, type PerplexityResult } from '../metrics/evaluate.js';
import type { ModelBuilder } from '../models/builder.js';
import type { CausalLM, TextTokenizer } from '../models/interfaces.js';

/** Blank-line-separated paragraphs, trimmed, empty ones dropped. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Token ids of each paragraph as the tokenizer encodes it (for llama2.c: BOS first, no EOS). */
export function encodeParagraphs(tokenizer: TextTokenizer, paragraphs: readonly string[]): number[][] {
  return paragraphs.map((p) => tokenizer.encode(p));
}

/** Converts a causal LM, calibrating on the given token sequences (each a causal pass from position 0). */
export function convertCausalLM<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  calibration: readonly (readonly number[])[],
  options: ConvertOptions,
): Conversion<M> {
  return convertBuilder(
    kernels,
    builder,
    (model) => {
      for (const ids of calibration) model.forward(ids.slice(0, Math.min(ids.length, model.contextLength)), 0);
    },
    options,
  );
}

/** Calibration paragraphs start here at the earliest (the evaluation uses the first 300 by default). */
export const CALIBRATION_START = 300;

export interface LanguageModelEvaluation<M extends CausalLM = CausalLM> {
  readonly float?: PerplexityResult;
  readonly spiking: PerplexityResult;
  readonly conversion: Conversion<M>;
  readonly energy: EnergyReport;
}

export interface LanguageModelEvaluationOptions extends ConvertOptions {
  /** Paragraphs evaluated: the first `evaluate` (default 300). */
  readonly evaluate?: number;
  /** Calibration paragraphs (default 8), from paragraph max(evaluate, calibrationStart) on: after the evaluated ones. */
  readonly calibrate?: number;
  /** The earliest calibration paragraph (default CALIBRATION_START, 300). */
  readonly calibrationStart?: number;
  /** Skip the float model (a sweep measures it once). */
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

/** Perplexity of the float model and of its spiking conversion on the same paragraphs. */
export function evaluateCausalLM<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  tokenizer: TextTokenizer,
  text: string,
  options: LanguageModelEvaluationOptions,
): LanguageModelEvaluation<M> {
  const all = splitParagraphs(text);
  const evaluate = options.evaluate ?? 300;
  const calibrate = options.calibrate ?? 8;
  // A fixed calibration set (whatever is evaluated) converts the model the same way in every run.
  const calibrationStart = Math.max(evaluate, options.calibrationStart ?? CALIBRATION_START);
  if (all.length < calibrationStart + calibrate) {
    throw new InvalidArgumentError(
      `the text has ${all.length} paragraphs; calibrating on paragraphs ${calibrationStart} .. ${calibrationStart + calibrate - 1} needs more`,
    );
  }
  const evaluated = encodeParagraphs(tokenizer, all.slice(0, evaluate));
  const calibration = encodeParagraphs(tokenizer, all.slice(calibrationStart, calibrationStart + calibrate));
  const conversion = convertCausalLM(kernels, builder, calibration, options);
  const float = options.skipFloat
    ? undefined
    : perplexity(conversion.float, evaluated, (d, t) => options.onProgress?.('float', d, t));
  conversion.ops.counters.reset();
  const spiking = perplexity(conversion.spiking, evaluated, (d, t) => options.onProgress?.('spiking', d, t));
  const energy = energyReport(conversion.ops.counters.all());
  conversion.float.dispose();
  conversion.spiking.dispose();
  return { ...(float ? { float } : {}), spiking, conversion, energy };
}
